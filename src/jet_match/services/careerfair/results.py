"""The published-results feed for career-fair and reporting tools.

Every round's latest published version, by publication then participant, with the
participant's external_id only. A listing reads one *snapshot*: the set of (round,
version) publications current when its first page was read, named by a token carried in
every cursor and answered as `sync_token`. Publications never change, so a cursor keeps
reading its own snapshot after a round is amended and published again (no restart);
`changes(since=token)` then answers what differs between that snapshot and the current
one, per participant: added, changed (another opening) or removed. Filters (round,
prefecture, organization, position) apply to listings, CSV and changes alike.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import and_, false, or_
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.schemas.careerfair import ResultChanges, ResultsPage
from jet_match.schemas.publications import ResultItem
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate

Published = models.PublishedPlacement
Publication = models.Publication
Round = models.Round
Snapshot = tuple[tuple[int, int], ...]
COLUMNS = tuple(ResultItem.model_fields)
MAX_ROUNDS_IN_TOKEN = 1000


@dataclass(frozen=True, slots=True)
class ResultFilter:
    """Which published placements to list; None means any."""

    round: str | None = None
    prefecture: int | None = None
    organization: str | None = None
    position: fmt.Position | None = None


@dataclass(frozen=True, slots=True)
class Results:
    """A page of results and its ETag; `page` is None when the client's copy is current."""

    etag: str
    page: ResultsPage | None


def current_snapshot(session: Session) -> Snapshot:
    """(round row id, version) of every round's latest publication."""
    return tuple(
        (int(r), int(v))
        for r, v in session.execute(
            sa.select(col(Round.id), col(Round.published_version))
            .where(col(Round.published_version) > 0)
            .order_by(col(Round.id))
        ).all()
    )


def encode_token(snapshot: Snapshot) -> str:
    """The opaque token of a snapshot."""
    return base64.urlsafe_b64encode(orjson.dumps(snapshot)).decode().rstrip("=")


def decode_token(token: str, field: str) -> Snapshot:
    """The snapshot a token names; InvalidInput naming `field` if not one we gave out."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raw = None
    pairs: list[tuple[int, int]] = []
    valid = isinstance(raw, list) and len(raw) <= MAX_ROUNDS_IN_TOKEN
    for pair in raw if valid else []:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(type(n) is int and 0 < n < 2**31 for n in pair)
        ):
            valid = False
            break
        pairs.append((pair[0], pair[1]))
    if not valid:
        message = f"the {field} is not one this service gave out"
        raise InvalidInput(
            message, [FieldProblem("query", None, field, f"invalid_{field}", message)]
        )
    return tuple(sorted(set(pairs)))


def _statement(snapshot: Snapshot, filters: ResultFilter) -> Any:
    """Published placements of the snapshot's publications, filtered."""
    opening, organization = models.Opening, models.Organization
    participant = models.Participant
    chosen = (
        or_(
            *(
                and_(col(Publication.round_id) == r, col(Publication.version) == v)
                for r, v in snapshot
            )
        )
        if snapshot
        else false()
    )
    statement = (
        sa.select(
            Published,
            col(Round.external_id),
            col(Publication.version),
            col(participant.external_id),
            col(opening.external_id),
            col(organization.external_id),
        )
        .join(Publication, col(Publication.id) == Published.publication_id)
        .join(Round, col(Round.id) == Publication.round_id)
        .join(participant, col(participant.id) == Published.participant_id)
        .join(opening, col(opening.id) == Published.opening_id)
        .join(organization, col(organization.id) == Published.organization_id)
        .where(chosen)
    )
    if filters.round is not None:
        statement = statement.where(col(Round.external_id) == filters.round)
    if filters.prefecture is not None:
        statement = statement.where(col(Published.prefecture) == filters.prefecture)
    if filters.organization is not None:
        statement = statement.where(col(organization.external_id) == filters.organization)
    if filters.position is not None:
        statement = statement.where(col(Published.position) == filters.position.value)
    return statement


def _item(row: Any) -> ResultItem:
    published, round_ext, version, person, opening, organization = row
    return ResultItem(
        round=round_ext,
        version=version,
        participant=person,
        position=fmt.Position(published.position),
        opening=opening,
        organization=organization,
        organization_name=published.organization_name,
        prefecture=published.prefecture,
    )


def results(
    *,
    session: Session,
    caller: Caller,
    page: PageRequest,
    filters: ResultFilter = ResultFilter(),
    if_none_match: str | None = None,
) -> Results:
    """A page of published placements of one snapshot (the cursor's, or the current one)."""
    authorize(caller, Action.RESULTS_READ)
    if page.cursor is None:
        snapshot, inner = current_snapshot(session), None
    else:
        token, dot, rest = page.cursor.partition(".")
        snapshot, inner = decode_token(token if dot else "", "cursor"), rest
    token = encode_token(snapshot)
    digest = hashlib.sha256(f"{token}|{page.cursor}|{page.limit}|{filters}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    if if_none_match is not None and (
        if_none_match.strip() == "*"
        or etag in [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    ):
        return Results(etag, None)
    found = paginate(
        session,
        _statement(snapshot, filters),
        col(Published.id),
        PageRequest(cursor=inner, limit=page.limit),
        key_type=int,
    )
    next_cursor = f"{token}.{found.next_cursor}" if found.next_cursor is not None else None
    return Results(
        etag,
        ResultsPage(
            items=[_item(row) for row in found.rows], next_cursor=next_cursor, sync_token=token
        ),
    )


def results_sheet(*, session: Session, caller: Caller, filters: ResultFilter) -> bytes:
    """Every current published placement (filtered) as CSV, UTF-8 with a BOM."""
    authorize(caller, Action.RESULTS_READ)
    rows = session.execute(
        _statement(current_snapshot(session), filters).order_by(col(Published.id))
    ).all()
    return sheet_writing.write_table_csv(
        COLUMNS, (_item(row).model_dump(mode="json") for row in rows)
    )


def changes(
    *, session: Session, caller: Caller, since: str | None, filters: ResultFilter = ResultFilter()
) -> ResultChanges:
    """What was added, changed or removed in the published results since a sync token
    (without one: everything, as added)."""
    authorize(caller, Action.RESULTS_READ)
    before = dict(decode_token(since, "since")) if since is not None else {}
    now = current_snapshot(session)
    moved = tuple((r, v) for r, v in now if before.get(r) != v)
    then = tuple((r, before[r]) for r, _ in moved if r in before)
    old = _by_participant(session, then, filters)
    new = _by_participant(session, moved, filters)
    added = [item for key, item in new.items() if key not in old]
    changed = [item for key, item in new.items() if key in old and _differs(old[key], item)]
    removed = [item for key, item in old.items() if key not in new]
    return ResultChanges(
        sync_token=encode_token(now), added=added, changed=changed, removed=removed
    )


def _by_participant(
    session: Session, snapshot: Snapshot, filters: ResultFilter
) -> dict[tuple[str, str], ResultItem]:
    if not snapshot:
        return {}
    rows = session.execute(_statement(snapshot, filters).order_by(col(Published.id))).all()
    items = (_item(row) for row in rows)
    return {(item.round, item.participant): item for item in items}


def _differs(before: ResultItem, after: ResultItem) -> bool:
    return before.model_dump(exclude={"version"}) != after.model_dump(exclude={"version"})
