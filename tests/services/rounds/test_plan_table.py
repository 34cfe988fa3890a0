"""The plan as people read it: names, choices, filters, sorting and paging in SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import InvalidInput
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import plan_table
from jet_match.services.rounds.plan_table import PlanQuery, PlanTable
from round_support import ROUND, SMALL_PLAN, move, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def _table(engine: Engine, **query: object) -> PlanTable:
    with Session(engine, expire_on_commit=False) as session:
        return plan_table.plan_table(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            query=PlanQuery(**query),  # type: ignore[arg-type]
        )


def test_every_participant_of_the_round_is_a_row_with_names(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    table = _table(engine)
    placed = {r.participant: r.opening for r in table.rows if r.opening}
    assert placed == SMALL_PLAN
    first = next(r for r in table.rows if r.participant == "P-1")
    assert (first.family_name, first.organization, first.prefecture) == ("Family1", "ORG-B", 13)
    assert first.choice == "second"  # P-1 wanted Hokkaido, then Tokyo
    alt_holder = next(r for r in table.rows if r.organization == "ORG-A")
    assert alt_holder.organization_name_ja == "北海道教育委員会"
    assert table.total == len(table.rows)


def test_filters_narrow_the_rows(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    assert [r.participant for r in _table(engine, q="family1").rows] == ["P-1"]
    assert [r.participant for r in _table(engine, q="p-5").rows] == ["P-5"]
    in_hokkaido = _table(engine, prefecture=1, position=fmt.Position.ALT).rows
    assert {r.participant for r in in_hokkaido} == {"P-2", "P-3"}
    assert [r.participant for r in _table(engine, country="us").rows] == ["P-1"]
    assert [r.participant for r in _table(engine, choice="second").rows] == ["P-1"]
    assert _table(engine, organization="ORG-B").total == 1
    assert _table(engine, pinned=True).total == 0


def test_the_unplaced_and_the_pinned_are_found(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    move(engine, "P-1", PlanChange(opening=None, pinned=False))
    unplaced = _table(engine, unplaced=True).rows
    assert [r.participant for r in unplaced] == ["P-1"]
    assert unplaced[0].choice == "unplaced"
    assert unplaced[0].opening is None
    move(engine, "P-1", PlanChange(opening="OPN-B1", pinned=True))
    assert [r.participant for r in _table(engine, pinned=True).rows] == ["P-1"]


def test_sorting_and_paging_happen_before_the_page_is_cut(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    every = [r.participant for r in _table(engine, sort="participant").rows]
    backwards = [r.participant for r in _table(engine, sort="participant", descending=True).rows]
    assert backwards == every[::-1]
    first_page = _table(engine, limit=2)
    second_page = _table(engine, limit=2, offset=2)
    assert first_page.total == len(every)
    assert [r.participant for r in first_page.rows + second_page.rows] == every[:4]
    by_score = [r.score for r in _table(engine, sort="score", descending=True).rows if r.score]
    assert by_score == sorted(by_score, reverse=True)


def test_an_unknown_sort_is_refused_naming_the_field(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with pytest.raises(InvalidInput) as refused:
        _table(engine, sort="email")
    assert refused.value.problems[0].field == "sort"


def test_reading_the_plan_is_audited(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    _table(engine, q="family1")
    with Session(engine) as session:
        entries = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "plan.view")
        ).all()
    assert len(entries) == 1


def test_names_of_participants_and_places_are_given_and_audited(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        named = plan_table.names(
            session=session, caller=COMMAND_LINE, participants=["P-1"], openings=["OPN-A1"]
        )
        audited = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "participant.names")
        ).all()
    assert named.people == {"P-1": "Family1 Given"}
    assert named.places["OPN-A1"].organization_name_ja == "北海道教育委員会"
    assert named.places["OPN-A1"].prefecture == 1
    assert len(audited) == 1
