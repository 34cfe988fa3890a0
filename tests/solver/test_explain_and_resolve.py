"""Explanations, plan evaluation, progress reports and incremental re-solves."""

from __future__ import annotations

from dataclasses import replace

from solver_builders import opening, org, person, problem

from jet_match.solver import (
    Assignment,
    ParticipantStatus,
    Progress,
    Status,
    evaluate_plan,
    explain,
    explain_plan,
    plan_objective,
    prepare,
    result_of_plan,
    solve,
)


def tokyo_problem() -> object:
    return problem(
        [org("G1", 13), org("G2", 1)],
        [opening("O1", "G1"), opening("O2", "G2"), opening("O3", "G2", driving_required=True)],
        [
            person("P1", preferred_prefectures=(13,), japanese_level=5),
            person("P2", preferred_prefectures=(13, 1)),
        ],
    )


class TestExplain:
    def test_names_the_holder_and_the_cost_of_moving(self) -> None:
        pb = tokyo_problem()
        result = solve(pb)  # type: ignore[arg-type]
        explanation = explain(pb, result, "P2")  # type: ignore[arg-type]
        assert explanation.placement is not None
        assert explanation.placement.opening == "O2"
        best = explanation.alternatives[0]
        assert best.opening == "O1"
        assert best.eligible
        assert best.taken_by == (("P1", result.placements[0].score),)
        assert "full: taken by P1" in best.why
        assert best.objective_change is not None
        assert best.objective_change.net < 0
        ineligible = next(a for a in explanation.alternatives if a.opening == "O3")
        assert ineligible.failed_rules == ("driving",)
        assert "requires driving" in ineligible.why

    def test_one_row_explains_as_every_pair(self) -> None:
        pb = tokyo_problem()
        plan = [Assignment("P1", "O1")]  # P2 unplaced by hand: O2 is free
        whole = prepare(pb)  # type: ignore[arg-type]
        row = prepare(pb, rows={"P2"})  # type: ignore[arg-type]
        assert set(row.pair_p.tolist()) == {1}
        assert len(row.pair_p) < len(whole.pair_p)
        result = result_of_plan(whole, plan, engine="plan")
        for who in ("P1", "P2"):
            expected = explain(whole, result, who, objective_change=False)
            assert explain_plan(prepare(pb, rows={who}), plan, who) == expected  # type: ignore[arg-type]
        unplaced = explain_plan(row, plan, "P2").unplaced
        assert unplaced is not None
        assert "not placed in this plan" in unplaced.reasons[0]


class TestEvaluate:
    def test_a_hand_made_plan_is_scored_and_checked(self) -> None:
        pb = tokyo_problem()
        evaluation = evaluate_plan(pb, [Assignment("P2", "O1"), Assignment("P1", "O3")])  # type: ignore[arg-type]
        plan = [Assignment("P2", "O1"), Assignment("P1", "O3")]
        assert plan_objective(pb, plan) == evaluation.objective  # type: ignore[arg-type]
        assert evaluation.objective.placed == 2
        assert [v.rule for v in evaluation.violations] == ["ineligible"]
        assert evaluation.metrics.rank_profile["first"] == 1


class TestProgress:
    def test_reports_progress_at_the_end(self) -> None:
        reports: list[Progress] = []
        solve(tokyo_problem(), progress=reports.append)  # type: ignore[arg-type]
        assert reports[-1].placed == 2
        assert reports[-1].gap == 0.0


class TestResolve:
    def test_incremental_prepare_gives_the_full_solve(self) -> None:
        people = [person(f"P{i}", preferred_prefectures=(13, 1)[i % 2 :]) for i in range(6)]
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1", slots=2), opening("O2", "G2", slots=3)],
            people,
        )
        base = prepare(pb)
        first = solve(base)
        plan = tuple(Assignment(p.participant, p.opening) for p in first.placements)
        gone = first.placements[0].participant
        changed = replace(
            pb,
            previous_plan=plan,
            participants=tuple(
                replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == gone else p
                for p in people
            ),
        )
        incremental = solve(prepare(changed, base=base))
        full = solve(changed)
        assert incremental.status == Status.OPTIMAL
        assert incremental.placements == full.placements
        assert incremental.objective == full.objective
        # The withdrawn participant left the run; everybody else keeps their opening.
        assert full.objective.moved == 0
        assert gone not in {p.participant for p in full.placements}
