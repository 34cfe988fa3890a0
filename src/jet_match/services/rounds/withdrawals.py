"""Withdrawals: a participant leaves; their places in open rounds become vacancies.

Withdrawing sets the participant's status to `withdrawn` and removes their placement
from the working plan of every round that is not closed, recording a vacancy (the
opening, and who left it) that `fill-vacancies` offers to alternates. Published versions
are never changed: the host keeps seeing version N until the coordinator publishes the
amended plan as N+1. A partner who stays keeps their place (placed as a single person
from then on). Withdrawing twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.review import WithdrawalCounts
from jet_match.schemas.withdrawals import FreedPlace, Withdrawal, WithdrawalRequest
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit, updated_one
from jet_match.services.notifications import outbox
from jet_match.services.rounds import rounds
from jet_match.services.security import audit
from jet_match.statuses import EventKind, OfferStatus, RoundStatus, WithdrawalReason


def withdraw(
    *,
    session: Session,
    caller: Caller,
    participant_id: str,
    request: WithdrawalRequest | None = None,
    reason: str | None = None,
) -> Withdrawal:
    """Withdraw a participant and free their places (coordinators); the reason and note,
    when given, are recorded with the day (`withdrawal_records`) and audited. `reason` is
    a free-text explanation (the workspace's form): kept as the note when none is given.

    Idempotent, so no If-Match: whatever version the participant is at, the outcome is
    the same (a concurrent change of another field is kept, not refused); withdrawing
    again records nothing new and answers the first withdrawal's reason and day.
    """
    request = request or WithdrawalRequest()
    authorize(caller, Action.PARTICIPANTS_WRITE)
    person = lookups.find_participant(session, participant_id)
    assert person.id is not None
    participant = models.Participant
    withdrawn = fmt.ParticipantStatus.WITHDRAWN.value
    changed = session.execute(
        update(participant)
        .where(col(participant.id) == person.id, col(participant.status) != withdrawn)
        .values(
            status=withdrawn,
            alternate_rank=None,
            version=col(participant.version) + 1,
            updated_at=models.utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    already = not updated_one(changed)
    before = withdrawn if already else person.status
    if not already:
        session.add(
            models.WithdrawalRecord(
                participant_id=person.id,
                reason=request.reason.value if request.reason else None,
                note=request.note or (reason[:500] if reason else None),
                withdrawn_on=models.utcnow().date(),
                recorded_by=caller.actor,
            )
        )
    freed = free_places(session, caller, person)
    _close_live_offers(session, caller, person)
    audit.record(
        session,
        caller,
        "participant.withdraw",
        "participant",
        participant_id,
        before=before,
        after=fmt.ParticipantStatus.WITHDRAWN.value,
        freed=[place.model_dump() for place in freed],
        reason=request.reason.value if request.reason else reason,
    )
    commit(session)
    record = session.scalars(
        select(models.WithdrawalRecord)
        .where(models.WithdrawalRecord.participant_id == person.id)
        .order_by(col(models.WithdrawalRecord.id))
    ).first()
    return Withdrawal(
        participant=participant_id,
        status=fmt.ParticipantStatus.WITHDRAWN,
        already_withdrawn=already,
        reason=WithdrawalReason(record.reason) if record and record.reason else None,
        withdrawn_on=record.withdrawn_on if record else None,
        freed=freed,
    )


def _close_live_offers(session: Session, caller: Caller, person: models.Participant) -> None:
    """A withdrawn alternate's open offer (alone or with a partner) is withdrawn with them:
    its places can be offered to the next alternate. Flushes, never commits."""
    offer = models.Offer
    live = session.scalars(
        select(offer).where(
            offer.status == OfferStatus.OPEN.value,
            sa.or_(
                col(offer.live_participant_id) == person.id, col(offer.live_partner_id) == person.id
            ),
        )
    ).all()
    now = models.utcnow()
    for held in live:
        session.execute(
            update(offer)
            .where(col(offer.id) == held.id)
            .values(
                status=OfferStatus.WITHDRAWN.value,
                live_participant_id=None,
                live_partner_id=None,
                decided_by=caller.actor,
                decided_at=now,
                version=col(offer.version) + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        round_id = session.scalar(
            select(models.Round.external_id).where(models.Round.id == held.round_id)
        )
        audit.record(
            session,
            caller,
            "offer.withdraw",
            "round",
            round_id,
            offer=held.id,
            reason="the participant withdrew",
            before=OfferStatus.OPEN.value,
            after=OfferStatus.WITHDRAWN.value,
        )
    session.flush()


def counts(session: Session, row: models.Round) -> WithdrawalCounts:
    """The withdrawals of the round's positions: by reason, sending country and position,
    and before or after the round's first publication (counted by when each was recorded).
    """
    assert row.id is not None
    record, participant = models.WithdrawalRecord, models.Participant
    first_published = session.scalar(
        select(models.Publication.published_at).where(
            models.Publication.round_id == row.id, models.Publication.version == 1
        )
    )
    found = session.execute(
        select(record.reason, record.recorded_at, participant.citizenship, participant.position)
        .join(participant, col(participant.id) == record.participant_id)
        .where(col(participant.position).in_(row.positions))
    ).all()
    by_reason: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    by_position: Counter[str] = Counter()
    after = 0
    for reason, recorded_at, country, position in found:
        by_reason[reason or "unknown"] += 1
        by_country[country] += 1
        by_position[position] += 1
        if first_published is not None and _utc(recorded_at) >= _utc(first_published):
            after += 1
    return WithdrawalCounts(
        total=len(found),
        by_reason=dict(sorted(by_reason.items())),
        by_country=dict(sorted(by_country.items())),
        by_position=dict(sorted(by_position.items())),
        before_publication=len(found) - after,
        after_publication=after,
    )


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive timestamps; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def free_places(session: Session, caller: Caller, person: models.Participant) -> list[FreedPlace]:
    """Remove a withdrawn participant from every open round's plan, leaving vacancies.

    Flushes, never commits (the caller's transaction also holds the status change).
    """
    placement, round_ = models.Placement, models.Round
    held = session.scalars(
        select(placement)
        .join(round_, col(round_.id) == placement.round_id)
        .where(
            placement.participant_id == person.id,
            col(round_.status) != RoundStatus.CLOSED.value,
        )
    ).all()
    return vacate(session, caller, held, reason="the participant withdrew")


def vacate(
    session: Session, caller: Caller, places: Sequence[models.Placement], *, reason: str
) -> list[FreedPlace]:
    """Take placements out of their rounds' working plans (withdrawals, records that no
    longer allow them): each round's version is bumped and its status follows its plan
    (a published plan becomes amended); each removal is audited (`plan.vacate`).

    Flushes, never commits (the caller's transaction holds the change that caused it).
    """
    if not places:
        return []
    round_, participant, opening = models.Round, models.Participant, models.Opening
    rounds_by_id = {
        r.id: r
        for r in session.scalars(
            select(round_).where(col(round_.id).in_({p.round_id for p in places}))
        )
    }
    names = dict(
        session.execute(
            select(participant.id, participant.external_id).where(
                col(participant.id).in_({p.participant_id for p in places})
            )
        ).all()
    )
    openings: dict[int, str] = {}
    owners: dict[int, int] = {}
    for opening_id, external_id, organization_id in session.execute(
        select(opening.id, opening.external_id, opening.organization_id).where(
            col(opening.id).in_({p.opening_id for p in places})
        )
    ).all():
        openings[opening_id] = external_id
        owners[opening_id] = organization_id
    published = _published(session, list(rounds_by_id.values()))
    freed = []
    events = []
    for place in sorted(
        places, key=lambda p: (rounds_by_id[p.round_id].external_id, names[p.participant_id])
    ):
        round_row = rounds_by_id[place.round_id]
        session.delete(place)
        audit.record(
            session,
            caller,
            "plan.vacate",
            "round",
            round_row.external_id,
            participant=names[place.participant_id],
            reason=reason,
            before={"opening": openings[place.opening_id], "pinned": place.pinned},
            after=None,
        )
        freed.append(
            FreedPlace(
                round=round_row.external_id,
                opening=openings[place.opening_id],
                participant=names[place.participant_id],
                reason=reason,
                published=(place.round_id, place.participant_id, place.opening_id) in published,
            )
        )
        events.append(
            outbox.NewEvent(
                EventKind.PLACEMENT_VACATED, owners[place.opening_id], freed[-1].model_dump()
            )
        )
    # Told to the coordinators and the host, in the transaction of the change.
    outbox.record_events(session=session, events=events)
    session.flush()
    for round_row in rounds_by_id.values():
        session.execute(
            update(round_)
            .where(col(round_.id) == round_row.id)
            .values(version=col(round_.version) + 1, updated_at=models.utcnow())
            .execution_options(synchronize_session=False)
        )
        rounds.settle_status(session, caller, round_row)
    session.flush()
    return freed


def _published(session: Session, rows: Sequence[models.Round]) -> set[tuple[int, int, int]]:
    """(round, participant, opening) ids of the rounds' latest publications."""
    latest = [(r.id, r.published_version) for r in rows if r.published_version]
    if not latest:
        return set()
    publication, published = models.Publication, models.PublishedPlacement
    found = session.execute(
        select(publication.round_id, published.participant_id, published.opening_id)
        .join(published, col(published.publication_id) == publication.id)
        .where(
            sa.or_(
                *(
                    sa.and_(
                        col(publication.round_id) == round_id, col(publication.version) == version
                    )
                    for round_id, version in latest
                )
            )
        )
    ).all()
    return {(int(r), int(p), int(o)) for r, p, o in found}
