"""The side-constrained engine: couples and country caps, exact through HiGHS.

The MIP (one binary per pair) is solved over a *reduced* set of pairs: each participant's
best pairs, the pair the min-cost flow relaxation gave them, their previous placement,
and for couples the pairs of the organizations or prefectures where they fit best
together. Nothing is lost silently, because every step is checked against ALL pairs:

1. Column generation on the LP relaxation: LP duals price every admissible pair (numpy,
   all pairs at once); pairs with a positive reduced cost join the model, until none is
   left. Any dual vector gives a Lagrangian bound on the full problem (participant duals
   re-optimised in closed form), so the bound is valid even when the loop stops early.
2. The MIP on the reduced set, warm-started from the relaxation repaired for couples and
   caps, with a time limit.
3. Reduced-cost argument: any plan using an excluded pair j is worth at most
   bound + rc_j (rc_j <= 0), so the full problem's bound is max(MIP bound on the reduced
   set, bound + max excluded rc_j). Excluded pairs that could still beat the incumbent
   are added and the MIP re-solved while time remains; otherwise the gap is reported.

Lexicographic objective in one MIP: each placement is worth `weight` (larger than any
difference in total profit), so the optimum places the most people first. Objective
values are integers, so bounds are floored and "optimal" means bound == value.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.flow import (
    FlowOutcome,
    lexicographic_weight,
    solve_certified,
    solve_min_cost_flow,
)
from jet_match.solver.instance import Instance, couple_group
from jet_match.solver.policy import BoolArray, IntArray

#: Called with (best value, bound) in the MIP's units; returning True stops the search.
Reporter = Callable[[float, float], bool]

FloatArray = np.typing.NDArray[np.float64]

_COUPLE_GROUPS = 6  # organizations / prefectures kept per couple at first
_PER_GROUP = 3  # pairs kept per couple member and group
_ADD_PER_PARTICIPANT = 6
_LP_ROUNDS = 8
_TOLERANCE = 1e-6
_quiet = {"done": False}


@dataclass
class SideProblem:
    """The side-constrained problem over every admissible pair (indices into the pair arrays)."""

    instance: Instance
    admissible: IntArray
    profit: IntArray
    capacity: IntArray
    cap_left: IntArray | None  # per (country, prefecture) key
    must_place: BoolArray  # partners of pinned participants
    couple_of: IntArray  # smaller index of the couple, -1 for singles
    weight: int
    group: IntArray = field(init=False)
    key: IntArray = field(init=False)
    adm_p: IntArray = field(init=False)
    adm_o: IntArray = field(init=False)
    adm_cost: FloatArray = field(init=False)
    adm_starts: IntArray = field(init=False)
    adm_couple: IntArray = field(init=False)  # positions (in admissible order) of couples' pairs

    def __post_init__(self) -> None:
        inst = self.instance
        p = inst.pair_p.astype(np.int64)
        o = inst.pair_o.astype(np.int64)
        self.group = couple_group(inst, p, o)
        self.key = inst.country_prefecture(p, o)
        self.adm_p = p[self.admissible]
        self.adm_o = o[self.admissible]
        self.adm_cost = (self.weight + self.profit[self.admissible]).astype(np.float64)
        first = (
            np.r_[True, self.adm_p[1:] != self.adm_p[:-1]] if len(self.adm_p) else np.zeros(0, bool)
        )
        self.adm_starts = np.flatnonzero(first)
        self.adm_couple = np.flatnonzero(self.couple_of[self.adm_p] >= 0)


@dataclass
class MipOutcome:
    """The best plan found (pair index per participant) and the proven bound (combined units)."""

    assigned: IntArray
    value: float
    bound: float
    relaxation: FlowOutcome
    stats: dict[str, float]


def solve_side(
    side: SideProblem,
    *,
    deadline: float,
    seed: int,
    report: Reporter | None,
) -> MipOutcome:
    """Solve couples and caps; see the module docstring for the method."""
    inst = side.instance
    adm = np.zeros(len(inst.pair_p), dtype=np.bool_)
    adm[side.admissible] = True
    relaxation = solve_certified(inst, adm, side.capacity, side.profit, inst.pair_top)
    relax_pairs = relaxation.assigned[relaxation.assigned >= 0]
    relax_value = float(len(relax_pairs) * side.weight + side.profit[relax_pairs].sum())
    seed_mask = adm & (inst.pair_top | (inst.pair_o == inst.previous_of[inst.pair_p]))
    seed_mask[relax_pairs] = True
    seed_mask |= _couple_candidates(side)
    columns = np.flatnonzero(seed_mask)
    stats: dict[str, float] = {"relaxation_bound": relax_value}
    best_bound = relax_value
    duals = None
    for _ in range(_LP_ROUNDS):
        if time.perf_counter() > deadline:
            break
        duals = _solve_lp(side, columns, seed)
        if duals is None:
            break
        lagrange, reduced, lp_reduced = _price(side, duals)
        best_bound = min(best_bound, lagrange)
        excluded = np.ones(len(inst.pair_p), dtype=np.bool_)
        excluded[columns] = False
        excluded &= adm
        positive = np.flatnonzero(excluded & (lp_reduced > _TOLERANCE))
        if len(positive) == 0:
            break
        add = _best_per_participant(inst.pair_p, positive, -lp_reduced[positive])
        columns = np.union1d(columns, add)
    stats["lp_bound"] = best_bound
    start = _lagrangian_start(side, columns, relaxation.assigned, deadline)
    columns = np.union1d(columns, start[start >= 0])
    incumbent = start
    incumbent_value = _value(side, start)
    bound = best_bound
    rounds = 0
    while True:
        rounds += 1
        assigned, mip_bound = _solve_mip(side, columns, incumbent, deadline, seed, report, bound)
        value = _value(side, assigned)
        if value >= incumbent_value:
            incumbent, incumbent_value = assigned, value
        excluded = np.ones(len(inst.pair_p), dtype=np.bool_)
        excluded[columns] = False
        excluded &= adm
        if duals is not None:
            lagrange, reduced, _ = _price(side, duals)
            rest = reduced[excluded]
            worst = float(rest.max()) if len(rest) else -math.inf
            full = max(mip_bound, lagrange + min(0.0, worst))
            bound = min(best_bound, full)
            could_matter = np.flatnonzero(excluded & (lagrange + reduced > incumbent_value + 0.5))
        else:
            bound = min(best_bound, max(mip_bound, relax_value))
            could_matter = np.zeros(0, dtype=np.int64)
        bound = math.floor(bound + _TOLERANCE)
        if bound <= incumbent_value or time.perf_counter() > deadline or len(could_matter) == 0:
            break
        if len(could_matter) > 4 * len(columns):
            break  # widening would not fit in the time left; report the gap instead
        columns = np.union1d(columns, could_matter)
    stats.update(
        {
            "columns": float(len(columns)),
            "mip_rounds": float(rounds),
            "relaxation_rounds": float(relaxation.rounds),
        }
    )
    return MipOutcome(
        incumbent, incumbent_value, float(max(bound, incumbent_value)), relaxation, stats
    )


def _value(side: SideProblem, assigned: IntArray) -> float:
    chosen = assigned[assigned >= 0]
    return float(len(chosen) * side.weight + side.profit[chosen].sum())


def _couple_candidates(side: SideProblem) -> BoolArray:
    """Pairs of the organizations or prefectures where each couple fits best together."""
    inst = side.instance
    mask = np.zeros(len(inst.pair_p), dtype=np.bool_)
    adm = side.admissible
    starts = np.searchsorted(inst.pair_p[adm], np.arange(inst.tables.n_participants + 1))
    for a in np.flatnonzero(side.couple_of == np.arange(len(side.couple_of))):
        b = int(inst.partner_of[a])
        own_a, own_b = adm[starts[a] : starts[a + 1]], adm[starts[b] : starts[b + 1]]
        if len(own_a) == 0 or len(own_b) == 0:
            continue
        best_a, best_b = _best_by_group(side, own_a), _best_by_group(side, own_b)
        shared = sorted(set(best_a) & set(best_b), key=lambda g: (-(best_a[g] + best_b[g]), g))
        keep = np.asarray(shared[:_COUPLE_GROUPS], dtype=np.int64)
        for own in (own_a, own_b):
            inside = own[np.isin(side.group[own], keep)]
            mask[_best_per_participant_group(side, inside)] = True
    return mask


def _best_by_group(side: SideProblem, pairs: IntArray) -> dict[int, int]:
    best: dict[int, int] = {}
    for g, value in zip(side.group[pairs].tolist(), side.profit[pairs].tolist(), strict=True):
        if value > best.get(g, -1):
            best[g] = value
    return best


def _best_per_participant_group(side: SideProblem, pairs: IntArray) -> IntArray:
    order = np.lexsort((pairs, -side.profit[pairs], side.group[pairs]))
    ranked = pairs[order]
    groups = side.group[ranked]
    first = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1] if len(ranked) else ranked
    rank = np.arange(len(ranked)) - np.repeat(first, np.diff(np.r_[first, len(ranked)]))
    best: IntArray = ranked[rank < _PER_GROUP]
    return best


def _best_per_participant(
    owner_of: np.typing.NDArray[np.int32], pairs: IntArray, order_key: FloatArray
) -> IntArray:
    order = np.lexsort((pairs, order_key, owner_of[pairs]))
    ranked = pairs[order]
    owner = owner_of[ranked]
    first = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1]
    rank = np.arange(len(ranked)) - np.repeat(first, np.diff(np.r_[first, len(ranked)]))
    return np.sort(ranked[rank < _ADD_PER_PARTICIPANT])


@dataclass
class _Rows:
    participants: IntArray
    openings: IntArray
    keys: IntArray
    couples: IntArray  # couple row keys (couple index * groups + group)
    lp: highspy.HighsLp


def _build(side: SideProblem, columns: IntArray, integer: bool) -> _Rows:
    inst = side.instance
    p = inst.pair_p[columns].astype(np.int64)
    o = inst.pair_o[columns].astype(np.int64)
    n_col = len(columns)
    people = np.unique(p)
    openings = np.unique(o)
    rows, cols, vals = [np.searchsorted(people, p)], [np.arange(n_col)], [np.ones(n_col)]
    offset = len(people)
    rows.append(offset + np.searchsorted(openings, o))
    cols.append(np.arange(n_col))
    vals.append(np.ones(n_col))
    offset += len(openings)
    keys = np.zeros(0, dtype=np.int64)
    upper = [
        np.where(side.must_place[people], 1.0, 1.0),
        side.capacity[openings].astype(np.float64),
    ]
    lower = [np.where(side.must_place[people], 1.0, -np.inf), np.full(len(openings), -np.inf)]
    if side.cap_left is not None:
        key = side.key[columns]
        keys = np.unique(key)
        rows.append(offset + np.searchsorted(keys, key))
        cols.append(np.arange(n_col))
        vals.append(np.ones(n_col))
        offset += len(keys)
        upper.append(side.cap_left[keys].astype(np.float64))
        lower.append(np.full(len(keys), -np.inf))
    couple = side.couple_of[p]
    in_couple = np.flatnonzero(couple >= 0)
    n_groups = len(inst.tables.organization_ids) + 48
    couple_key = couple[in_couple] * n_groups + side.group[columns[in_couple]]
    couples = np.unique(couple_key)
    rows.append(offset + np.searchsorted(couples, couple_key))
    cols.append(in_couple)
    vals.append(np.where(p[in_couple] == couple[in_couple], 1.0, -1.0))
    upper.append(np.zeros(len(couples)))
    lower.append(np.zeros(len(couples)))
    n_row = offset + len(couples)
    matrix = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_row, n_col)
    )
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = (side.weight + side.profit[columns]).astype(np.float64)
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.ones(n_col)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_col
    return _Rows(people, openings, keys, couples, lp)


def _highs(seed: int, time_limit: float) -> highspy.Highs:
    if not _quiet["done"]:
        # HiGHS prints a banner on stdout the first time it is created; keep stdout clean.
        saved = os.dup(1)
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            try:
                highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
        _quiet["done"] = True
    else:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
    return highs


@dataclass
class _Duals:
    rows: _Rows
    values: FloatArray


def _solve_lp(side: SideProblem, columns: IntArray, seed: int) -> _Duals | None:
    rows = _build(side, columns, integer=False)
    highs = _highs(seed, 3600)
    # Interior point without crossover: ~10x faster than simplex here, and any dual
    # vector gives a valid Lagrangian bound, so a vertex is not needed.
    highs.setOptionValue("solver", "ipm")
    highs.setOptionValue("run_crossover", "off")
    highs.passModel(rows.lp)
    highs.run()
    if not highs.getSolution().dual_valid:
        return None
    return _Duals(rows, np.asarray(highs.getSolution().row_dual, dtype=np.float64))


def _price(side: SideProblem, duals: _Duals) -> tuple[float, FloatArray, FloatArray]:
    """Lagrangian bound on the full problem, and reduced costs of every pair.

    Returns (bound, rc with participant duals re-optimised, rc with the LP's duals), the
    reduced costs indexed like the pair arrays (-inf for pairs that are not admissible).
    """
    inst = side.instance
    rows, y = duals.rows, duals.values
    n, m = inst.tables.n_participants, inst.tables.n_openings
    n_p, n_o, n_k = len(rows.participants), len(rows.openings), len(rows.keys)
    y_part = np.zeros(n)
    y_part[rows.participants] = y[:n_p]
    must = side.must_place
    y_part = np.where(must, y_part, np.maximum(y_part, 0.0))
    y_open = np.zeros(m)
    y_open[rows.openings] = np.maximum(y[n_p : n_p + n_o], 0.0)
    reduced = side.adm_cost - y_open[side.adm_o]
    bound = float(y_open[rows.openings] @ side.capacity[rows.openings])
    if side.cap_left is not None and n_k:
        y_key = np.zeros(len(side.cap_left))
        y_key[rows.keys] = np.maximum(y[n_p + n_o : n_p + n_o + n_k], 0.0)
        reduced -= y_key[side.key[side.admissible]]
        bound += float(y_key[rows.keys] @ side.cap_left[rows.keys])
    if len(rows.couples) and len(side.adm_couple):
        y_couple = y[n_p + n_o + n_k :]
        at_pairs = side.admissible[side.adm_couple]
        p = side.adm_p[side.adm_couple]
        couple = side.couple_of[p]
        n_groups = len(inst.tables.organization_ids) + 48
        ckey = couple * n_groups + side.group[at_pairs]
        at = np.minimum(np.searchsorted(rows.couples, ckey), len(rows.couples) - 1)
        hit = rows.couples[at] == ckey
        sign = np.where(p == couple, 1.0, -1.0)
        reduced[side.adm_couple] -= np.where(hit, sign * y_couple[at], 0.0)
    # Re-optimise each participant's dual in closed form: max(0, best c') (free if must place).
    owners = side.adm_p[side.adm_starts]
    best = np.maximum.reduceat(reduced, side.adm_starts) if len(reduced) else np.zeros(0)
    y_best = np.where(must[owners], best, np.maximum(best, 0.0))
    bound += float(y_best.sum())
    y_opt = np.zeros(n)
    y_opt[owners] = y_best
    full_reduced = np.full(len(inst.pair_p), -np.inf)
    lp_reduced = np.full(len(inst.pair_p), -np.inf)
    full_reduced[side.admissible] = reduced - y_opt[side.adm_p]
    lp_reduced[side.admissible] = reduced - y_part[side.adm_p]
    return bound, full_reduced, lp_reduced


def _repair(side: SideProblem, assigned: IntArray) -> IntArray:
    """The relaxation's plan made feasible: split couples and over-cap people unplaced."""
    inst = side.instance
    plan = assigned.copy()
    for a in np.flatnonzero(side.couple_of == np.arange(len(side.couple_of))):
        b = int(inst.partner_of[a])
        ja, jb = plan[a], plan[b]
        if ja < 0 or jb < 0 or side.group[ja] != side.group[jb]:
            plan[a] = plan[b] = -1
    if side.cap_left is not None:
        placed = np.flatnonzero(plan >= 0)
        pairs = plan[placed]
        order = np.lexsort((-side.profit[pairs], side.key[pairs]))
        keys = side.key[pairs][order]
        first = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1] if len(keys) else keys
        rank = np.arange(len(keys)) - np.repeat(first, np.diff(np.r_[first, len(keys)]))
        over = rank >= side.cap_left[keys]
        dropped = placed[order][over]
        plan[dropped] = -1
        for i in dropped:
            k = int(inst.partner_of[i])
            if k >= 0:
                plan[k] = -1
    return _refill(side, _place_couples(side, plan))


def _place_couples(side: SideProblem, plan: IntArray) -> IntArray:
    """Greedily place unplaced couples together on the slots and cap room left."""
    inst = side.instance
    plan = plan.copy()
    placed = plan[plan >= 0]
    room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
    key_room = None
    if side.cap_left is not None:
        key_room = side.cap_left - np.bincount(side.key[placed], minlength=len(side.cap_left))
    for a in np.flatnonzero((side.couple_of == np.arange(len(side.couple_of))) & (plan < 0)):
        b = int(inst.partner_of[a])
        if plan[b] >= 0:
            continue
        best: tuple[int, int, int] | None = None
        pairs_a = _own(side, int(a))
        pairs_b = _own(side, b)
        pairs_a = pairs_a[room[inst.pair_o[pairs_a]] > 0]
        pairs_b = pairs_b[room[inst.pair_o[pairs_b]] > 0]
        if key_room is not None:
            pairs_a = pairs_a[key_room[side.key[pairs_a]] > 0]
            pairs_b = pairs_b[key_room[side.key[pairs_b]] > 0]
        shared = np.intersect1d(side.group[pairs_a], side.group[pairs_b])
        for g in shared.tolist():
            in_a = pairs_a[side.group[pairs_a] == g]
            in_b = pairs_b[side.group[pairs_b] == g]
            ja = int(in_a[np.argmax(side.profit[in_a])])
            for jb in in_b[np.argsort(-side.profit[in_b], kind="stable")].tolist():
                same_opening = inst.pair_o[ja] == inst.pair_o[jb]
                same_key = side.key[ja] == side.key[jb]
                if same_opening and room[inst.pair_o[ja]] < 2:
                    continue
                if same_key and key_room is not None and key_room[side.key[ja]] < 2:
                    continue
                value = int(side.profit[ja] + side.profit[jb])
                if best is None or value > best[0]:
                    best = (value, ja, jb)
                break
        if best is not None:
            _, ja, jb = best
            plan[a], plan[b] = ja, jb
            for j in (ja, jb):
                room[inst.pair_o[j]] -= 1
                if key_room is not None:
                    key_room[side.key[j]] -= 1
    return plan


def _own(side: SideProblem, participant: int) -> IntArray:
    starts = side.adm_starts
    owners = side.adm_p[starts]
    at = int(np.searchsorted(owners, participant))
    if at >= len(owners) or owners[at] != participant:
        return np.zeros(0, dtype=np.int64)
    end = starts[at + 1] if at + 1 < len(starts) else len(side.adm_p)
    return side.admissible[starts[at] : end]


def _lagrangian_start(
    side: SideProblem, columns: IntArray, relaxed: IntArray, deadline: float
) -> IntArray:
    """A good feasible start: flows with penalties on over-cap (country, prefecture) pairs.

    Subgradient steps on the cap constraints' multipliers move people from prefectures
    over their country cap to others; each flow's plan is repaired and refilled, and the
    best is kept. Without caps this is the repaired relaxation.
    """
    best = _repair(side, relaxed)
    best_value = _value(side, best)
    if side.cap_left is None:
        return best
    inst = side.instance
    penalty = np.zeros(len(side.cap_left))
    step = float(np.percentile(side.profit[columns], 75)) if len(columns) else 1.0
    for _ in range(12):
        if time.perf_counter() > deadline:
            break
        profit = side.profit - np.rint(penalty[side.key]).astype(np.int64)
        assigned = solve_min_cost_flow(inst, columns, side.capacity, profit)
        load = np.bincount(side.key[assigned[assigned >= 0]], minlength=len(side.cap_left))
        excess = load - side.cap_left
        if (excess <= 0).all():
            step *= 0.5
        penalty = np.maximum(
            0.0,
            penalty + step * np.sign(excess) * (excess != 0) * (penalty > 0) + step * (excess > 0),
        )
        step *= 0.8
        plan = _repair(side, assigned)
        value = _value(side, plan)
        if value > best_value:
            best, best_value = plan, value
    return best


def _refill(side: SideProblem, plan: IntArray) -> IntArray:
    """Place unplaced singles on the slots and cap room left, by min-cost flow, until stable."""
    inst = side.instance
    plan = plan.copy()
    for _ in range(8):
        placed = plan[plan >= 0]
        room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
        waiting = (plan < 0) & (side.couple_of < 0)
        usable = waiting[side.adm_p] & (room[side.adm_o] > 0)
        key_room = None
        if side.cap_left is not None:
            key_room = side.cap_left - np.bincount(side.key[placed], minlength=len(side.cap_left))
            usable &= key_room[side.key[side.admissible]] > 0
        pairs = side.admissible[usable]
        if len(pairs) == 0:
            break
        added = solve_min_cost_flow(inst, pairs, np.maximum(room, 0), side.profit)
        new = np.flatnonzero(added >= 0)
        if key_room is not None and len(new):
            keys = side.key[added[new]]
            order = np.lexsort((-side.profit[added[new]], keys))
            ranked = keys[order]
            first = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1]
            rank = np.arange(len(ranked)) - np.repeat(first, np.diff(np.r_[first, len(ranked)]))
            new = new[order][rank < key_room[ranked]]
        if len(new) == 0:
            break
        plan[new] = added[new]
    return plan


def _solve_mip(
    side: SideProblem,
    columns: IntArray,
    start: IntArray,
    deadline: float,
    seed: int,
    report: Reporter | None,
    outer_bound: float,
) -> tuple[IntArray, float]:
    inst = side.instance
    rows = _build(side, columns, integer=True)
    highs = _highs(seed, deadline - time.perf_counter())
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 0.99)
    highs.passModel(rows.lp)
    chosen = start[start >= 0]
    in_model = np.isin(chosen, columns)
    if in_model.all() and len(chosen):
        index = np.searchsorted(columns, chosen).astype(np.int32)
        highs.setSolution(len(index), index, np.ones(len(index)))

    def improved(event: Any) -> None:
        if report is not None:
            data = event.data_out
            if report(float(data.mip_primal_bound), min(outer_bound, float(data.mip_dual_bound))):
                event.interrupt()

    if report is not None:
        highs.cbMipImprovingSolution.subscribe(improved)
    highs.run()
    info = highs.getInfo()
    assigned = np.full(inst.tables.n_participants, -1, dtype=np.int64)
    solution = highs.getSolution()
    if solution.value_valid:
        values = np.asarray(solution.col_value)
        picked = columns[values > 0.5]
        assigned[inst.pair_p[picked]] = picked
    bound = float(info.mip_dual_bound)
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal and solution.value_valid:
        bound = min(bound, _value(side, assigned) + 0.99)
    if not np.isfinite(bound):
        bound = math.inf
    return assigned, bound


def build_side(
    instance: Instance,
    admissible: IntArray,
    capacity: IntArray,
    profit: IntArray,
    cap_left: IntArray | None,
    must_place: BoolArray,
) -> SideProblem:
    """Assemble the side-constrained problem (couples of non-pinned members, caps)."""
    partner = instance.partner_of
    n = instance.tables.n_participants
    index = np.arange(n)
    free = instance.pin_of < 0
    both_free = (partner >= 0) & free & free[np.maximum(partner, 0)]
    couple_of = np.where(both_free, np.minimum(index, np.maximum(partner, 0)), -1)
    return SideProblem(
        instance=instance,
        admissible=admissible,
        profit=profit,
        capacity=capacity,
        cap_left=cap_left,
        must_place=must_place,
        couple_of=couple_of,
        weight=lexicographic_weight(instance, profit),
    )


__all__ = ["MipOutcome", "Reporter", "SideProblem", "build_side", "solve_side"]
