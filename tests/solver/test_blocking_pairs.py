"""`metrics.blocking_pairs` against a plain loop over DESIGN.md section 4's definition:
participant p and opening o where p prefers o by score (p is unplaced, or scores o above
their own placement) and o has a free slot or holds someone with a lower score for o."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded

from jet_match.solver import prepare, solve
from jet_match.solver.instance import Instance
from jet_match.solver.metrics import blocking_pairs


def _plain_blocking_pairs(instance: Instance, plan: list[int]) -> int:
    score = {
        (int(p), int(o)): int(s)
        for p, o, s in zip(instance.pair_p, instance.pair_o, instance.pair_score, strict=True)
    }
    holders: dict[int, list[int]] = {}
    for person, opening in enumerate(plan):
        if opening >= 0 and instance.in_run[person]:
            holders.setdefault(opening, []).append(person)
    count = 0
    for (person, opening), value in score.items():
        if not instance.in_run[person]:
            continue
        own = plan[person]
        if own >= 0 and value <= score[(person, own)]:
            continue  # placed at least as well
        held = holders.get(opening, [])
        free = len(held) < int(instance.tables.o_slots[opening])
        if free or any(score[(h, opening)] < value for h in held):
            count += 1
    return count


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), shuffled=st.booleans())
def test_blocking_pairs_follow_the_definition(seed: int, shuffled: bool) -> None:
    instance = prepare(crowded(seed, people=60, organizations=12, openings=20))
    result = solve(instance, time_limit_s=30)
    index = {oid: j for j, oid in enumerate(instance.tables.opening_ids)}
    people = {pid: i for i, pid in enumerate(instance.tables.participant_ids)}
    plan = [-1] * instance.tables.n_participants
    for placement in result.placements:
        plan[people[placement.participant]] = index[placement.opening]
    if shuffled:  # a plan changed by hand: someone moved to another eligible pair, one left
        rng = np.random.default_rng(seed)
        placed = [i for i, o in enumerate(plan) if o >= 0]
        if placed:
            mover = int(rng.choice(placed))
            theirs = instance.pair_o[instance.pair_p == mover]
            plan[mover] = int(rng.choice(theirs))
            plan[int(rng.choice(placed))] = -1
    expected = _plain_blocking_pairs(instance, plan)
    assert blocking_pairs(instance, np.asarray(plan, dtype=np.int64)) == expected
