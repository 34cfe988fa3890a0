"""Withdrawals: a participant leaves; their places in open rounds become vacancies.

Withdrawing sets the participant's status to `withdrawn` and removes their placement
from the working plan of every round that is not closed, recording a vacancy (the
opening, and who left it) that `fill-vacancies` offers to alternates. Published versions
are never changed: the host keeps seeing version N until the coordinator publishes the
amended plan as N+1. A partner who stays keeps their place (placed as a single person
from then on). Withdrawing twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas import FreedPlace, RoundStatus, Withdrawal
from jet_match.services import audit, plans, rounds
from jet_match.services.access import Action, Caller, authorize
from jet_match.services.writes import commit, compare_and_swap


def withdraw(*, session: Session, caller: Caller, participant_id: str) -> Withdrawal:
    """Withdraw a participant and free their places (coordinators)."""
    authorize(caller, Action.PARTICIPANTS_WRITE)
    person = plans.find_participant(session, participant_id)
    assert person.id is not None
    already = person.status == fmt.ParticipantStatus.WITHDRAWN.value
    before = person.status
    if not already:
        compare_and_swap(
            session,
            models.Participant,
            person.id,
            person.version,
            status=fmt.ParticipantStatus.WITHDRAWN.value,
            alternate_rank=None,
        )
    freed = free_places(session, caller, person)
    audit.record(
        session,
        caller,
        "participant.withdraw",
        "participant",
        participant_id,
        before=before,
        after=fmt.ParticipantStatus.WITHDRAWN.value,
        freed=[place.model_dump() for place in freed],
    )
    commit(session)
    return Withdrawal(
        participant=participant_id,
        status=fmt.ParticipantStatus.WITHDRAWN,
        already_withdrawn=already,
        freed=freed,
    )


def free_places(session: Session, caller: Caller, person: models.Participant) -> list[FreedPlace]:
    """Remove a withdrawn participant from every open round's plan, leaving vacancies.

    Flushes, never commits (the caller's transaction also holds the status change).
    """
    placement, round_, opening = models.Placement, models.Round, models.Opening
    held = session.execute(
        select(placement, round_, col(opening.external_id))
        .join(round_, col(round_.id) == placement.round_id)
        .join(opening, col(opening.id) == placement.opening_id)
        .where(
            placement.participant_id == person.id,
            col(round_.status) != RoundStatus.CLOSED.value,
        )
        .order_by(col(round_.external_id))
    ).all()
    assert person.id is not None
    freed = []
    for place, round_row, opening_ext in held:
        session.delete(place)
        session.add(
            models.Vacancy(
                round_id=round_row.id,
                opening_id=place.opening_id,
                withdrawn_id=person.id,
            )
        )
        session.execute(
            update(round_)
            .where(col(round_.id) == round_row.id)
            .values(
                version=col(round_.version) + 1,
                status=rounds.status_after_change(round_row.status),
                updated_at=models.utcnow(),
            )
        )
        audit.record(
            session,
            caller,
            "plan.vacate",
            "round",
            round_row.external_id,
            participant=person.external_id,
            before={"opening": opening_ext, "pinned": place.pinned},
            after=None,
        )
        freed.append(FreedPlace(round=round_row.external_id, opening=opening_ext))
    session.flush()
    return freed
