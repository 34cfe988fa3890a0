"""A round's forbidden pairs: list them, forbid a pair, allow it again.

Like every change of the working plan (`adjustments`), forbidding or allowing a pair needs
If-Match with the round's ETag and is refused while a run is queued or running. A
participant placed in a pair when it is forbidden is unassigned (a pinned one is refused:
unpin first); every later run keeps off the pair until it is allowed again.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import AlreadyExists, Conflict, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.plans import ForbiddenCreate, ForbiddenItem, ForbiddenPublic
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import Written, commit, etag_of
from jet_match.services.rounds import rounds
from jet_match.services.security import audit

Placement = models.Placement
Participant = models.Participant
Opening = models.Opening


def list_forbidden(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    participant: str | None,
    opening: str | None,
    page: PageRequest,
) -> Written[Page[ForbiddenItem]]:
    """The round's forbidden pairs, oldest first, with the round's ETag (send it as
    If-Match to allow one again)."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    forbidden = models.ForbiddenPair
    statement = (
        sa.select(forbidden, col(Participant.external_id), col(Opening.external_id))
        .join(Participant, col(Participant.id) == forbidden.participant_id)
        .join(Opening, col(Opening.id) == forbidden.opening_id)
        .where(col(forbidden.round_id) == row.id)
    )
    if participant is not None:
        statement = statement.where(col(Participant.external_id) == participant)
    if opening is not None:
        statement = statement.where(col(Opening.external_id) == opening)
    result = paginate(session, statement, col(forbidden.id), page, key_type=int)
    items = [
        ForbiddenItem(participant=person, opening=post, created_at=pair.created_at)
        for pair, person, post in result.rows
    ]
    return Written(Page(items=items, next_cursor=result.next_cursor), etag_of(row.version))


def forbid_pair(
    *, session: Session, caller: Caller, round_id: str, pair: ForbiddenCreate, if_match: str | None
) -> Written[ForbiddenPublic]:
    """Forbid a pair in the round; a participant placed there (not pinned) is unassigned."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    assert row.id is not None
    person = _body_participant(session, pair.participant)
    opening = lookups.find_opening(session, pair.opening, field="opening")
    existing = session.scalars(
        select(models.ForbiddenPair).where(
            models.ForbiddenPair.round_id == row.id,
            models.ForbiddenPair.participant_id == person.id,
            models.ForbiddenPair.opening_id == opening.id,
        )
    ).first()
    if existing is not None:
        raise AlreadyExists(f"the pair ({pair.participant}, {pair.opening}) is forbidden already")
    current = session.scalars(
        select(Placement).where(
            Placement.round_id == row.id,
            Placement.participant_id == person.id,
            Placement.opening_id == opening.id,
        )
    ).first()
    if current is not None and current.pinned:
        raise Conflict(f"{pair.participant} is pinned to {pair.opening}; unpin the placement first")
    version = rounds.bump(session, row)
    if current is not None:
        session.delete(current)
    assert person.id is not None
    assert opening.id is not None
    created = models.ForbiddenPair(round_id=row.id, participant_id=person.id, opening_id=opening.id)
    session.add(created)
    session.flush()
    rounds.settle_status(session, caller, row)
    audit.record(
        session,
        caller,
        "plan.forbid",
        "round",
        row.external_id,
        participant=pair.participant,
        opening=pair.opening,
        unassigned=current is not None,
    )
    commit(session)
    answer = ForbiddenPublic(
        participant=pair.participant,
        opening=pair.opening,
        created_at=created.created_at,
        unassigned=current is not None,
    )
    return Written(answer, etag_of(version), status_code=201)


def allow_pair(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    participant_id: str,
    opening_id: str,
    if_match: str | None,
) -> str:
    """Allow a forbidden pair again; answers the round's new ETag."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    found = session.scalars(
        select(models.ForbiddenPair)
        .join(Participant, col(Participant.id) == models.ForbiddenPair.participant_id)
        .join(Opening, col(Opening.id) == models.ForbiddenPair.opening_id)
        .where(
            models.ForbiddenPair.round_id == row.id,
            Participant.external_id == participant_id,
            Opening.external_id == opening_id,
        )
    ).first()
    if found is None:
        raise NotFound(f"the pair ({participant_id}, {opening_id}) is not forbidden")
    version = rounds.bump(session, row)
    session.delete(found)
    audit.record(
        session,
        caller,
        "plan.allow",
        "round",
        row.external_id,
        participant=participant_id,
        opening=opening_id,
    )
    commit(session)
    return etag_of(version)


def _body_participant(session: Session, external_id: str) -> models.Participant:
    try:
        return lookups.find_participant(session, external_id)
    except NotFound as exc:
        raise InvalidInput(
            exc.detail,
            [FieldProblem("plan", external_id, "participant", "unknown_participant", exc.detail)],
        ) from None
