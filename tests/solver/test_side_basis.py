"""The LP master's basis kept for the next solve of the same records (`side/basis.py`).

A warm basis changes where HiGHS's simplex starts, never what it finds: the LP optimum
is the cold solve's, over the same columns or over different ones (columns and rows
come and go between two solves), and a re-solve after record edits that warm-starts its
LP ends at the optimum of a MIP over every pair.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from solver_builders import whole_side
from test_engines_exact import full_mip

from jet_match.dataset.generator import generate_dataset
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Assignment, Problem, Status, prepare, solve
from jet_match.solver.deadline import Deadline
from jet_match.solver.side.basis import restore_basis, saved_basis
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import UsablePairs, usable_mask, usable_pairs
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.search import penalty_of


def _problem(seed: int) -> Problem:
    dataset = generate_dataset(
        participants=120, organizations=30, openings=50, seed=seed, programme_year=2026
    )
    return replace(problem_from_dataset(dataset), max_country_share_per_prefecture=0.3)


def _side(seed: int) -> tuple[SideProblem, UsablePairs]:
    side = whole_side(prepare(_problem(seed)))
    assert side.cap_left is not None
    return side, usable_pairs(side, usable_mask(side))


def _master(side: SideProblem, pairs: UsablePairs, positions: np.ndarray) -> MasterLP:
    master = MasterLP(side, pairs, 0, penalty_of(side), 0, {})
    master.add(positions, side.profit[pairs.index].astype(np.float64))
    return master


def _solve(master: MasterLP) -> tuple[float, int]:
    """The LP's optimum and the simplex iterations it took."""
    assert master.solve(Deadline(60.0)) is not None
    info = master.highs.getInfo()
    return float(info.objective_function_value), int(info.simplex_iteration_count)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_columns_restart_at_the_optimum(seed: int) -> None:
    side, pairs = _side(seed)
    everything = np.arange(len(pairs.index))
    first = _master(side, pairs, everything)
    value, iterations = _solve(first)
    assert iterations > 20
    saved = saved_basis(first)
    assert saved is not None
    again = _master(side, pairs, everything)
    assert restore_basis(again, saved)
    warm_value, warm_iterations = _solve(again)
    assert warm_value == pytest.approx(value, abs=1e-6)
    assert warm_iterations == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_other_columns_and_rows_reach_the_cold_optimum(seed: int) -> None:
    """Saved over half the pairs, restored over the other half plus a quarter of the
    first (couple rows and binding caps differ): the same optimum as a cold solve."""
    side, pairs = _side(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pairs.index))
    half = len(order) // 2
    first = _master(side, pairs, np.sort(order[:half]))
    _solve(first)
    saved = saved_basis(first)
    assert saved is not None
    other = np.sort(np.concatenate([order[half:], order[: half // 4]]))
    cold_value, _ = _solve(_master(side, pairs, other))
    warm = _master(side, pairs, other)
    assert restore_basis(warm, saved)
    warm_value, _ = _solve(warm)
    assert warm_value == pytest.approx(cold_value, abs=1e-6)


def _edited(problem: Problem, plan: tuple[Assignment, ...], rng: random.Random) -> Problem:
    """Three placed participants and another placement's opening edited."""
    chosen = rng.sample(plan, 4)
    people = {a.participant for a in chosen[:3]}
    return replace(
        problem,
        participants=tuple(
            replace(p, teaching_experience_years=p.teaching_experience_years + 1)
            if p.external_id in people
            else p
            for p in problem.participants
        ),
        openings=tuple(
            replace(o, driving_required=not o.driving_required)
            if o.external_id == chosen[-1].opening
            else o
            for o in problem.openings
        ),
        previous_plan=plan,
    )


@pytest.mark.parametrize("seed", [200, 203])
def test_a_re_solve_after_edits_warm_starts_its_lp_and_stays_exact(seed: int) -> None:
    problem = _problem(seed)
    inst = prepare(problem)
    result = solve(inst, time_limit_s=60)
    assert "lp_s" in result.stats  # the LP ran: its basis is kept
    for _ in range(2):
        plan = tuple(Assignment(p.participant, p.opening) for p in result.placements)
        problem = _edited(problem, plan, random.Random(seed))
        inst = prepare(problem, base=inst)
        result = solve(inst, time_limit_s=60)
        assert result.stats.get("lp_warm_start") == 1.0
        assert result.status is Status.OPTIMAL
        optimum = full_mip(prepare(problem))
        assert (result.objective.placed, result.objective.net) == optimum
        assert result.bound is not None
        assert (result.bound.placed, result.bound.score) == optimum
