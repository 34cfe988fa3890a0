"""Filling vacancies through the service, without HTTP: an alternate takes a freed place."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import vacancies, withdrawals
from jet_match.statuses import RoundStatus
from round_support import ROUND, current_plan, published_round

pytestmark = pytest.mark.usefixtures("loaded")


def test_an_alternate_fills_the_place_a_withdrawal_freed(
    engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
    assert "P-1" not in current_plan(engine)
    with Session(engine, expire_on_commit=False) as session:
        amendment = vacancies.fill_vacancies(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match="*"
        ).resource
    assert amendment.status is RoundStatus.AMENDED
    assert [(c.participant, c.opening, c.replaces) for c in amendment.changes] == [
        ("P-4", "OPN-B1", "P-1")
    ]
    assert amendment.unfilled == []
    assert current_plan(engine)["P-4"] == "OPN-B1"


def test_nothing_to_fill_changes_nothing(engine: Engine, settings: Settings) -> None:
    published_round(engine, settings)
    before = current_plan(engine)
    with Session(engine, expire_on_commit=False) as session:
        amendment = vacancies.fill_vacancies(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match="*"
        ).resource
    assert amendment.changes == []
    assert amendment.unfilled == []
    assert current_plan(engine) == before
