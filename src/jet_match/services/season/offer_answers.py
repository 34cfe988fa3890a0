"""Answers to offers: the alternate accepts or declines (a coordinator records it), or a
coordinator withdraws the offer.

Each answer compare-and-swaps on the offer's version (its ETag, sent as If-Match), so of
two answers to one offer exactly one wins (412 for the other), and may carry an
Idempotency-Key. Accepting pins the alternate at the opening in the working plan (the
round becomes `amended`, ready to publish); declining closes that opening to the
alternate for good and passes the place on at once (`offers.pass_on`). The moments other
features hook into are one function each: `offer_accepted`, `offer_declined`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import update
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict
from jet_match.schemas.offers import OfferDecision
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    etag_of,
    run_idempotent,
    updated_one,
)
from jet_match.services.rounds import rounds, vacancies
from jet_match.services.season import offers
from jet_match.services.security import audit
from jet_match.statuses import EventKind, OfferStatus, RoundStatus


def accept_offer(
    *,
    session: Session,
    caller: Caller,
    offer_id: int,
    if_match: str | None,
    idempotency: IdempotencyKey | None = None,
) -> Written[OfferDecision]:
    """The alternate accepts: pinned at the opening in the working plan, upgraded to
    shortlisted; the round becomes amended (coordinators record the answer)."""
    authorize(caller, Action.ROUNDS_WRITE)

    def produce() -> Written[OfferDecision]:
        offer, row = _answerable(session, offer_id, if_match)
        rounds.ensure_changeable(row)
        members = [_participant(session, offer.participant_id)]
        openings = [offer.opening_id]
        if offer.partner_id is not None and offer.partner_opening_id is not None:
            members.append(_participant(session, offer.partner_id))
            openings.append(offer.partner_opening_id)
        names = offers.opening_names(session, openings)
        if any(m.status != fmt.ParticipantStatus.ALTERNATE.value for m in members):
            raise Conflict(
                f"offer {offer_id}: the alternate is no longer an alternate; withdraw the offer"
            )
        reports = vacancies.still_fits(session, row, members, [names[o] for o in openings])
        if reports is None:
            raise Conflict(
                f"offer {offer_id}: the place is no longer free, or the plan no longer allows "
                "it (it changed since the offer was made); withdraw the offer"
            )
        version = offers.close(session, caller, offer, OfferStatus.ACCEPTED)
        rounds.bump(session, row)
        assert row.id is not None
        for member, opening_id, report in zip(members, openings, reports, strict=True):
            assert member.id is not None
            changed = session.execute(
                update(models.Participant)
                .where(
                    col(models.Participant.id) == member.id,
                    col(models.Participant.status) == fmt.ParticipantStatus.ALTERNATE.value,
                )
                .values(
                    status=fmt.ParticipantStatus.SHORTLISTED.value,
                    alternate_rank=None,
                    version=col(models.Participant.version) + 1,
                    updated_at=models.utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            if not updated_one(changed):
                session.rollback()
                raise Conflict(f"offer {offer_id}: the alternate changed meanwhile; read again")
            session.add(
                models.Placement(
                    round_id=row.id,
                    participant_id=member.id,
                    opening_id=opening_id,
                    pinned=True,
                    score=report.score,
                    breakdown=dict(report.breakdown),
                    source="offer",
                )
            )
        session.flush()
        status = rounds.settle_status(session, caller, row)
        offer_accepted(session, caller, row, offer, members, [names[o] for o in openings])
        session.refresh(offer)
        decision = OfferDecision(
            offer=offers.public_offers(session, [offer])[0],
            next_offer=None,
            round_status=RoundStatus(status),
        )
        return Written(decision, etag_of(version))

    return _idempotent(session, caller, idempotency, "offer.accept", offer_id, if_match, produce)


def offer_accepted(
    session: Session,
    caller: Caller,
    row: models.Round,
    offer: models.Offer,
    members: Sequence[models.Participant],
    openings: Sequence[str],
) -> None:
    """An offer was accepted and the plan amended: audited here (the offer and each new
    pinned placement), the place for anything else that must follow."""
    audit.record(
        session,
        caller,
        "offer.accept",
        "round",
        row.external_id,
        offer=offer.id,
        participants=[m.external_id for m in members],
        openings=list(openings),
    )
    for member, opening in zip(members, openings, strict=True):
        audit.record(
            session,
            caller,
            "plan.change",
            "round",
            row.external_id,
            participant=member.external_id,
            reason=f"offer {offer.id} accepted",
            before={"status": fmt.ParticipantStatus.ALTERNATE.value, "opening": None},
            after={
                "status": fmt.ParticipantStatus.SHORTLISTED.value,
                "opening": opening,
                "pinned": True,
            },
        )
    offers.record_offer_event(session, EventKind.OFFER_ACCEPTED, row, offer)


def decline_offer(
    *,
    session: Session,
    caller: Caller,
    offer_id: int,
    if_match: str | None,
    idempotency: IdempotencyKey | None = None,
) -> Written[OfferDecision]:
    """The alternate declines: never offered this opening again; the offer passes on to
    the next eligible alternate (coordinators record the answer)."""
    authorize(caller, Action.ROUNDS_WRITE)

    def produce() -> Written[OfferDecision]:
        offer, row = _answerable(session, offer_id, if_match)
        version = offers.close(session, caller, offer, OfferStatus.DECLINED)
        offer_declined(session, caller, row, offer)
        following = offers.pass_on(session, caller, row, offer)
        session.refresh(offer)
        decision = OfferDecision(
            offer=offers.public_offers(session, [offer])[0],
            next_offer=following,
            round_status=RoundStatus(row.status),
        )
        return Written(decision, etag_of(version))

    return _idempotent(session, caller, idempotency, "offer.decline", offer_id, if_match, produce)


def offer_declined(
    session: Session, caller: Caller, row: models.Round, offer: models.Offer
) -> None:
    """An offer was declined: audited here, the place for anything else that must follow."""
    audit.record(
        session,
        caller,
        "offer.decline",
        "round",
        row.external_id,
        offer=offer.id,
        before=OfferStatus.OPEN.value,
        after=OfferStatus.DECLINED.value,
    )
    offers.record_offer_event(session, EventKind.OFFER_DECLINED, row, offer)


def withdraw_offer(
    *,
    session: Session,
    caller: Caller,
    offer_id: int,
    if_match: str | None,
    idempotency: IdempotencyKey | None = None,
) -> Written[OfferDecision]:
    """A coordinator takes an open offer back (the place is free to offer again; the
    alternate may be offered it again)."""
    authorize(caller, Action.ROUNDS_WRITE)

    def produce() -> Written[OfferDecision]:
        offer, row = _answerable(session, offer_id, if_match, check_expiry=False)
        version = offers.close(session, caller, offer, OfferStatus.WITHDRAWN)
        audit.record(
            session,
            caller,
            "offer.withdraw",
            "round",
            row.external_id,
            offer=offer.id,
            before=OfferStatus.OPEN.value,
            after=OfferStatus.WITHDRAWN.value,
        )
        session.refresh(offer)
        decision = OfferDecision(
            offer=offers.public_offers(session, [offer])[0],
            next_offer=None,
            round_status=RoundStatus(row.status),
        )
        return Written(decision, etag_of(version))

    return _idempotent(session, caller, idempotency, "offer.withdraw", offer_id, if_match, produce)


def _participant(session: Session, participant_id: int) -> models.Participant:
    """A participant row by id (it exists: offers refer to it)."""
    person = session.get(models.Participant, participant_id)
    assert person is not None
    return person


def _answerable(
    session: Session, offer_id: int, if_match: str | None, *, check_expiry: bool = True
) -> tuple[models.Offer, models.Round]:
    """The offer, still open and at the version the caller read, and its round."""
    offer = offers.find(session, offer_id)
    check_if_match(if_match, offer.version)
    if offer.status != OfferStatus.OPEN.value:
        raise Conflict(f"offer {offer_id} is {offer.status}: it takes no answer any more")
    if check_expiry and offers.aware(offer.expires_at) <= models.utcnow():
        raise Conflict(
            f"offer {offer_id} expired at {offers.aware(offer.expires_at).isoformat()}: it is "
            "passed on to the next alternate"
        )
    row = session.get(models.Round, offer.round_id)
    assert row is not None
    rounds.ensure_open(row)
    return offer, row


def _idempotent(
    session: Session,
    caller: Caller,
    idempotency: IdempotencyKey | None,
    operation: str,
    offer_id: int,
    if_match: str | None,
    produce: Callable[[], Written[OfferDecision]],
) -> Written[OfferDecision]:
    """Run an answer once per Idempotency-Key (the key's request: the offer and If-Match)."""
    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation=operation,
        payload=f"{offer_id}|{if_match}".encode(),
        answer_model=OfferDecision,
        produce=produce,
    )
