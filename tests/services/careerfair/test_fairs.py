"""Fairs and employers through their services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.errors import AlreadyExists, Forbidden, InvalidInput, PreconditionFailed
from jet_match.schemas.careerfair import EmployerCreate, FairCreate, FairUpdate
from jet_match.services.careerfair import fairs
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.statuses import Role
from statement_count import statements_sent

FAIR = FairCreate(external_id="FAIR-1", name="Osaka", held_on=date(2027, 3, 1), capacity=100)


def test_a_fair_is_created_changed_with_if_match_and_lists_its_employers(engine: Engine) -> None:
    with Session(engine) as session:
        created = fairs.create_fair(session=session, caller=COMMAND_LINE, fair_in=FAIR)
    assert created.status_code == 201
    with Session(engine) as session, pytest.raises(AlreadyExists):
        fairs.create_fair(session=session, caller=COMMAND_LINE, fair_in=FAIR)
    with Session(engine) as session:
        changed = fairs.update_fair(
            session=session,
            caller=COMMAND_LINE,
            external_id="FAIR-1",
            changes=FairUpdate(online=True, venue=None),
            if_match=created.etag,
        )
    assert changed.resource.online is True
    with Session(engine) as session, pytest.raises(PreconditionFailed):
        fairs.update_fair(
            session=session,
            caller=COMMAND_LINE,
            external_id="FAIR-1",
            changes=FairUpdate(capacity=5),
            if_match=created.etag,
        )
    with Session(engine) as session, pytest.raises(InvalidInput):
        fairs.update_fair(
            session=session,
            caller=COMMAND_LINE,
            external_id="FAIR-1",
            changes=FairUpdate.model_validate({"capacity": None}),
            if_match="*",
        )
    with Session(engine) as session:
        fairs.add_employer(
            session=session,
            caller=COMMAND_LINE,
            fair_id="FAIR-1",
            employer_in=EmployerCreate(external_id="EMP-1", company="ACME", sector="trade"),
        )
        listed = fairs.list_employers(
            session=session, caller=Caller(role=Role.CAREER_FAIR), fair_id="FAIR-1", page=_page()
        )
        fair = fairs.get_fair(
            session=session, caller=Caller(role=Role.CAREER_FAIR), external_id="FAIR-1"
        )
        actions = list(session.scalars(select(models.AuditEvent.action)))
    assert [e.company for e in listed.items] == ["ACME"]
    assert fair.resource.employers == 1
    assert sorted(actions) == ["fair.create", "fair.employer.add", "fair.update"]


def test_career_fair_tools_and_hosts_do_not_write_fairs(engine: Engine) -> None:
    for role in (Role.CAREER_FAIR, Role.HOST_ORG):
        with Session(engine) as session, pytest.raises(Forbidden):
            fairs.create_fair(session=session, caller=Caller(role=role), fair_in=FAIR)


def _page() -> PageRequest:

    return PageRequest(cursor=None, limit=10)


def _fairs_listing_statements(engine: Engine, first: int, count: int) -> int:
    with Session(engine) as session:
        for index in range(first, first + count):
            external_id = f"FAIR-N{index}"
            fairs.create_fair(
                session=session,
                caller=COMMAND_LINE,
                fair_in=FAIR.model_copy(update={"external_id": external_id}),
            )
            fairs.add_employer(
                session=session,
                caller=COMMAND_LINE,
                fair_id=external_id,
                employer_in=EmployerCreate(external_id="EMP-1", company="ACME", sector="trade"),
            )
    with Session(engine) as session, statements_sent(engine) as sent:
        listed = fairs.list_fairs(
            session=session, caller=COMMAND_LINE, page=PageRequest(cursor=None, limit=50)
        )
    assert [fair.employers for fair in listed.items] == [1] * len(listed.items)
    return len(sent)


def test_a_page_of_fairs_costs_the_same_queries_whatever_its_length(engine: Engine) -> None:
    two = _fairs_listing_statements(engine, 0, 2)
    eight = _fairs_listing_statements(engine, 2, 6)  # 2 + 6 fairs listed
    assert eight == two
