"""Arrival groups: the first group that takes the participant; upgrades after the cut-off
and placements no group takes go to the last group; the report counts each group."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.offers import OfferCreate
from jet_match.schemas.rounds import ArrivalGroup
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import arrival_groups, rounds
from jet_match.services.season import offer_answers, offers
from offers_support import ROUND, publish, published, withdraw

GROUPS = [
    {"name": "A", "date": "2027-07-28", "countries": ["US", "CA"]},
    {"name": "B", "date": "2027-08-04", "countries": ["GB", "IE"], "positions": ["ALT"]},
    {"name": "C", "date": "2027-08-11"},
]


def _groups(engine: Engine) -> dict[str, str | None]:
    with Session(engine) as session:
        row = rounds.find(session, ROUND)
        return {a.participant: a.group for a in arrival_groups.arrivals(session, row)}


def test_a_placement_goes_to_the_first_group_that_takes_it() -> None:
    groups = [ArrivalGroup.model_validate(g) for g in GROUPS]
    found = arrival_groups.group_of(
        groups, None, citizenship="IE", position="ALT", upgrade_published_on=None
    )
    assert found is not None
    assert found.name == "B"
    nobody_takes = arrival_groups.group_of(
        groups[:2], None, citizenship="AU", position="ALT", upgrade_published_on=None
    )
    assert nobody_takes is not None
    assert nobody_takes.name == "B"  # the last group
    assert (
        arrival_groups.group_of(
            [], None, citizenship="US", position="ALT", upgrade_published_on=None
        )
        is None
    )


def test_an_upgrade_after_the_cut_off_goes_to_the_last_group() -> None:
    groups = [ArrivalGroup.model_validate(g) for g in GROUPS]
    cutoff = dt.date(2027, 6, 30)
    before = arrival_groups.group_of(
        groups, cutoff, citizenship="US", position="ALT", upgrade_published_on=dt.date(2027, 6, 30)
    )
    after = arrival_groups.group_of(
        groups, cutoff, citizenship="US", position="ALT", upgrade_published_on=dt.date(2027, 7, 1)
    )
    assert before is not None
    assert after is not None
    assert (before.name, after.name) == ("A", "C")


def test_every_published_placement_gets_its_group_and_the_report_counts_them(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings, arrival_groups=GROUPS, arrival_cutoff="2020-01-01")
    assert _groups(engine) == {"S1": "A", "S2": "B", "S3": "A", "S4": "B"}
    withdraw(engine, "S2")
    with Session(engine, expire_on_commit=False) as session:
        offer = offers.make_offer(
            session=session, caller=COMMAND_LINE, round_id=ROUND, offer_in=OfferCreate(opening="V2")
        ).resource
        assert offer.id is not None
        offer_answers.accept_offer(
            session=session, caller=COMMAND_LINE, offer_id=offer.id, if_match="*"
        )
    publish(engine)
    # A2 (Canada) would travel with A, but was upgraded after the cut-off.
    assert _groups(engine) == {"A2": "C", "S1": "A", "S3": "A", "S4": "B"}
    with Session(engine) as session:
        counts = arrival_groups.counts(session, rounds.find(session, ROUND))
    assert [(c.name, c.placed) for c in counts] == [("A", 2), ("B", 1), ("C", 1)]


def test_the_first_publication_is_never_an_upgrade(engine: Engine, settings: Settings) -> None:
    published(engine, settings, arrival_groups=GROUPS, arrival_cutoff="2020-01-01")
    with Session(engine) as session:
        # Publication dates do not matter for people of version 1.
        session.execute(
            update(models.Publication)
            .where(col(models.Publication.version) == 1)
            .values(published_at=models.utcnow() + dt.timedelta(days=400))
        )
        session.commit()
    assert _groups(engine)["S1"] == "A"
