"""The working plan through its services, without HTTP: reading and moving."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.errors import NotFound
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import plans, withdrawals
from round_support import (
    ROUND,
    SMALL_PLAN,
    current_plan,
    move,
    queue_run,
    solved_round,
    work,
)

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


def test_an_unknown_round_is_not_found(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session, pytest.raises(NotFound):
        plans.get_plan(
            session=session,
            caller=COMMAND_LINE,
            round_id="R-NONE",
            filters=plans.PlanFilter(),
            page=PageRequest(cursor=None, limit=50),
        )


def _placement_rows_written(engine: Engine) -> tuple[list[int], Callable[[], None]]:
    """Rows of `placements` inserted, updated or deleted from now on (one count per row of
    an executemany); and a function that stops counting."""
    written = [0]

    def count(
        _conn: object,
        _cursor: object,
        statement: str,
        parameters: object,
        _context: object,
        executemany: bool,
    ) -> None:
        head = " ".join(statement.split()[:3]).upper()
        if head.startswith(
            ("INSERT INTO PLACEMENTS", "UPDATE PLACEMENTS", "DELETE FROM PLACEMENTS")
        ):
            written[0] += len(parameters) if executemany and isinstance(parameters, list) else 1

    event.listen(engine, "before_cursor_execute", count)
    return written, lambda: event.remove(engine, "before_cursor_execute", count)


def test_a_re_solve_writes_only_the_placements_that_changed(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-5")
    written, stop = _placement_rows_written(engine)
    try:
        queue_run(engine, minimise_disruption=True)
        work(engine, settings)  # nobody else moves: no placement row is written
        assert current_plan(engine) == {k: v for k, v in SMALL_PLAN.items() if k != "P-5"}
        assert written == [0]
        move(engine, "P-1", PlanChange(opening=None, pinned=False))  # P-1 leaves the plan
        written[0] = 0
        queue_run(engine, minimise_disruption=True)
        work(engine, settings)  # the run places P-1 again: one row, not the whole plan
        assert current_plan(engine) == {k: v for k, v in SMALL_PLAN.items() if k != "P-5"}
        assert written == [1]
    finally:
        stop()
