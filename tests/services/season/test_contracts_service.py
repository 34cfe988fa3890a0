"""Contracts in post through the service, without HTTP: the ledger coordinators keep, the
intentions hosts set (their own, before the deadline), and who reads what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import (
    AlreadyExists,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
)
from jet_match.schemas.contracts import ContractUpdate
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.season import contracts
from season_support import add_contracts, contract, host, set_deadline

pytestmark = pytest.mark.usefixtures("loaded")


def _list(engine: Engine, caller: Caller, **filters: object) -> list[str]:
    with Session(engine) as session:
        page = contracts.list_contracts(
            session=session,
            caller=caller,
            filters=contracts.ContractFilter(**filters),  # type: ignore[arg-type]
            page=PageRequest(),
        )
    return [item.external_id for item in page.items]


def _get(engine: Engine, caller: Caller, external_id: str) -> fmt.Contract:
    with Session(engine) as session:
        return contracts.get_contract(
            session=session, caller=caller, external_id=external_id
        ).resource


def _patch(engine: Engine, caller: Caller, external_id: str, **changes: object) -> fmt.Contract:
    with Session(engine) as session:
        return contracts.update_contract(
            session=session,
            caller=caller,
            external_id=external_id,
            changes=ContractUpdate.model_validate(changes),
            if_match="*",
        ).resource


def _actions(engine: Engine, resource_id: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(models.AuditEvent.action)
                .where(models.AuditEvent.resource_id == resource_id)
                .order_by(col(models.AuditEvent.id))
            )
        )


class TestLedger:
    def test_a_created_contract_reads_back_as_sent(self, engine: Engine) -> None:
        add_contracts(engine, contract("C-1", "ORG-A", "OPN-A1", field_of_study="History"))
        read = _get(engine, COMMAND_LINE, "C-1")
        assert read.model_dump(mode="json") == fmt.Contract.model_validate(
            contract("C-1", "ORG-A", "OPN-A1", field_of_study="History")
        ).model_dump(mode="json")
        assert _actions(engine, "C-1") == ["contract.create", "contract.read"]

    def test_a_contract_created_with_an_intention_is_stamped_today(self, engine: Engine) -> None:
        before = contracts.today()
        add_contracts(engine, contract("C-1", "ORG-A", "OPN-A1", intention="leaving"))
        # The day it ran (a test that straddles midnight UTC sees either).
        assert _get(engine, COMMAND_LINE, "C-1").intention_set_on in {before, contracts.today()}

    def test_an_external_id_is_taken_once(self, engine: Engine) -> None:
        add_contracts(engine, contract("C-1", "ORG-A", "OPN-A1"))
        with pytest.raises(AlreadyExists):
            add_contracts(engine, contract("C-1", "ORG-A", "OPN-A1"))

    def test_a_contract_on_another_organizations_opening_is_refused_by_field(
        self, engine: Engine
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            add_contracts(engine, contract("C-1", "ORG-B", "OPN-A1"))
        [problem] = refused.value.problems
        assert (problem.record, problem.external_id, problem.field, problem.code) == (
            "contract",
            "C-1",
            "opening",
            "opening_of_another_organization",
        )

    def test_an_unknown_opening_is_refused_by_field(self, engine: Engine) -> None:
        with pytest.raises(InvalidInput) as refused:
            add_contracts(engine, contract("C-1", "ORG-A", "OPN-NONE"))
        assert [p.field for p in refused.value.problems] == ["opening"]

    def test_the_list_filters_by_year_intention_and_organization(self, engine: Engine) -> None:
        add_contracts(engine)
        add_contracts(engine, contract("C-A9", "ORG-A", "OPN-A1", ends_on="2027-07-31"))
        assert _list(engine, COMMAND_LINE) == ["C-A1", "C-A2", "C-A3", "C-A9", "C-B1"]
        assert _list(engine, COMMAND_LINE, reappointment_year=2027) == ["C-A9"]
        assert _list(engine, COMMAND_LINE, intention=fmt.Intention.LEAVING) == ["C-B1"]
        assert _list(engine, COMMAND_LINE, organization="ORG-B") == ["C-B1"]
        assert _list(engine, COMMAND_LINE, opening="OPN-A2") == ["C-A3"]
        assert _list(engine, COMMAND_LINE, prefecture=13) == ["C-B1"]

    def test_a_coordinator_changes_any_field_audited_by_name(self, engine: Engine) -> None:
        add_contracts(engine)
        changed = _patch(engine, COMMAND_LINE, "C-A1", year_in_programme=3, opening="OPN-A1")
        assert changed.year_in_programme == 3
        assert _actions(engine, "C-A1")[-1] == "contract.update"

    def test_a_stale_version_is_refused(self, engine: Engine) -> None:
        add_contracts(engine)
        with Session(engine) as session, pytest.raises(PreconditionFailed):
            contracts.update_contract(
                session=session,
                caller=COMMAND_LINE,
                external_id="C-A1",
                changes=ContractUpdate(intention=fmt.Intention.LEAVING),
                if_match='"7"',
            )


class TestHosts:
    def test_a_host_reads_its_own_contracts_only(self, engine: Engine) -> None:
        add_contracts(engine)
        assert _list(engine, host(engine, "ORG-A")) == ["C-A1", "C-A2", "C-A3"]
        assert _list(engine, host(engine, "ORG-B")) == ["C-B1"]
        with pytest.raises(NotFound):
            _get(engine, host(engine, "ORG-B"), "C-A1")

    def test_a_host_sets_an_intention_stamped_today_and_audited(self, engine: Engine) -> None:
        add_contracts(engine)
        before = contracts.today()
        changed = _patch(engine, host(engine, "ORG-A"), "C-A1", intention="reappointing")
        assert changed.intention is fmt.Intention.REAPPOINTING
        assert changed.intention_set_on in {before, contracts.today()}
        assert _actions(engine, "C-A1")[-1] == "contract.intention"

    def test_setting_the_same_intention_again_changes_nothing(self, engine: Engine) -> None:
        add_contracts(engine)
        _patch(engine, host(engine, "ORG-A"), "C-A2", intention="reappointing")
        assert _actions(engine, "C-A2") == ["contract.create"]

    def test_a_host_changes_nothing_but_the_intention(self, engine: Engine) -> None:
        add_contracts(engine)
        with pytest.raises(Forbidden, match="year_in_programme"):
            _patch(engine, host(engine, "ORG-A"), "C-A1", year_in_programme=3)

    def test_another_organizations_contract_is_not_found(self, engine: Engine) -> None:
        add_contracts(engine)
        with pytest.raises(NotFound):
            _patch(engine, host(engine, "ORG-B"), "C-A1", intention="leaving")
        assert _get(engine, COMMAND_LINE, "C-A1").intention is fmt.Intention.UNDECIDED

    def test_after_the_deadline_only_coordinators_set_intentions(self, engine: Engine) -> None:
        add_contracts(engine)
        set_deadline(engine, 2026, models.utcnow() - timedelta(minutes=1))
        with pytest.raises(Forbidden, match="deadline"):
            _patch(engine, host(engine, "ORG-A"), "C-A1", intention="leaving")
        changed = _patch(engine, COMMAND_LINE, "C-A1", intention="leaving")
        assert changed.intention is fmt.Intention.LEAVING
        assert _actions(engine, "C-A1")[-1] == "contract.intention"

    def test_before_the_deadline_hosts_set_intentions(self, engine: Engine) -> None:
        add_contracts(engine)
        set_deadline(engine, 2026, models.utcnow() + timedelta(days=1))
        assert _patch(engine, host(engine, "ORG-A"), "C-A1", intention="leaving").intention == (
            fmt.Intention.LEAVING
        )

    def test_another_years_deadline_does_not_apply(self, engine: Engine) -> None:
        add_contracts(engine)
        set_deadline(engine, 2027, models.utcnow() - timedelta(days=1))
        _patch(engine, host(engine, "ORG-A"), "C-A1", intention="leaving")
