"""The worker tends offers: overdue ones expire and pass on, even after downtime; the
rounds whose policy says so get their offers made."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.offers import OfferCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.season import offers
from jet_match.worker import InlineSolver, Worker
from offers_support import ROUND, published, withdraw


def test_the_worker_catches_up_on_every_overdue_offer(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    withdraw(engine, "S1")
    withdraw(engine, "S2")
    with Session(engine, expire_on_commit=False) as session:
        for opening in ("V1", "V2"):
            offers.make_offer(
                session=session,
                caller=COMMAND_LINE,
                round_id=ROUND,
                offer_in=OfferCreate(opening=opening),
            )
        # Both expired while the worker was down.
        session.execute(
            update(models.Offer).values(expires_at=models.utcnow() - timedelta(hours=1))
        )
        session.commit()
    worker = Worker(engine, settings, InlineSolver(engine))
    expired, made = worker.tend_offers()
    assert expired == [1, 2]
    assert made == []
    with Session(engine) as session:
        live = session.exec(select(models.Offer).where(models.Offer.status == "open")).all()
    assert sorted(o.follows_id or 0 for o in live) == [1, 2]


def test_the_worker_makes_offers_when_the_policy_says_so(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings, offers={"automatic": True})
    withdraw(engine, "S2")
    worker = Worker(engine, settings, InlineSolver(engine))
    assert worker.tend_offers() == ([], [1])
    assert worker.tend_offers() == ([], [])
