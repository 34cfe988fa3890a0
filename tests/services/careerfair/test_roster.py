"""Consent, registrations and the roster through their services: nobody appears without
consent, a withdrawal is gone from the next roster and reported removed by the sync."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.errors import Forbidden, InvalidInput
from jet_match.schemas.careerfair import (
    ROSTER_FIELDS,
    ConsentGiven,
    FairCreate,
    RegistrationCreate,
)
from jet_match.services.careerfair import fairs, roster
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.statuses import Role
from season_support import add_contracts, contract

pytestmark = pytest.mark.usefixtures("loaded")
FAIR = "FAIR-2026"
CAREER_FAIR = Caller(role=Role.CAREER_FAIR)


@pytest.fixture
def ledger(engine: Engine, loaded: object) -> None:
    """A fair in 2026; three leaving ALTs (one who never consents) and one reappointing."""
    add_contracts(
        engine,
        contract("C-1", "ORG-A", "OPN-A1", intention="leaving", field_of_study="Linguistics"),
        contract("C-2", "ORG-B", "OPN-B1", intention="leaving", family_name="Brown"),
        contract("C-3", "ORG-A", "OPN-A1", intention="leaving", family_name="Silent"),
        contract("C-4", "ORG-A", "OPN-A1", intention="reappointing"),
    )
    with Session(engine) as session:
        fairs.create_fair(
            session=session,
            caller=COMMAND_LINE,
            fair_in=FairCreate(external_id=FAIR, name="Fair", held_on=date(2026, 2, 1), capacity=9),
        )


def _consent(engine: Engine, contract_id: str, **fields: object) -> None:
    with Session(engine) as session:
        roster.give_consent(
            session=session,
            caller=COMMAND_LINE,
            contract_id=contract_id,
            consent=ConsentGiven.model_validate({"given_on": "2026-01-10", **fields}),
        )


def _register(engine: Engine, contract_id: str) -> None:
    with Session(engine) as session:
        roster.register(
            session=session,
            caller=COMMAND_LINE,
            fair_id=FAIR,
            registration=RegistrationCreate(contract=contract_id),
        )


def _names(engine: Engine) -> list[str]:
    with Session(engine) as session:
        found = roster.roster(session=session, caller=CAREER_FAIR, fair_id=FAIR)
    return [item.name for item in found.items]


@pytest.mark.usefixtures("ledger")
def test_the_roster_shows_consenting_registered_leavers_and_only_the_listed_fields(
    engine: Engine,
) -> None:
    _consent(engine, "C-1", available_month="2026-09")
    _consent(engine, "C-2")
    _register(engine, "C-1")
    _register(engine, "C-2")
    with Session(engine) as session:
        found = roster.roster(session=session, caller=CAREER_FAIR, fair_id=FAIR)
    assert [item.name for item in found.items] == ["Ada Brown", "Ada Okafor"]
    okafor = found.items[1].model_dump(mode="json")
    assert tuple(okafor) == ROSTER_FIELDS
    assert okafor == {
        "name": "Ada Okafor",
        "position": "ALT",
        "prefecture_served": 1,
        "years_in_programme": 2,
        "japanese_level": "none",
        "field_of_study": "Linguistics",
        "month_available": "2026-09",
    }
    assert found.items[0].month_available == "2026-08"  # the month after the contract ends
    with Session(engine) as session:
        actions = list(session.scalars(select(models.AuditEvent.action)))
    assert {"consent.give", "fair.register", "fair.roster"} <= set(actions)


@pytest.mark.usefixtures("ledger")
def test_nobody_is_registered_without_consent_or_without_leaving(engine: Engine) -> None:
    for contract_id in ("C-3", "C-4"):
        with pytest.raises(InvalidInput) as info:
            _register(engine, contract_id)
        assert info.value.problems[0].field == "contract"
    with pytest.raises(InvalidInput):
        _consent(engine, "C-4")  # reappointing: no fair
    _consent(engine, "C-3", scope="named_fairs", fairs=["FAIR-OTHER"])
    with pytest.raises(InvalidInput):
        _register(engine, "C-3")  # consented to another fair only
    assert _names(engine) == []


@pytest.mark.usefixtures("ledger")
def test_a_withdrawal_is_gone_from_the_next_roster_and_the_sync_reports_it_removed(
    engine: Engine,
) -> None:
    _consent(engine, "C-1")
    _consent(engine, "C-2")
    _register(engine, "C-1")
    _register(engine, "C-2")
    with Session(engine) as session:
        first = roster.roster_changes(
            session=session, caller=CAREER_FAIR, fair_id=FAIR, updated_since=None
        )
    assert sorted(item.name for item in first.added) == ["Ada Brown", "Ada Okafor"]
    assert set(first.added[0].model_dump()) == {*ROSTER_FIELDS, "entry"}
    brown = next(item.entry for item in first.added if item.name == "Ada Brown")
    with Session(engine) as session:
        roster.withdraw_consent(session=session, caller=COMMAND_LINE, contract_id="C-2")
    assert _names(engine) == ["Ada Okafor"]
    with Session(engine) as session:
        later = roster.roster_changes(
            session=session,
            caller=CAREER_FAIR,
            fair_id=FAIR,
            updated_since=first.as_of - timedelta(milliseconds=1),
        )
    assert later.removed == [brown]
    assert later.added == later.changed == []
    with Session(engine) as session:
        quiet = roster.roster_changes(
            session=session, caller=CAREER_FAIR, fair_id=FAIR, updated_since=later.as_of
        )
    assert quiet.added == quiet.changed == []
    assert quiet.removed == []
    _consent(engine, "C-2")  # consenting again brings the person back
    assert _names(engine) == ["Ada Brown", "Ada Okafor"]


@pytest.mark.usefixtures("ledger")
def test_career_fair_tools_read_rosters_but_record_nothing(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Forbidden):
        roster.give_consent(
            session=session,
            caller=CAREER_FAIR,
            contract_id="C-1",
            consent=ConsentGiven(given_on=date(2026, 1, 1)),
        )
    with Session(engine) as session, pytest.raises(Forbidden):
        roster.roster(session=session, caller=Caller(role=Role.HOST_ORG), fair_id=FAIR)


@pytest.mark.usefixtures("ledger")
def test_a_cancelled_registration_leaves_the_roster_and_the_sync_reports_it(
    engine: Engine,
) -> None:
    _consent(engine, "C-1")
    _register(engine, "C-1")
    with Session(engine) as session:
        first = roster.roster_changes(
            session=session, caller=CAREER_FAIR, fair_id=FAIR, updated_since=None
        )
        roster.cancel_registration(
            session=session, caller=COMMAND_LINE, fair_id=FAIR, contract_id="C-1"
        )
    assert _names(engine) == []
    with Session(engine) as session:
        later = roster.roster_changes(
            session=session, caller=CAREER_FAIR, fair_id=FAIR, updated_since=first.as_of
        )
    assert later.removed == [first.added[0].entry]
    _register(engine, "C-1")
    assert _names(engine) == ["Ada Okafor"]
