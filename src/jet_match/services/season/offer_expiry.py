"""The worker's part of offers: expiries and automatic offers.

An open offer past `expires_at` is expired (as the worker) and its place passed on to the
next eligible alternate, exactly as a decline would. Expiry goes by the clock, so a
worker that was down catches up on every overdue offer at once, oldest first, each in its
own transaction. A round whose policy says `offers.automatic` gets the first offer of
every free vacant place made here too. `offer_expired` is the one place an expiry is
recorded (the hook for anything else that must follow).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import PreconditionFailed
from jet_match.services.kit.access import WORKER
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import rounds
from jet_match.services.season import offers
from jet_match.services.security import audit
from jet_match.statuses import EventKind, OfferStatus, RoundStatus

Offer = models.Offer


def expire_due(*, session: Session, now: datetime | None = None) -> list[int]:
    """Expire every open offer past its time and pass each on (the worker, audited as
    `worker`); the ids expired. After downtime it catches up: every overdue offer, oldest
    first, each in its own transaction."""
    now = now or models.utcnow()
    due = session.scalars(
        select(Offer.id)
        .where(Offer.status == OfferStatus.OPEN.value, col(Offer.expires_at) <= now)
        .order_by(col(Offer.expires_at), col(Offer.id))
    ).all()
    expired = []
    for offer_id in due:
        offer = session.get(Offer, offer_id)
        assert offer is not None
        row = session.get(models.Round, offer.round_id)
        assert row is not None
        try:
            offers.close(session, WORKER, offer, OfferStatus.EXPIRED)
        except PreconditionFailed:  # answered meanwhile: nothing to expire
            continue
        offer_expired(session, row, offer)
        offers.pass_on(session, WORKER, row, offer)
        commit(session)
        expired.append(offer_id)
    return expired


def offer_expired(session: Session, row: models.Round, offer: models.Offer) -> None:
    """An offer expired unanswered: audited here (as the worker), the place for anything
    else that must follow."""
    audit.record(
        session,
        WORKER,
        "offer.expire",
        "round",
        row.external_id,
        offer=offer.id,
        before=OfferStatus.OPEN.value,
        after=OfferStatus.EXPIRED.value,
    )
    offers.record_offer_event(session, EventKind.OFFER_EXPIRED, row, offer)


def make_automatic_offers(*, session: Session) -> list[int]:
    """In every published round whose policy makes offers automatically, offer each free
    vacant place to the next eligible alternate (the worker); the ids of the new offers."""
    made: list[int] = []
    for row in session.scalars(
        select(models.Round)
        .where(
            col(models.Round.published_version) > 0,
            models.Round.status != RoundStatus.CLOSED.value,
        )
        .order_by(col(models.Round.id))
    ).all():
        policy = rounds.policy_of(row).offers
        if not policy.automatic:
            continue
        for opening, free in sorted(offers.free_places(session, row).items()):
            for _ in range(free):
                offers.lock(session, row)
                offer = offers.offer_next(
                    session, WORKER, row, opening, days=policy.expiry_days, automatic=True
                )
                if offer is None:
                    session.rollback()
                    break
                commit(session)
                assert offer.id is not None
                made.append(offer.id)
    return made
