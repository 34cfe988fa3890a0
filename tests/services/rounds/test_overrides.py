"""Overrides hold: a placement made with `override_reason` is kept by every later run,
with the rules it breaks waived for that pair alone, until a coordinator takes it back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from jet_match.schemas.runs import RunPublic
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import outcome, queue, runs
from jet_match.solver import Assignment, Status, solve
from jet_match.statuses import RunStatus
from round_support import SMALL_PLAN, current_plan, move, queue_run, solved_round, work

pytestmark = pytest.mark.usefixtures("loaded")

#: P-1 (an ALT without Japanese) at the CIR opening OPN-A2 (N2 required, one slot, held by
#: the CIR P-5): it breaks two eligibility rules and the opening's capacity.
OVERRIDE = PlanChange(opening="OPN-A2", pinned=True, override_reason="Agreed with ORG-A")


def _rerun(engine: Engine, settings: Settings) -> RunPublic:
    run_id = queue_run(engine)
    work(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        return runs.get_run(session=session, caller=COMMAND_LINE, run_id=run_id)


class TestAPinnedOverride:
    def test_the_next_run_succeeds_and_keeps_it(self, engine: Engine, settings: Settings) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE)
        run = _rerun(engine, settings)
        assert run.status is RunStatus.SUCCEEDED
        assert run.outcome is not None
        assert run.outcome.status == "optimal"
        plan = current_plan(engine)
        assert plan["P-1"] == "OPN-A2"
        # The override took a place beyond the slots: P-5 keeps the CIR opening.
        assert plan["P-5"] == "OPN-A2"

    def test_the_outcome_lists_the_waived_rules_of_that_pair(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE)
        run = _rerun(engine, settings)
        assert run.outcome is not None
        assert [(w.participant, w.opening, set(w.rules)) for w in run.outcome.waived] == [
            ("P-1", "OPN-A2", {"same_position", "japanese_level", "capacity"})
        ]

    def test_unpinning_ends_the_waiver_and_the_next_run_moves_it(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE)
        _rerun(engine, settings)
        move(engine, "P-1", PlanChange(opening="OPN-A2", pinned=False))
        run = _rerun(engine, settings)
        assert run.status is RunStatus.SUCCEEDED
        assert run.outcome is not None
        assert run.outcome.waived == []
        assert current_plan(engine) == SMALL_PLAN
        with Session(engine, expire_on_commit=False) as session:
            ended = session.scalars(
                select(models.AuditEvent).where(models.AuditEvent.action == "plan.override_end")
            ).all()
        assert [e.detail["participant"] for e in ended] == ["P-1"]


class TestAnUnpinnedOverride:
    def test_is_kept_by_later_runs(self, engine: Engine, settings: Settings) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE.model_copy(update={"pinned": False}))
        for _ in range(2):
            run = _rerun(engine, settings)
            assert run.status is RunStatus.SUCCEEDED
            assert current_plan(engine)["P-1"] == "OPN-A2"

    def test_pinning_it_where_it_stands_keeps_the_waiver(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE.model_copy(update={"pinned": False}))
        move(engine, "P-1", PlanChange(opening="OPN-A2", pinned=True))
        run = _rerun(engine, settings)
        assert run.status is RunStatus.SUCCEEDED
        assert current_plan(engine)["P-1"] == "OPN-A2"

    def test_unassigning_it_lets_the_next_run_place_them_under_every_rule(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        move(engine, "P-1", OVERRIDE.model_copy(update={"pinned": False}))
        _rerun(engine, settings)
        move(engine, "P-1", PlanChange(opening=None))
        run = _rerun(engine, settings)
        assert run.status is RunStatus.SUCCEEDED
        assert current_plan(engine) == SMALL_PLAN


def test_a_failed_run_reports_no_plan_figures(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    run_id = queue_run(engine)
    with Session(engine, expire_on_commit=False) as session:
        assert queue.claim_next(session, "w") == run_id
        job = queue.job_of(session, run_id)
    # Two pins on OPN-B1's single slot: infeasible, and nobody of the previous plan kept.
    pins = (Assignment("P-1", "OPN-B1"), Assignment("P-2", "OPN-B1"))
    result = solve(replace(job.problem, pins=pins))
    assert result.status is Status.INFEASIBLE
    interim = {"phase": "solving", "placed": 4, "score": 300, "bound_placed": 4, "gap": 0.1}
    with Session(engine, expire_on_commit=False) as session:
        status = outcome.complete_run(session, run_id, "w", result, interim, stamp=job.stamp)
        assert status is RunStatus.FAILED
        run = runs.get_run(session=session, caller=COMMAND_LINE, run_id=run_id)
    assert run.outcome is not None
    assert run.outcome.objective is None
    assert run.outcome.metrics == {}
    assert run.outcome.policy is not None  # what it was solved under, plan or not
    figures = run.progress
    assert [figures.placed, figures.score, figures.bound_placed, figures.gap] == [None] * 4
    assert current_plan(engine) == SMALL_PLAN
