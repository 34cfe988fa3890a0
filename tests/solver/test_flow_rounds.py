"""The flow engine's certification rounds: each round adds each participant's most
violated pairs, and a participant whose pairs stay violated round after round (a re-solve
after edits displaces someone whose every option is taken) gets twice as many each time,
so that its pairs enter in a few rounds rather than eight at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from test_engines_exact import bare_flow, crowded
from test_instance_edits import _edited

from jet_match.solver import Assignment, Status, flow, prepare, solve
from jet_match.solver.flow import _most_violated


def test_each_participant_keeps_its_quota_of_most_violated_pairs() -> None:
    inst = prepare(crowded(3, people=40, organizations=8, openings=20))
    first, second = (int(p) for p in np.unique(inst.pair_p)[:2])
    of_first, of_second = inst.pairs_of(np.asarray([first])), inst.pairs_of(np.asarray([second]))
    violated = np.concatenate([of_first, of_second])
    reduced = -np.arange(1, len(violated) + 1, dtype=np.int64)  # later pairs more violated
    quota = np.zeros(inst.tables.n_participants, dtype=np.int64)
    quota[first], quota[second] = 1, 3
    kept = violated[_most_violated(inst, violated, reduced, quota)]
    owned_by = inst.pair_p[kept]
    assert (owned_by == first).sum() == 1
    assert (owned_by == second).sum() == 3
    # The most negative of each participant's pairs: its last ones here.
    assert set(kept.tolist()) == {int(of_first[-1]), *of_second[-3:].tolist()}


def _rounds(monkeypatch: pytest.MonkeyPatch, doublings: int) -> tuple[int, tuple[int, int]]:
    monkeypatch.setattr(flow, "_ADD_PER_PARTICIPANT", 1)
    monkeypatch.setattr(flow, "_MAX_ROUNDS", 1000)
    monkeypatch.setattr(flow, "_MAX_DOUBLINGS", doublings)
    inst = prepare(crowded(11, people=300, organizations=40, openings=90), top_k=1)
    result = solve(inst)
    assert result.engine == "flow"
    assert result.status == Status.OPTIMAL
    objective = (result.objective.placed, result.objective.net)
    assert objective == bare_flow(inst)
    return int(result.stats["rounds"]), objective


def test_a_participant_violated_round_after_round_gets_twice_the_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_at_a_time, optimum = _rounds(monkeypatch, doublings=0)
    doubling, same = _rounds(monkeypatch, doublings=10)
    assert same == optimum
    assert doubling < one_at_a_time


def _resolve_rounds(
    monkeypatch: pytest.MonkeyPatch, all_at_once: int
) -> tuple[int, int, tuple[int, int]]:
    """Rounds of a solve from scratch and of a re-solve after edits, one pair per
    participant and round, and the re-solve's optimum (checked against a bare flow)."""
    monkeypatch.setattr(flow, "_ADD_PER_PARTICIPANT", 1)
    monkeypatch.setattr(flow, "_MAX_DOUBLINGS", 0)
    monkeypatch.setattr(flow, "_MAX_ROUNDS", 1000)
    monkeypatch.setattr(flow, "_ALL_AT_ONCE", all_at_once)
    problem = crowded(11, people=300, organizations=40, openings=90)
    base = prepare(problem, top_k=1)
    first = solve(base)
    plan = tuple(Assignment(p.participant, p.opening) for p in first.placements)
    warm = prepare(replace(_edited(problem, 5, 3), previous_plan=plan), base=base, top_k=1)
    assert warm.solved_before()
    result = solve(warm)
    assert result.engine == "flow"
    assert result.status == Status.OPTIMAL
    objective = (result.objective.placed, result.objective.net)
    assert objective == bare_flow(warm)
    return int(first.stats["rounds"]), int(result.stats["rounds"]), objective


def test_a_re_solve_adds_a_rounds_few_violated_pairs_all_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A re-solve starts near the last solve's potentials: its violated pairs are few and
    all enter at once (national, after edits: 5 rounds -> 3). A solve from scratch keeps
    the allowance per participant (its first rounds find tens of thousands)."""
    scratch_each, resolve_each, optimum = _resolve_rounds(monkeypatch, all_at_once=0)
    scratch, resolve, same = _resolve_rounds(monkeypatch, all_at_once=1 << 30)
    assert same == optimum
    assert scratch == scratch_each
    assert resolve < resolve_each


def test_a_certified_solve_remembers_the_pairs_near_a_zero_reduced_cost() -> None:
    """`FlowOutcome.to_remember`, against each pair's reduced cost worked out one by one:
    the plan's pairs, and the candidates within `REMEMBER_WITHIN` points of zero."""
    inst = prepare(crowded(3, people=40, organizations=8, openings=20))
    n, m = inst.tables.n_participants, inst.tables.n_openings
    rng = np.random.default_rng(5)
    potentials = rng.integers(-200, 200, size=n + m + 2)
    profit = inst.profit()
    candidates = rng.random(len(inst.pair_p)) < 0.7
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[0], assigned[1] = inst.pairs_of(np.asarray([0]))[0], inst.pairs_of(np.asarray([1]))[0]
    outcome = flow.FlowOutcome(assigned, candidates, 1, int(candidates.sum()), True, potentials)
    expected = set()
    for k in range(len(inst.pair_p)):
        p, o = int(inst.pair_p[k]), int(inst.pair_o[k])
        reduced = int(potentials[p]) - int(potentials[n + o]) - int(profit[k])
        if candidates[k] and reduced <= flow.REMEMBER_WITHIN:
            expected.add(k)
    expected |= {int(assigned[0]), int(assigned[1])}
    assert set(np.flatnonzero(outcome.to_remember(inst, profit)).tolist()) == expected
    uncertified = replace(outcome, certified=False, potentials=None)
    assert np.array_equal(uncertified.to_remember(inst, profit), candidates)


@pytest.mark.parametrize("within", [0, flow.REMEMBER_WITHIN])
def test_re_solves_remember_a_bounded_set_and_stay_optimal(
    monkeypatch: pytest.MonkeyPatch, within: int
) -> None:
    """Edits one after another: each re-solve is optimal (against a bare flow) however
    little is remembered, and the remembered set stays smaller than every candidate the
    solves ever needed (which only grew before)."""
    problem = crowded(11, people=300, organizations=40, openings=90)
    sizes = {}
    for margin in (within, 1 << 40):
        monkeypatch.setattr(flow, "REMEMBER_WITHIN", margin)
        inst = prepare(problem, top_k=1)
        result = solve(inst)
        changed = problem
        for step in range(4):
            plan = tuple(Assignment(p.participant, p.opening) for p in result.placements)
            changed = replace(_edited(changed, step, 3), previous_plan=plan)
            inst = prepare(changed, base=inst, top_k=1)
            result = solve(inst)
            assert result.status == Status.OPTIMAL
            assert (result.objective.placed, result.objective.net) == bare_flow(inst)
        remembered = inst.candidate_mask()
        assert remembered is not None
        sizes[margin] = int(remembered.sum())
    assert sizes[within] < sizes[1 << 40]


def test_a_re_solve_s_certificate_starts_from_the_last_potentials() -> None:
    """`prepare(..., base=)` carries the last certificate's potentials and the next one
    starts from them: solved again, the same records find them a certificate as they
    are (any optimal dual certifies any optimal plan); from zeros, Bellman-Ford finds
    other ones."""
    problem = crowded(11, people=300, organizations=40, openings=90)
    first = prepare(problem, top_k=1)
    plan = tuple(Assignment(p.participant, p.opening) for p in solve(first).placements)
    again = replace(_edited(problem, 5, 3), previous_plan=plan)
    second = prepare(again, base=first, top_k=1)
    assert np.array_equal(second.remembered_potentials(), first.remembered_potentials())  # type: ignore[arg-type]
    result = solve(second)
    assert (result.objective.placed, result.objective.net) == bare_flow(second)
    kept = second.remembered_potentials()
    assert kept is not None
    third = prepare(again, base=second, top_k=1)
    value = (result.objective.placed, result.objective.net)
    again_result = solve(third)
    assert (again_result.objective.placed, again_result.objective.net) == value
    assert np.array_equal(third.remembered_potentials(), kept)  # type: ignore[arg-type]
    cold = prepare(again, top_k=1)
    cold_result = solve(cold)
    assert (cold_result.objective.placed, cold_result.objective.net) == value
    assert not np.array_equal(cold.remembered_potentials(), kept)  # type: ignore[arg-type]


@pytest.mark.parametrize("sweeps", [0, flow._CHECK_SWEEPS])
def test_a_re_solve_keeps_its_plan_when_potentials_are_found_for_the_pairs_added(
    monkeypatch: pytest.MonkeyPatch, sweeps: int
) -> None:
    """In a re-solve's later rounds the flow is solved again only when Bellman-Ford finds
    no potentials over the pairs just added; the optimum is a bare flow's either way."""
    monkeypatch.setattr(flow, "_ADD_PER_PARTICIPANT", 1)
    monkeypatch.setattr(flow, "_MAX_DOUBLINGS", 0)
    monkeypatch.setattr(flow, "_ALL_AT_ONCE", 0)
    monkeypatch.setattr(flow, "_CHECK_SWEEPS", sweeps)
    real = flow.solve_min_cost_flow
    solved: list[int] = []

    def counted(*args: Any) -> Any:
        solved.append(1)
        return real(*args)

    rounds, flows = 0, 0
    for seed in range(4):
        problem = crowded(11 + seed, people=300, organizations=40, openings=90)
        base = prepare(problem, top_k=1)
        plan = tuple(Assignment(p.participant, p.opening) for p in solve(base).placements)
        warm = prepare(replace(_edited(problem, seed, 3), previous_plan=plan), base=base, top_k=1)
        solved.clear()
        with monkeypatch.context() as patch:
            patch.setattr(flow, "solve_min_cost_flow", counted)
            result = solve(warm)
        assert result.status == Status.OPTIMAL
        assert (result.objective.placed, result.objective.net) == bare_flow(warm)
        rounds += int(result.stats["rounds"])
        flows += len(solved)
    assert rounds > 4
    assert (flows < rounds) == (sweeps > 0)
