"""Offers of vacancies to alternates: who is offered, answers, passing on, expiry, races."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import Conflict, PreconditionFailed, PreconditionRequired
from jet_match.schemas.offers import OfferCreate, OfferDecision, OfferPublic
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.writes import Written
from jet_match.services.season import offer_answers, offer_expiry, offers
from jet_match.statuses import OfferStatus, RoundStatus
from offers_support import ROUND, published, withdraw
from round_support import current_plan


def _offer(engine: Engine, opening: str, **fields: object) -> OfferPublic:
    with Session(engine, expire_on_commit=False) as session:
        return offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate.model_validate({"opening": opening, **fields}),
        ).resource


def _answer(
    engine: Engine, verb: str, offer_id: int | None, if_match: str | None = "*"
) -> Written[OfferDecision]:
    assert offer_id is not None
    answer = {
        "accept": offer_answers.accept_offer,
        "decline": offer_answers.decline_offer,
        "withdraw": offer_answers.withdraw_offer,
    }[verb]
    with Session(engine, expire_on_commit=False) as session:
        return answer(session=session, caller=COMMAND_LINE, offer_id=offer_id, if_match=if_match)


def _status(engine: Engine, offer_id: int | None) -> str:
    with Session(engine) as session:
        offer = session.get(models.Offer, offer_id)
        assert offer is not None
        return offer.status


def test_the_best_ranked_eligible_alternate_is_offered(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    # A1 ranks first but has no Japanese; V2 asks for N3.
    assert (offer.participant, offer.opening, offer.alternate_rank) == ("A2", "V2", 2)
    assert offer.status is OfferStatus.OPEN
    assert offer.organization == "O2"
    assert timedelta(days=6, hours=23) < offer.expires_at - offer.created_at <= timedelta(days=7)


def test_a_dry_run_names_the_alternate_and_writes_nothing(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    with Session(engine, expire_on_commit=False) as session:
        preview = offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate(opening="V2"),
            dry_run=True,
        )
    assert preview.status_code == 200
    assert preview.resource.id is None
    assert preview.resource.participant == "A2"
    with Session(engine) as session:
        assert session.exec(select(models.Offer)).all() == []


def test_declining_passes_the_offer_on_and_never_returns(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    first = _offer(engine, "V2")
    declined = _answer(engine, "decline", first.id)
    second = declined.resource.next_offer
    assert second is not None
    assert (second.participant, second.follows, second.automatic) == ("A3", first.id, True)
    assert _status(engine, first.id) == "declined"
    _answer(engine, "decline", second.id)
    third_id = None
    with Session(engine) as session:
        third = session.exec(select(models.Offer).where(models.Offer.status == "open")).one()
        third_id = third.id
    # A4 next; A2 and A3 declined V2 and are never offered it again.
    withdrawn = _answer(engine, "withdraw", third_id)
    assert withdrawn.resource.offer.status is OfferStatus.WITHDRAWN
    again = _offer(engine, "V2")
    assert again.participant == "A4"


def test_accepting_pins_the_alternate_and_amends_the_round(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    decision = _answer(engine, "accept", offer.id).resource
    assert decision.offer.status is OfferStatus.ACCEPTED
    assert decision.round_status is RoundStatus.AMENDED
    assert current_plan(engine, ROUND)["A2"] == "V2"
    with Session(engine) as session:
        person = session.exec(
            select(models.Participant).where(models.Participant.external_id == "A2")
        ).one()
        placement = session.exec(
            select(models.Placement).where(models.Placement.participant_id == person.id)
        ).one()
        actions = session.exec(select(models.AuditEvent.action)).all()
    assert (person.status, person.alternate_rank) == ("shortlisted", None)
    assert placement.pinned
    assert placement.source == "offer"
    assert {"offer.make", "offer.accept", "plan.change"} <= set(actions)


def test_one_live_offer_per_alternate_and_no_more_offers_than_places(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S1")  # V1: A1 is eligible
    withdraw(engine, "S3")  # one place at W
    at_v1 = _offer(engine, "V1")
    at_w = _offer(engine, "W")
    assert at_v1.participant == "A1"
    assert at_w.participant == "A2"  # A1 holds a live offer already
    with pytest.raises(Conflict, match="no vacant place"):
        _offer(engine, "W")


def test_two_accepts_one_wins(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    _answer(engine, "accept", offer.id, if_match='"1"')
    with pytest.raises((PreconditionFailed, Conflict)):
        _answer(engine, "accept", offer.id, if_match='"1"')
    with pytest.raises(PreconditionRequired):
        _answer(engine, "decline", offer.id, if_match=None)
    assert current_plan(engine, ROUND)["A2"] == "V2"


def test_a_stale_if_match_loses_the_race(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    _answer(engine, "decline", offer.id, if_match='"1"')
    with pytest.raises(PreconditionFailed):
        _answer(engine, "accept", offer.id, if_match='"1"')
    assert "A2" not in current_plan(engine, ROUND)


def test_the_worker_expires_overdue_offers_and_passes_them_on(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    with Session(engine) as session:
        # The worker was down for ten days: the offer is long overdue.
        session.execute(
            update(models.Offer)
            .where(col(models.Offer.id) == offer.id)
            .values(expires_at=models.utcnow() - timedelta(days=3))
        )
        session.commit()
    with pytest.raises(Conflict, match="expired"):
        _answer(engine, "accept", offer.id)
    with Session(engine) as session:
        assert offer_expiry.expire_due(session=session) == [offer.id]
        assert offer_expiry.expire_due(session=session) == []
        following = session.exec(select(models.Offer).where(models.Offer.status == "open")).one()
        expired = session.get(models.Offer, offer.id)
    assert expired is not None
    assert expired.status == "expired"
    assert expired.decided_by == "worker"
    assert following.follows_id == offer.id


def test_the_policy_makes_offers_automatically(engine: Engine, settings: Settings) -> None:
    published(engine, settings, offers={"automatic": True, "expiry_days": 3})
    withdraw(engine, "S2")
    with Session(engine) as session:
        made = offer_expiry.make_automatic_offers(session=session)
        assert len(made) == 1
        assert offer_expiry.make_automatic_offers(session=session) == []
        offer = session.get(models.Offer, made[0])
        assert offer is not None
        assert offer.automatic
        assert offer.made_by == "worker"


def test_a_couple_of_alternates_is_offered_two_places_or_none(
    engine: Engine, settings: Settings
) -> None:
    from offers_support import alternate

    couple = [
        alternate("C1", 5, "US", partner={"external_id": "C2", "constraint": "same_prefecture"}),
        alternate("C2", 6, "US", partner={"external_id": "C1", "constraint": "same_prefecture"}),
    ]
    published(engine, settings, extra=couple)
    for single in ("A1", "A2", "A3", "A4"):
        withdraw(engine, single)
    withdraw(engine, "S3")
    # One place in Osaka: the couple cannot both go, and is never split.
    with pytest.raises(Conflict, match="no alternate left is eligible"):
        _offer(engine, "W")
    withdraw(engine, "S4")
    together = _offer(engine, "W")
    assert (together.participant, together.partner, together.partner_opening) == (
        "C1",
        "C2",
        "W",
    )
    _answer(engine, "accept", together.id)
    plan = current_plan(engine, ROUND)
    assert plan["C1"] == plan["C2"] == "W"


def test_an_alternate_who_withdraws_loses_their_open_offer(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings)
    withdraw(engine, "S2")
    offer = _offer(engine, "V2")
    withdraw(engine, "A2")
    assert _status(engine, offer.id) == "withdrawn"
    assert _offer(engine, "V2").participant == "A3"
