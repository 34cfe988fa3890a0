"""The working plan through its services, without HTTP: reading, moving, forbidding."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.errors import NotFound
from jet_match.schemas.plans import ForbiddenCreate, PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import plans
from round_support import ROUND, SMALL_PLAN, current_plan, move, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def test_the_plan_lists_every_placement_with_its_score(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        written = plans.get_plan(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            filters=plans.PlanFilter(),
            page=PageRequest(cursor=None, limit=50),
        )
    items = written.resource.items
    assert {item.participant: item.opening for item in items} == SMALL_PLAN
    assert all(item.source == "run" and not item.pinned for item in items)
    assert written.etag is not None


def test_a_pinned_move_is_kept_in_the_plan(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    move(engine, "P-1", PlanChange(opening=None, pinned=False))
    assert "P-1" not in current_plan(engine)
    move(engine, "P-4", PlanChange(opening="OPN-B1", pinned=True))
    with Session(engine, expire_on_commit=False) as session:
        written = plans.get_plan(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            filters=plans.PlanFilter(pinned=True),
            page=PageRequest(cursor=None, limit=50),
        )
    assert [(i.participant, i.opening) for i in written.resource.items] == [("P-4", "OPN-B1")]


def test_forbidding_a_pair_takes_the_participant_out_of_it(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        forbidden = plans.forbid_pair(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            pair=ForbiddenCreate(participant="P-1", opening="OPN-B1"),
            if_match="*",
        ).resource
    assert (forbidden.participant, forbidden.opening, forbidden.unassigned) == (
        "P-1",
        "OPN-B1",
        True,
    )
    assert "P-1" not in current_plan(engine)
    with Session(engine, expire_on_commit=False) as session:
        listed = plans.list_forbidden(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            participant=None,
            opening=None,
            page=PageRequest(cursor=None, limit=50),
        ).resource.items
    assert [(f.participant, f.opening) for f in listed] == [("P-1", "OPN-B1")]


def test_an_unknown_round_is_not_found(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session, pytest.raises(NotFound):
        plans.get_plan(
            session=session,
            caller=COMMAND_LINE,
            round_id="R-NONE",
            filters=plans.PlanFilter(),
            page=PageRequest(cursor=None, limit=50),
        )
