"""Offers write their `offer.*` events into the outbox, in the transaction of the change,
to the organization of the offered opening (docs/notifications.md)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.offers import OfferCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.season import offer_answers, offer_expiry, offers
from offers_support import ROUND, published, withdraw


def _offer_events(engine: Engine) -> list[tuple[str, str | None, dict[str, object]]]:
    """(kind, organization external id, payload) of every offer event, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(models.NotificationEvent, models.Organization.external_id)
            .join(
                models.Organization,
                col(models.Organization.id) == col(models.NotificationEvent.organization_id),
                isouter=True,
            )
            .where(col(models.NotificationEvent.kind).startswith("offer."))
            .order_by(col(models.NotificationEvent.id))
        ).all()
        return [(event.kind, organization, dict(event.payload)) for event, organization in rows]


def _make(engine: Engine, opening: str) -> int:
    with Session(engine, expire_on_commit=False) as session:
        offer = offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate(opening=opening),
        ).resource
    assert offer.id is not None
    return offer.id


def test_made_declined_passed_on_and_accepted_offers_are_events_for_the_host(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    first = _make(engine, "V2")
    with Session(engine) as session:
        declined = offer_answers.decline_offer(
            session=session, caller=COMMAND_LINE, offer_id=first, if_match="*"
        ).resource
    assert declined.next_offer is not None
    assert declined.next_offer.id is not None
    with Session(engine) as session:
        offer_answers.accept_offer(
            session=session, caller=COMMAND_LINE, offer_id=declined.next_offer.id, if_match="*"
        )
    events = _offer_events(engine)
    assert [(kind, org, p["participant"], p["status"]) for kind, org, p in events] == [
        ("offer.made", "O2", "A2", "open"),
        ("offer.declined", "O2", "A2", "declined"),
        ("offer.made", "O2", "A3", "open"),
        ("offer.accepted", "O2", "A3", "accepted"),
    ]
    for _kind, _org, payload in events:
        assert payload["round"] == ROUND
        assert payload["opening"] == "V2"
    assert {p["offer"] for _k, _o, p in events[:2]} == {first}


def test_an_expired_offer_is_an_event_and_a_dry_run_writes_none(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    with Session(engine) as session:
        offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate(opening="V2"),
            dry_run=True,
        )
    assert _offer_events(engine) == []
    offer_id = _make(engine, "V2")
    with Session(engine) as session:
        session.execute(
            update(models.Offer)
            .where(col(models.Offer.id) == offer_id)
            .values(expires_at=models.utcnow() - timedelta(days=1))
        )
        session.commit()
    with Session(engine) as session:
        assert offer_expiry.expire_due(session=session) == [offer_id]
    kinds = [(kind, payload["offer"] == offer_id) for kind, _org, payload in _offer_events(engine)]
    assert kinds[:2] == [("offer.made", True), ("offer.expired", True)]
    # ... and the place passed on to the next alternate, offered anew.
    assert kinds[2:] == [("offer.made", False)]
