"""The first plan: the relaxation's plan made feasible, then refilled greedily.

Couples the relaxation split (or placed apart) and participants over a cap are unplaced;
unplaced couples are then placed together where slots and cap room are left, and
unplaced singles by min-cost flow on what is left, until nothing more fits.
"""

from __future__ import annotations

import numpy as np

from jet_match.solver.deadline import Deadline
from jet_match.solver.flow import rank_in_runs, solve_min_cost_flow
from jet_match.solver.policy import IntArray
from jet_match.solver.side.problem import SideProblem

_UNLIMITED = 2**40  # cap room when there are no caps
_REFILL_ROUNDS = 8


def repair(side: SideProblem, assigned: IntArray, deadline: Deadline | None = None) -> IntArray:
    """The relaxation's plan made feasible: split couples and over-cap people unplaced;
    then couples and singles placed where they fit until nothing more does, or until the
    deadline (the first round of refilling singles may use part of the run's margin,
    `Deadline.for_first_plan`: without it a cap can leave a fifth of the plan empty).
    The plan is feasible after every step."""
    inst = side.instance
    plan = assigned.copy()
    firsts = side.first_members()
    seconds = inst.partner_of[firsts]
    pair_a, pair_b = plan[firsts], plan[seconds]
    apart = (pair_a < 0) | (pair_b < 0)
    both = np.flatnonzero(~apart)
    apart[both] = side.couple_group_of(pair_a[both]) != side.couple_group_of(pair_b[both])
    plan[firsts[apart]] = -1
    plan[seconds[apart]] = -1
    if side.cap_left is not None:
        placed = np.flatnonzero(plan >= 0)
        pairs = plan[placed]
        pair_keys = side.cap_key_of(pairs)
        order = np.lexsort((-side.profit[pairs], pair_keys))
        keys = pair_keys[order]
        dropped = placed[order][rank_in_runs(keys) >= side.cap_left[keys]]
        plan[dropped] = -1
        partners = inst.partner_of[dropped]
        plan[partners[partners >= 0]] = -1
    return _refill(side, _place_couples(side, plan, deadline), deadline)


def _place_couples(side: SideProblem, plan: IntArray, deadline: Deadline | None) -> IntArray:
    """Greedily place unplaced couples together on the slots and cap room left."""
    inst = side.instance
    plan = plan.copy()
    placed = plan[plan >= 0]
    room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
    cap_room = np.full(1, _UNLIMITED, dtype=np.int64)
    if side.cap_left is not None:
        cap_room = side.cap_left - np.bincount(
            side.cap_key_of(placed), minlength=len(side.cap_left)
        )
    for a in np.flatnonzero((side.couple_of == np.arange(len(side.couple_of))) & (plan < 0)):
        if deadline is not None and deadline.expired():
            break
        b = int(inst.partner_of[a])
        if plan[b] >= 0:
            continue
        options = []
        for member in (int(a), b):
            own = side.admissible_pairs_of(np.array([member]))
            own = own[room[inst.pair_o[own]] > 0]
            keys = (
                side.cap_key_of(own) if side.cap_left is not None else np.zeros(len(own), np.int64)
            )
            keep = cap_room[keys] > 0
            options.append((own[keep], keys[keep], side.couple_group_of(own[keep])))
        (pairs_a, keys_a, groups_a), (pairs_b, keys_b, groups_b) = options
        best: tuple[int, int, int, int, int] | None = None
        for group in np.intersect1d(groups_a, groups_b).tolist():
            in_a = np.flatnonzero(groups_a == group)
            at_a = int(in_a[np.argmax(side.profit[pairs_a[in_a]])])
            pair_a, key_a = int(pairs_a[at_a]), int(keys_a[at_a])
            in_b = np.flatnonzero(groups_b == group)
            for at_b in in_b[np.argsort(-side.profit[pairs_b[in_b]], kind="stable")].tolist():
                pair_b, key_b = int(pairs_b[at_b]), int(keys_b[at_b])
                if inst.pair_o[pair_a] == inst.pair_o[pair_b] and room[inst.pair_o[pair_a]] < 2:
                    continue
                if key_a == key_b and cap_room[key_a] < 2:
                    continue
                value = int(side.profit[pair_a] + side.profit[pair_b])
                if best is None or value > best[0]:
                    best = (value, pair_a, pair_b, key_a, key_b)
                break
        if best is not None:
            _, pair_a, pair_b, key_a, key_b = best
            plan[a], plan[b] = pair_a, pair_b
            for pair, key in ((pair_a, key_a), (pair_b, key_b)):
                room[inst.pair_o[pair]] -= 1
                cap_room[key] -= 1
    return plan


def _refill(side: SideProblem, plan: IntArray, deadline: Deadline | None) -> IntArray:
    """Place unplaced singles on the slots and cap room left, by min-cost flow, until stable."""
    inst = side.instance
    plan = plan.copy()
    # The first round may use part of the run's margin, the others stop at its limit.
    clocks = [deadline.for_first_plan(), deadline] if deadline is not None else []
    for round_ in range(_REFILL_ROUNDS):
        if clocks and clocks[min(round_, 1)].expired():
            break
        placed = plan[plan >= 0]
        room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
        pairs = side.admissible_pairs_of(np.flatnonzero((plan < 0) & (side.couple_of < 0)))
        pairs = pairs[room[inst.pair_o[pairs]] > 0]
        cap_room = None
        if side.cap_left is not None:
            load = np.bincount(side.cap_key_of(placed), minlength=len(side.cap_left))
            cap_room = side.cap_left - load
            pairs = pairs[cap_room[side.cap_key_of(pairs)] > 0]
        if len(pairs) == 0:
            break
        added = solve_min_cost_flow(inst, pairs, np.maximum(room, 0), side.profit)
        new = np.flatnonzero(added >= 0)
        if cap_room is not None and len(new):
            keys = side.cap_key_of(added[new])
            order = np.lexsort((-side.profit[added[new]], keys))
            ranked = keys[order]
            new = new[order][rank_in_runs(ranked) < cap_room[ranked]]
        if len(new) == 0:
            break
        plan[new] = added[new]
    return plan
