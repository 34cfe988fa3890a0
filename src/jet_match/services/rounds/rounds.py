"""Matching rounds: create, list, read, change, close; the lifecycle every other module obeys.

A round's `version` is the ETag of the round and of its working plan together: a run's
plan, an adjustment, a forbidden pair, a publication, a withdrawal or a vacancy filled
bumps it (`bump`), so If-Match on any plan write refuses one based on a plan the caller
has not seen. Lifecycle (docs/rounds.md):

    draft --run--> solved --publish--> published --change--> amended --publish--> published
      any state but closed --close--> closed (read-only from then on)

The status follows the plan (`settle_status`): a round is `amended` exactly while its
working plan differs from its latest published version. A round covers every participant
and opening of its positions; vacancies (`open_vacancies`) are the places the latest
publication filled that the plan no longer fills.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, Conflict, NotFound, PreconditionFailed
from jet_match.schemas.common import Page
from jet_match.schemas.rounds import (
    RoundCreate,
    RoundPolicy,
    RoundPolicyUpdate,
    RoundPublic,
    RoundUpdate,
)
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    commit,
    etag_of,
    run_idempotent,
    updated_one,
)
from jet_match.services.security import audit
from jet_match.statuses import RoundStatus

Round = models.Round


def find(session: Session, external_id: str) -> models.Round:
    """The round; NotFound if there is none."""
    row = session.scalars(select(Round).where(Round.external_id == external_id)).first()
    if row is None:
        raise NotFound(f"no round '{external_id}'")
    return row


def policy_of(row: models.Round) -> RoundPolicy:
    """The round's policy as the API shows it."""
    return RoundPolicy(
        weights=fmt.Weights.model_validate(row.weights),
        max_country_share_per_prefecture=row.max_country_share_per_prefecture,
        time_limit_s=row.time_limit_s,
        seed=row.seed,
        **row.season,
    )


def public(session: Session, row: models.Round) -> RoundPublic:
    """The round with the counts of its working plan."""
    assert row.id is not None
    placed, pinned = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(models.Placement.pinned), 1), else_=0)), 0),
        )
        .select_from(models.Placement)
        .where(models.Placement.round_id == row.id)
    ).one()
    forbidden = session.scalar(
        select(func.count())
        .select_from(models.ForbiddenPair)
        .where(models.ForbiddenPair.round_id == row.id)
    )
    vacancies = sum(vacancy.places for vacancy in open_vacancies(session, row))
    return RoundPublic(
        external_id=row.external_id,
        name=row.name,
        programme_year=row.programme_year,
        positions=[fmt.Position(p) for p in row.positions],
        policy=policy_of(row),
        status=RoundStatus(row.status),
        published_version=row.published_version or None,
        active_run=row.active_run_id,
        placed=int(placed),
        pinned=int(pinned),
        forbidden=int(forbidden or 0),
        open_vacancies=vacancies,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _policy_values(policy: RoundPolicy) -> dict[str, Any]:
    return {
        "weights": policy.weights.model_dump(),
        "max_country_share_per_prefecture": policy.max_country_share_per_prefecture,
        "time_limit_s": policy.time_limit_s,
        "seed": policy.seed,
        "season": _season_values(policy),
    }


def _season_values(policy: RoundPolicy) -> dict[str, Any]:
    """The season's part of the policy as stored (`rounds.season`, JSON)."""
    return policy.model_dump(mode="json", include={"arrival_groups", "arrival_cutoff", "offers"})


def _merged_policy(row: models.Round, update: RoundPolicyUpdate) -> dict[str, Any]:
    """The round's policy values with only the fields (and weights) the update sends."""
    sent = update.model_fields_set
    values: dict[str, Any] = {}
    if update.weights is not None:
        weights = {**row.weights, **update.weights.model_dump(exclude_unset=True)}
        values["weights"] = fmt.Weights.model_validate(weights).model_dump()
    if "max_country_share_per_prefecture" in sent:
        values["max_country_share_per_prefecture"] = update.max_country_share_per_prefecture
    if update.time_limit_s is not None:
        values["time_limit_s"] = update.time_limit_s
    if update.seed is not None:
        values["seed"] = update.seed
    season: dict[str, Any] = {
        name: getattr(update, name)
        for name in ("arrival_groups", "arrival_cutoff", "offers")
        if name in sent
    }
    if season:
        merged = policy_of(row).model_copy(update=season)
        values["season"] = _season_values(RoundPolicy.model_validate(merged.model_dump()))
    return values


def create_round(
    *,
    session: Session,
    caller: Caller,
    round_in: RoundCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[RoundPublic]:
    """Create a round in `draft` (coordinators)."""
    authorize(caller, Action.ROUNDS_WRITE)

    def produce() -> Written[RoundPublic]:
        holder = session.scalars(
            select(Round.external_id).where(
                func.lower(Round.external_id) == round_in.external_id.lower()
            )
        ).first()
        if holder is not None:
            raise AlreadyExists(
                f"round '{round_in.external_id}' exists already"
                if holder == round_in.external_id
                else f"round '{round_in.external_id}' clashes with round '{holder}': "
                "external ids are unique without regard to case"
            )
        row = Round(
            external_id=round_in.external_id,
            name=round_in.name,
            programme_year=round_in.programme_year,
            positions=sorted({p.value for p in round_in.positions}),
            status=RoundStatus.DRAFT.value,
            **_policy_values(round_in.policy),
        )
        session.add(row)
        session.flush()
        audit.record(session, caller, "round.create", "round", row.external_id, status=row.status)
        return Written(public(session, row), etag_of(row.version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="round.create",
        payload=round_in,
        answer_model=RoundPublic,
        produce=produce,
    )


def list_rounds(*, session: Session, caller: Caller, page: PageRequest) -> Page[RoundPublic]:
    """Rounds ordered by external_id (coordinators)."""
    authorize(caller, Action.ROUNDS_READ)
    result = paginate(session, select(Round), col(Round.external_id), page)
    return Page(
        items=[public(session, row) for (row,) in result.rows], next_cursor=result.next_cursor
    )


def get_round(*, session: Session, caller: Caller, external_id: str) -> Written[RoundPublic]:
    """One round and its ETag (which is also its plan's)."""
    authorize(caller, Action.ROUNDS_READ)
    row = find(session, external_id)
    return Written(public(session, row), etag_of(row.version))


def update_round(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: RoundUpdate,
    if_match: str | None,
) -> Written[RoundPublic]:
    """Rename a round or change its policy; positions only while it has no plan."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = find(session, external_id)
    check_if_match(if_match, row.version)
    ensure_changeable(row)
    values: dict[str, Any] = {}
    if changes.name is not None and changes.name != row.name:
        values["name"] = changes.name
    if changes.positions is not None:
        positions = sorted({p.value for p in changes.positions})
        if positions != row.positions:
            if row.status != RoundStatus.DRAFT.value:
                raise Conflict("the positions of a round are fixed once it has a plan")
            values["positions"] = positions
    if changes.policy is not None:
        policy = _merged_policy(row, changes.policy)
        values.update({k: v for k, v in policy.items() if getattr(row, k) != v})
    if values:
        bump(session, row, **values)
        audit.record(
            session,
            caller,
            "round.update",
            "round",
            row.external_id,
            fields=sorted(values),
            before={k: _jsonable(getattr(row, k)) for k in values},
            after={k: _jsonable(v) for k, v in values.items()},
        )
        commit(session)
        session.refresh(row)
    return Written(public(session, row), etag_of(row.version))


def close_round(
    *, session: Session, caller: Caller, external_id: str, if_match: str | None
) -> Written[RoundPublic]:
    """Close a round: its plan and publications become read-only (coordinators)."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = find(session, external_id)
    check_if_match(if_match, row.version)
    ensure_changeable(row)
    before = row.status
    bump(session, row, status=RoundStatus.CLOSED.value)
    audit.record(
        session, caller, "round.close", "round", row.external_id, before=before, after="closed"
    )
    commit(session)
    session.refresh(row)
    return Written(public(session, row), etag_of(row.version))


def ensure_open(row: models.Round) -> None:
    """Refuse any change to a closed round (409)."""
    if row.status == RoundStatus.CLOSED.value:
        raise Conflict(f"round '{row.external_id}' is closed")


def ensure_changeable(row: models.Round) -> None:
    """Refuse a plan change while the round is closed or a run is queued or running (409)."""
    ensure_open(row)
    if row.active_run_id is not None:
        raise Conflict(
            f"run {row.active_run_id} of round '{row.external_id}' is queued or running; "
            "wait for it (or cancel it) before changing the round"
        )


def check_plan_write(row: models.Round, if_match: str | None) -> None:
    """The preconditions of every plan write: If-Match on the round, open, no active run."""
    check_if_match(if_match, row.version)
    ensure_changeable(row)


def bump(session: Session, row: models.Round, **values: Any) -> int:
    """Write `values` and the next version if the round is still at the version read (412).

    Returns the new version; `row` keeps the values read (the audit's "before").
    """
    assert row.id is not None
    new_version = row.version + 1
    result = session.execute(
        update(Round)
        .where(col(Round.id) == row.id, col(Round.version) == row.version)
        .values(version=new_version, updated_at=models.utcnow(), **values)
        .execution_options(synchronize_session=False)  # `row` stays what the caller read
    )
    if not updated_one(result):
        session.rollback()
        raise PreconditionFailed(
            f"round '{row.external_id}' was changed by another request meanwhile; read it again"
        )
    return new_version


def settle_status(session: Session, caller: Caller, row: models.Round, *, ran: bool = False) -> str:
    """Set the round's status from its working plan as written (flushed); the status.

    `row` holds the status read before the change. A draft round stays in draft until a
    run succeeds (`ran`: then it is solved); a published round is `published` while its
    plan is the latest published version and `amended` as soon as it differs (pins, runs
    that moved nobody and changes undone leave it published). A change of status is
    audited (`round.status`, before and after) with the change that caused it.
    """
    assert row.id is not None
    status = row.status
    if status == RoundStatus.DRAFT.value and ran:
        status = RoundStatus.SOLVED.value
    elif status in (RoundStatus.PUBLISHED.value, RoundStatus.AMENDED.value):
        published = plan_is_published(session, row.id, row.published_version)
        status = (RoundStatus.PUBLISHED if published else RoundStatus.AMENDED).value
    if status != row.status:
        session.execute(
            update(Round)
            .where(col(Round.id) == row.id)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            caller,
            "round.status",
            "round",
            row.external_id,
            before=row.status,
            after=status,
        )
    return status


@dataclass(frozen=True, slots=True)
class Vacancy:
    """Places at an opening that the latest publication filled and the plan no longer does."""

    opening_id: int
    opening: str
    places: int


def open_vacancies(session: Session, row: models.Round) -> list[Vacancy]:
    """The round's vacancies, by opening external_id: at every open opening of its
    positions, min(slots, placed there in the latest publication) - placed there now, when
    positive. None before the first publication (nothing was promised yet)."""
    if not row.published_version:
        return []
    placement, published, opening = models.Placement, models.PublishedPlacement, models.Opening
    promised = (
        select(published.opening_id, func.count().label("n"))
        .join(models.Publication, col(models.Publication.id) == published.publication_id)
        .where(
            models.Publication.round_id == row.id,
            models.Publication.version == row.published_version,
        )
        .group_by(col(published.opening_id))
        .subquery()
    )
    held = (
        select(placement.opening_id, func.count().label("n"))
        .where(placement.round_id == row.id)
        .group_by(col(placement.opening_id))
        .subquery()
    )
    kept = case((promised.c.n < opening.slots, promised.c.n), else_=opening.slots)
    free = kept - func.coalesce(held.c.n, 0)
    found = session.execute(
        select(opening.id, opening.external_id, free)
        .join(promised, promised.c.opening_id == opening.id)
        .outerjoin(held, held.c.opening_id == opening.id)
        .where(
            opening.status == fmt.OpeningStatus.OPEN.value,
            col(opening.position).in_(row.positions),
            free > 0,
        )
        .order_by(col(opening.external_id))
    ).all()
    return [Vacancy(int(i), str(ext), int(n)) for i, ext, n in found]


def plan_is_published(session: Session, round_id: int, version: int) -> bool:
    """The working plan places everyone exactly as published version `version` does."""
    placement, published = models.Placement, models.PublishedPlacement
    publication = (
        select(models.Publication.id)
        .where(models.Publication.round_id == round_id, models.Publication.version == version)
        .scalar_subquery()
    )
    unpublished = (
        select(placement.id)
        .where(
            placement.round_id == round_id,
            ~exists().where(
                col(published.publication_id) == publication,
                col(published.participant_id) == placement.participant_id,
                col(published.opening_id) == placement.opening_id,
            ),
        )
        .limit(1)
    )
    gone = (
        select(published.id)
        .where(
            published.publication_id == publication,
            ~exists().where(
                col(placement.round_id) == round_id,
                col(placement.participant_id) == published.participant_id,
                col(placement.opening_id) == published.opening_id,
            ),
        )
        .limit(1)
    )
    return session.scalar(unpublished) is None and session.scalar(gone) is None


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | list | dict | None) else str(value)
