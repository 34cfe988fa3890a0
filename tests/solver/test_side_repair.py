"""The first plan (`side/repair.py`): the relaxation's plan made feasible and refilled, and
the admissible pairs of a few people (`SideProblem.admissible_pairs_of`) it reads, against
plain selections written here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_builders import whole_side
from test_side_basis import _problem

from jet_match.solver import prepare
from jet_match.solver.flow import solve_min_cost_flow
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.repair import repair


def _side(seed: int) -> SideProblem:
    """A side problem with couples and caps where a fifth of the pairs, at random, are not
    admissible (as pins, forbidden pairs and rules leave them)."""
    side = whole_side(prepare(_problem(seed)))
    assert side.cap_left is not None
    assert (side.couple_of >= 0).any()
    dropped = np.random.default_rng(seed).random(len(side.admissible_mask)) < 0.2
    return replace(side, admissible_mask=side.admissible_mask & ~dropped)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(1, 3), picks=st.lists(st.integers(0, 119), max_size=12))
def test_the_admissible_pairs_of_some_people_are_the_masks_pairs_of_theirs(
    seed: int, picks: list[int]
) -> None:
    side = _side(seed)
    inst = side.instance
    people = np.unique(np.array(picks, dtype=np.int64))
    wanted = set(people.tolist())
    expected = [
        int(pair)
        for pair in np.flatnonzero(side.admissible_mask)
        if int(inst.pair_p[pair]) in wanted
    ]
    assert side.admissible_pairs_of(people).tolist() == expected


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_repaired_relaxation_keeps_every_rule_and_leaves_no_single_who_fits(
    seed: int,
) -> None:
    side = _side(seed)
    inst = side.instance
    relaxed = solve_min_cost_flow(
        inst, np.flatnonzero(side.admissible_mask), side.capacity, side.profit
    )
    assert not side.feasible(relaxed)  # the relaxation splits a couple or breaks a cap
    plan = repair(side, relaxed)
    assert side.feasible(plan)
    # Everyone placed is on an admissible pair of their own.
    placed = np.flatnonzero(plan >= 0)
    assert side.admissible_mask[plan[placed]].all()
    assert (inst.pair_p[plan[placed]] == placed).all()
    # No unplaced single has an admissible pair with a slot and cap room left.
    room = side.capacity - np.bincount(inst.pair_o[plan[placed]], minlength=len(side.capacity))
    assert side.cap_left is not None
    cap_room = side.cap_left - np.bincount(
        side.cap_key_of(plan[placed]), minlength=len(side.cap_left)
    )
    for person in np.flatnonzero((plan < 0) & (side.couple_of < 0)).tolist():
        for pair in np.flatnonzero(side.admissible_mask & (inst.pair_p == person)).tolist():
            key = int(side.cap_key_of(np.array([pair]))[0])
            assert room[inst.pair_o[pair]] <= 0 or cap_room[key] <= 0, (person, pair)
