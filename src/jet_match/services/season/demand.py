"""The demand of a programme year: the new places the reappointment ledger leaves.

For programme year Y, a contract whose `ends_on` falls in Y is up for reappointment and
counts by its intention; one that ends after Y is `continuing`; one that ended before Y is
history. Per opening, `posts` (its `posts`, or its `slots` when never set) minus the
JETs who stay (continuing, reappointing, and undecided unless the year counts them as
leaving) are its new places, at least 0 (a cancelled opening has none). Organizations and
prefectures sum their openings. Listed: every open opening, and cancelled ones that still
have JETs in post.

Applying the demand (coordinators) sets each open opening's `slots` to its new places
and freezes its `posts`, so that applying twice changes nothing; an opening with no new
places is cancelled (reopen it with `PATCH {"status": "open"}` if need be). It writes in
one transaction, audits `demand.apply` and each opening's `opening.update`, and vacates
the working-plan placements the lost slots no longer allow. The ETag of a demand is a
digest of it: apply takes the ETag of the unfiltered GET in If-Match, so a coordinator
applies exactly the demand they read. Two grouped queries compute it: a national ledger
answers in milliseconds.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.demand import (
    Demand,
    DemandApplied,
    DemandCounts,
    OpeningDemand,
    OrganizationDemand,
    PrefectureDemand,
    SlotsChange,
)
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import (
    Written,
    check_if_match_tag,
    commit,
    compare_and_swap,
)
from jet_match.services.rounds import record_changes
from jet_match.services.season import programme_years
from jet_match.services.season.contracts import year_bounds
from jet_match.services.security import audit

Contract = models.Contract
Opening = models.Opening
Organization = models.Organization

_COUNTS = ("posts", "continuing", "reappointing", "leaving", "undecided", "new_places")
_OPEN = fmt.OpeningStatus.OPEN.value


@dataclass(frozen=True, slots=True)
class DemandFilter:
    """Filters of the demand; None means any."""

    organization: str | None = None
    prefecture: int | None = None
    position: fmt.Position | None = None


@dataclass(frozen=True, slots=True)
class _Stored:
    """What apply needs of an opening row: its id, version and stored posts."""

    id: int
    version: int
    posts: int | None


def get_demand(
    *, session: Session, caller: Caller, programme_year: int, filters: DemandFilter
) -> Written[Demand]:
    """The demand of a programme year as the caller may read it, and its ETag."""
    authorize(caller, Action.DEMAND_READ)
    demand, _ = _compute(session, caller, programme_year, filters)
    return Written(demand, etag_of_demand(demand))


def apply_demand(
    *,
    session: Session,
    caller: Caller,
    programme_year: int,
    if_match: str | None,
    dry_run: bool = False,
) -> Written[DemandApplied]:
    """Set each open opening's slots to its new places (coordinators); with `dry_run`,
    only say what it would change (If-Match then optional)."""
    authorize(caller, Action.DEMAND_APPLY)
    demand, stored = _compute(session, caller, programme_year, DemandFilter())
    etag = etag_of_demand(demand)
    if not dry_run or if_match is not None:
        check_if_match_tag(if_match, etag)
    changes: list[SlotsChange] = []
    unchanged = 0
    for line in demand.openings:
        if line.status is not fmt.OpeningStatus.OPEN:
            continue
        change = _change(line)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    vacated = []
    if not dry_run:
        vacated = _write(session, caller, programme_year, changes, stored)
        commit(session)
        after, _ = _compute(session, caller, programme_year, DemandFilter())
        etag = etag_of_demand(after)
    applied = DemandApplied(
        programme_year=programme_year,
        dry_run=dry_run,
        changes=changes,
        unchanged=unchanged,
        vacated=vacated,
    )
    return Written(applied, etag)


def etag_of_demand(demand: Demand) -> str:
    """A strong ETag of a demand: a digest of what it says."""
    return '"d-' + hashlib.sha256(demand.model_dump_json().encode()).hexdigest()[:32] + '"'


def _change(line: OpeningDemand) -> SlotsChange | None:
    """What applying does to an open opening; None if nothing."""
    places = line.new_places
    status = fmt.OpeningStatus.OPEN if places >= 1 else fmt.OpeningStatus.CANCELLED
    slots = places if places >= 1 else line.slots
    if slots == line.slots and status is line.status:
        return None
    return SlotsChange(
        opening=line.opening,
        organization=line.organization,
        slots_before=line.slots,
        slots_after=slots,
        posts=line.posts,
        status_after=status,
    )


def _write(
    session: Session,
    caller: Caller,
    programme_year: int,
    changes: list[SlotsChange],
    stored: dict[str, _Stored],
) -> list[Any]:
    """Write the changes, audit them and vacate what the lost slots no longer allow."""
    ids = [stored[change.opening].id for change in changes]
    watched = record_changes.watch(session, opening_ids=ids)
    for change in changes:
        row = stored[change.opening]
        fields = ["slots"] if change.slots_after != change.slots_before else []
        if row.posts != change.posts:
            fields.append("posts")
        if change.status_after is not fmt.OpeningStatus.OPEN:
            fields.append("status")
        compare_and_swap(
            session,
            Opening,
            row.id,
            row.version,
            slots=change.slots_after,
            posts=change.posts,
            status=change.status_after.value,
        )
        audit.record(
            session, caller, "opening.update", "opening", change.opening, fields=sorted(fields)
        )
    audit.record(
        session,
        caller,
        "demand.apply",
        "demand",
        str(programme_year),
        changed=len(changes),
        openings=[change.opening for change in changes],
    )
    if not changes:
        return []
    reason = f"the demand of programme year {programme_year} was applied"
    return record_changes.follow(session, caller, watched, reason=reason)


def _compute(
    session: Session, caller: Caller, programme_year: int, filters: DemandFilter
) -> tuple[Demand, dict[str, _Stored]]:
    """The demand, and the stored rows of its openings (for apply)."""
    year = programme_years.settings_of(session, programme_year)
    first, last = year_bounds(programme_year)
    deciding: dict[int, dict[str, int]] = defaultdict(dict)
    for opening_id, intention, count in session.execute(
        sa.select(col(Contract.opening_id), col(Contract.intention), sa.func.count())
        .where(col(Contract.ends_on).between(first, last))
        .group_by(col(Contract.opening_id), col(Contract.intention))
    ):
        deciding[opening_id][intention] = count
    continuing: dict[int, int] = dict(
        session.execute(
            sa.select(col(Contract.opening_id), sa.func.count())
            .where(col(Contract.ends_on) > last)
            .group_by(col(Contract.opening_id))
        ).all()
    )
    statement = sa.select(
        col(Opening.id),
        col(Opening.external_id),
        col(Opening.version),
        col(Opening.position),
        col(Opening.status),
        col(Opening.slots),
        col(Opening.posts),
        col(Organization.external_id),
        col(Organization.prefecture),
    ).join(Organization, col(Organization.id) == Opening.organization_id)
    scope = lookups.readable_by(caller)
    if scope is not None:
        statement = statement.where(scope)
    if filters.organization is not None:
        statement = statement.where(col(Organization.external_id) == filters.organization)
    if filters.prefecture is not None:
        statement = statement.where(col(Organization.prefecture) == filters.prefecture)
    if filters.position is not None:
        statement = statement.where(col(Opening.position) == filters.position.value)
    lines: list[OpeningDemand] = []
    stored: dict[str, _Stored] = {}
    by_organization: dict[str, list[int]] = {}
    prefecture_of: dict[str, int] = {}
    by_prefecture: dict[int, list[int]] = {}
    total = [0] * len(_COUNTS)
    for row in session.execute(statement.order_by(col(Opening.external_id))):
        (opening_id, external_id, version, position, status, slots, posts, org, prefecture) = row
        counts = deciding.get(opening_id, {})
        staying = continuing.get(opening_id, 0)
        if status != _OPEN and not counts and not staying:
            continue
        figures = _figures(status, slots, posts, staying, counts, year.undecided_as_leaving)
        # Trusted values straight from the tables: built without re-validation (the sums
        # and models of ~2,000 openings are most of the time at national scale).
        lines.append(
            OpeningDemand.model_construct(
                opening=external_id,
                organization=org,
                prefecture=prefecture,
                position=fmt.Position(position),
                status=fmt.OpeningStatus(status),
                slots=slots,
                **_named(figures),
            )
        )
        stored[external_id] = _Stored(opening_id, version, posts)
        prefecture_of[org] = prefecture
        for sums in (
            by_organization.setdefault(org, [0] * len(_COUNTS)),
            by_prefecture.setdefault(prefecture, [0] * len(_COUNTS)),
            total,
        ):
            for index, figure in enumerate(figures):
                sums[index] += figure
    demand = Demand.model_construct(
        programme_year=programme_year,
        intention_deadline=year.intention_deadline,
        undecided_as_leaving=year.undecided_as_leaving,
        openings=lines,
        organizations=[
            OrganizationDemand.model_construct(
                organization=org,
                prefecture=prefecture_of[org],
                **_named(sums),
            )
            for org, sums in sorted(by_organization.items())
        ],
        prefectures=[
            PrefectureDemand.model_construct(prefecture=prefecture, **_named(sums))
            for prefecture, sums in sorted(by_prefecture.items())
        ],
        total=DemandCounts.model_construct(**_named(total)),
    )
    return demand, stored


def _named(figures: Sequence[int]) -> dict[str, Any]:
    """Counts by name."""
    return dict(zip(_COUNTS, figures, strict=True))


def _figures(
    status: str,
    slots: int,
    posts: int | None,
    continuing: int,
    counts: dict[str, int],
    undecided_as_leaving: bool,
) -> tuple[int, ...]:
    """An opening's counts, in `_COUNTS` order."""
    reappointing = counts.get(fmt.Intention.REAPPOINTING.value, 0)
    leaving = counts.get(fmt.Intention.LEAVING.value, 0)
    undecided = counts.get(fmt.Intention.UNDECIDED.value, 0)
    employed = posts if posts is not None else slots
    staying = continuing + reappointing + (0 if undecided_as_leaving else undecided)
    new_places = max(0, employed - staying) if status == _OPEN else 0
    return (employed, continuing, reappointing, leaving, undecided, new_places)
