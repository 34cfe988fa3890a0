"""The side-constrained engine: couples and country caps, with a bound proven on ALL pairs.

The objective is lexicographic (most placements, then the highest profit), and so is
the bound: `placed_bound` (no plan places more) and `score_bound` (no plan placing
`placed_bound` people has a higher profit). Both are proven on every admissible pair,
not only on the pairs a model happened to hold:

1. **Usable pairs.** A couple member's pair in an organization (same_organization) or
   prefecture (same_prefecture) where the partner has no admissible pair can never be
   used; those pairs are dropped. Every other admissible pair stays in play.
2. **Placements.** The min-cost flow over the usable pairs (couples split, no caps) is
   a relaxation: its placements bound every plan's. When its plan keeps the couples and
   the caps it is optimal and the engine stops there.
3. **Score.** The LP relaxation of the full problem with a cardinality row
   `sum x >= placed_bound` (soft: a slack column pays a penalty per missing place) is
   solved by column generation on ONE HiGHS model (dual simplex): new pairs enter with
   `addCols` and new couple rows with `addRows`, each re-solve starting from the last
   basis. After every solve the duals price all usable pairs (numpy), and give a
   Lagrangian bound on the full problem: openings, caps and the cardinality row are
   dualised, each single keeps its best pair and each couple its best pair of pairs in
   one group. The bound is valid at every round, converged or not. Profits are the
   costs (no big-M weight per placement: the cardinality row carries the first level
   of the objective), which keeps the LP well scaled and fast.
4. **Plans.** A sub-MIP frees the participants the LP left fractional, those holding
   an opening (then a cap) they touch, and their partners, and keeps everyone else
   where the LP put them; with time left, a MIP over every pair that could still beat
   the best plan (by the reduced-cost argument below) either improves it or proves it
   optimal.
5. **Placements, again.** When no plan reaches `placed_bound`, the same column
   generation with unit costs bounds the placements (the LP of the cardinality problem,
   Lagrangian again); if that leaves room above the best plan, a MIP over the pairs the
   same argument cannot rule out looks for a plan placing one more. `placed_bound` is
   lowered to what is proven, and the search goes on at that count.

Reduced-cost argument: for duals y, any plan placing `placed_bound` people is worth at
most L(y) minus the *loss* of each choice (how far below its participant's or couple's
best reduced cost it is; >= 0). A plan better than the incumbent therefore uses only
pairs whose loss is at most L(y) - incumbent - 1 (profits are integers), so a MIP over
those pairs alone is exact for the full problem.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.flow import rank_in_runs, solve_certified, solve_min_cost_flow
from jet_match.solver.instance import Instance, couple_group
from jet_match.solver.policy import BoolArray, IntArray

FloatArray = np.typing.NDArray[np.float64]

#: Called with (placed, score, placed bound, score bound) of the best plan so far, in
#: profit units of the free participants; returning True stops the search.
Reporter = Callable[[int, int, int, float], bool]

_COUPLE_GROUPS = 6  # organizations / prefectures seeded per couple
_PER_GROUP = 3  # pairs seeded per couple member and group
_ADD_SINGLE = 6  # pairs priced in per single participant and round
_ADD_COUPLE = 40  # pairs priced in per couple member and round
_PRICE_TOLERANCE = 1e-6
_BOUND_TOLERANCE = 1e-3  # float rounding allowance before flooring a bound
_MAX_SUB_MIP_COLUMNS = 150_000
_WIDEST_NEEDS_S = 20.0  # time left to try a MIP over every pair of the LP model
_MIP_NEEDS_S = 1.0  # time left to start any MIP
_quiet = {"done": False}


@dataclass
class SideProblem:
    """The side-constrained problem over every admissible pair (a mask over the pair arrays).

    The index arrays of the admissible pairs are built on first use: a re-solve whose
    relaxation already keeps the couples and caps never needs them.
    """

    instance: Instance
    admissible_mask: BoolArray
    profit: IntArray
    capacity: IntArray
    cap_left: IntArray | None  # per (country, prefecture) key
    must_place: BoolArray  # partners of pinned participants
    couple_of: IntArray  # smaller index of the couple, -1 for singles

    @cached_property
    def admissible(self) -> IntArray:
        """Indices of the admissible pairs (sorted)."""
        return np.flatnonzero(self.admissible_mask)

    @cached_property
    def adm_p(self) -> IntArray:
        """Participant of each admissible pair."""
        return self.instance.pair_p[self.admissible].astype(np.int64)

    @cached_property
    def adm_o(self) -> IntArray:
        """Opening of each admissible pair."""
        return self.instance.pair_o[self.admissible].astype(np.int64)

    @cached_property
    def adm_starts(self) -> IntArray:
        """First admissible pair of each participant having one."""
        p = self.adm_p
        return np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, np.int64)

    def group_of(self, pairs: IntArray) -> IntArray:
        """Couple group of pairs: the organization, or the prefecture (after all of those)."""
        inst = self.instance
        p, o = inst.pair_p[pairs].astype(np.int64), inst.pair_o[pairs].astype(np.int64)
        return couple_group(inst, p, o)

    def key_of(self, pairs: IntArray) -> IntArray:
        """(country, prefecture) cap key of pairs."""
        inst = self.instance
        p, o = inst.pair_p[pairs].astype(np.int64), inst.pair_o[pairs].astype(np.int64)
        return inst.country_prefecture(p, o)

    @property
    def n_groups(self) -> int:
        """Number of distinct couple groups (organizations, then prefectures)."""
        return len(self.instance.tables.organization_ids) + 48


@dataclass
class MipOutcome:
    """The best plan (pair index per participant, -1 unplaced) and the proven bound.

    `score_bound` bounds the profit of the free participants' pairs over plans placing
    `placed_bound` of them (no plan places more).
    """

    assigned: IntArray
    placed: int
    score: int
    placed_bound: int
    score_bound: int
    stats: dict[str, float]
    feasible: bool = True

    @property
    def optimal(self) -> bool:
        """The plan reaches the bound."""
        return self.placed == self.placed_bound and self.score >= self.score_bound


def build_side(
    instance: Instance,
    admissible: BoolArray,
    capacity: IntArray,
    profit: IntArray,
    cap_left: IntArray | None,
    must_place: BoolArray,
) -> SideProblem:
    """Assemble the side-constrained problem (couples of non-pinned members, caps);
    `admissible` is a mask over the pair arrays."""
    partner = instance.partner_of
    n = instance.tables.n_participants
    index = np.arange(n)
    free = instance.pin_of < 0
    both_free = (partner >= 0) & free & free[np.maximum(partner, 0)]
    couple_of = np.where(both_free, np.minimum(index, np.maximum(partner, 0)), -1)
    return SideProblem(
        instance=instance,
        admissible_mask=admissible,
        profit=profit,
        capacity=capacity,
        cap_left=cap_left,
        must_place=must_place,
        couple_of=couple_of,
    )


# --- the usable pairs and their couple keys ----------------------------------------------


@dataclass
class _Pairs:
    """The usable pairs (indices into the pair arrays, sorted) and their structure."""

    index: IntArray
    p: IntArray
    o: IntArray
    key: IntArray
    ckey: IntArray  # couple * n_groups + group for couple members' pairs, -1 for singles
    first: BoolArray  # the pair's participant is the couple's smaller index
    starts: IntArray  # first usable pair of each participant having one
    run_length: IntArray  # number of usable pairs of each of them
    owners: IntArray  # those participants
    couple_at: IntArray  # positions of couple members' pairs
    single: BoolArray  # per owner: not in a couple
    must: BoolArray  # per owner: must be placed
    couples: IntArray  # couple ids (smaller member index) having a usable pair


def _usable_mask(side: SideProblem) -> BoolArray:
    """Mask of the usable pairs over the pair arrays: the admissible pairs, less the couple
    members' pairs in a group where the partner has none (only couples' pairs are read)."""
    usable = side.admissible_mask.copy()
    at, ckey, first = _member_pairs(side, np.flatnonzero(side.couple_of >= 0))
    keep = np.isin(ckey, np.intersect1d(ckey[first], ckey[~first]))
    usable[at[~keep]] = False
    return usable


def _member_pairs(side: SideProblem, members: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """The admissible pairs of couple members (sorted indices into the pair arrays), their
    couple keys (couple x n_groups + group) and whether the member is the smaller index."""
    at = side.instance.pairs_of(members)
    at = at[side.admissible_mask[at]]
    p = side.instance.pair_p[at].astype(np.int64)
    couple = side.couple_of[p]
    return at, couple * side.n_groups + side.group_of(at), p == couple


def _usable(side: SideProblem, usable: BoolArray) -> _Pairs:
    inst = side.instance
    index = np.flatnonzero(usable)
    member_at, member_ckey, member_first = _member_pairs(side, np.flatnonzero(side.couple_of >= 0))
    in_usable = usable[member_at]
    member_at = np.searchsorted(index, member_at[in_usable])
    ckey = np.full(len(index), -1, dtype=np.int64)
    ckey[member_at] = member_ckey[in_usable]
    first = np.zeros(len(index), dtype=np.bool_)
    first[member_at] = member_first[in_usable]
    p = inst.pair_p[index].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, dtype=np.int64)
    owners = p[starts]
    return _Pairs(
        index=index,
        p=p,
        o=inst.pair_o[index].astype(np.int64),
        key=side.key_of(index),
        ckey=ckey,
        first=first,
        starts=starts,
        run_length=np.diff(np.r_[starts, len(p)]),
        owners=owners,
        couple_at=np.flatnonzero(ckey >= 0),
        single=side.couple_of[owners] < 0,
        must=side.must_place[owners],
        couples=np.unique(side.couple_of[owners][side.couple_of[owners] >= 0]),
    )


# --- Lagrangian bound and pricing ---------------------------------------------------------


@dataclass
class _Prices:
    """Dual prices of the relaxed rows (all >= 0)."""

    opening: FloatArray  # per opening
    key: FloatArray  # per (country, prefecture) key
    placement: float  # of the cardinality row


@dataclass
class _Lagrangian:
    bound: float
    reduced: FloatArray  # per usable pair: cost - opening - key + placement prices
    loss: FloatArray  # per usable pair: how far below its owner's best choice


def _lagrangian(
    side: SideProblem, pairs: _Pairs, costs: FloatArray, prices: _Prices, placed_min: int
) -> _Lagrangian:
    """L(y) = priced capacities - placement price x placed_min + each owner's best choice.

    Singles choose their best pair or nothing (a must-place participant, their best
    pair); couples choose their best pair of pairs in one shared group, or nothing.
    """
    reduced = costs - prices.opening[pairs.o] + prices.placement
    if side.cap_left is not None:
        reduced = reduced - prices.key[pairs.key]
    if len(reduced) == 0:
        return _Lagrangian(0.0, reduced, reduced)
    best = np.maximum.reduceat(reduced, pairs.starts)
    own_best = np.where(pairs.must, best, np.maximum(best, 0.0))
    total = float(own_best[pairs.single].sum())
    loss = np.repeat(own_best, pairs.run_length) - reduced
    at = pairs.couple_at
    if len(at):
        # Best reduced cost per (couple group, member), then per couple over shared groups.
        member_key = pairs.ckey[at] * 2 + pairs.first[at]
        keys, inverse = np.unique(member_key, return_inverse=True)
        group_best = np.full(len(keys), -np.inf)
        np.maximum.at(group_best, inverse, reduced[at])
        is_first = keys % 2 == 1
        groups_a, groups_b = keys[is_first] // 2, keys[~is_first] // 2
        common, ia, ib = np.intersect1d(groups_a, groups_b, return_indices=True)
        joint = group_best[is_first][ia] + group_best[~is_first][ib]
        couple_at = np.searchsorted(pairs.couples, common // side.n_groups)
        couple_best = np.zeros(len(pairs.couples))
        np.maximum.at(couple_best, couple_at, joint)
        total += float(couple_best.sum())
        # Loss of a member's pair: the couple's best minus the pair with the partner's best.
        partner_key = pairs.ckey[at] * 2 + (~pairs.first[at])
        partner_at = np.minimum(np.searchsorted(keys, partner_key), len(keys) - 1)
        partner_best = np.where(keys[partner_at] == partner_key, group_best[partner_at], -np.inf)
        owner_couple = np.searchsorted(pairs.couples, pairs.ckey[at] // side.n_groups)
        loss[at] = couple_best[owner_couple] - (reduced[at] + partner_best)
    bound = total + float(prices.opening @ side.capacity) - prices.placement * placed_min
    if side.cap_left is not None:
        bound += float(prices.key @ side.cap_left)
    return _Lagrangian(bound, reduced, loss)


# --- the LP master ------------------------------------------------------------------------


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


class _Master:
    """The LP relaxation over a growing set of usable pairs, kept in one HiGHS model.

    Rows: participants (<= 1, = 1 when they must be placed), openings (<= free slots),
    the caps that can bind, the cardinality row (>= placed_min, with a slack column), and
    one row per couple and group (x_a(g) - x_b(g) = 0) added when a pair needs it.
    """

    def __init__(
        self,
        side: SideProblem,
        pairs: _Pairs,
        placed_min: int,
        penalty: float,
        seed: int,
        stats: dict[str, float],
    ) -> None:
        self.side = side
        self.stats = stats
        self.slack = math.inf  # places the last LP solution misses of placed_min
        self.converged = False  # no pair priced in at the last solve
        self.pairs = pairs
        self.placed_min = placed_min
        n = side.instance.tables.n_participants
        m = side.instance.tables.n_openings
        self.person_row = np.full(n, -1, dtype=np.int64)
        self.person_row[pairs.owners] = np.arange(len(pairs.owners))
        self.opening_row0 = len(pairs.owners)
        keys = np.zeros(0, dtype=np.int64)
        if side.cap_left is not None and len(pairs.p):
            # A cap binds only if more participants could be placed under it than it allows.
            n_keys = len(side.cap_left)
            per_key = np.unique(pairs.key * n + pairs.p) // n
            used, counts = np.unique(per_key, return_counts=True)
            keys = used[counts > side.cap_left[used]]
            self.key_row = np.full(n_keys, -1, dtype=np.int64)
            self.key_row[keys] = self.opening_row0 + m + np.arange(len(keys))
        self.keys = keys
        self.card_row = self.opening_row0 + m + len(keys)
        self.couple_keys = np.zeros(0, dtype=np.int64)  # sorted couple row keys
        self.couple_rows = np.zeros(0, dtype=np.int64)
        self.n_rows = self.card_row + 1
        self.in_model = np.zeros(len(pairs.p), dtype=np.bool_)  # by usable position
        self.columns: list[IntArray] = []  # usable positions, in column order (after slack)
        lower = np.full(self.n_rows, -np.inf)
        lower[: len(pairs.owners)] = np.where(pairs.must, 1.0, -np.inf)
        lower[self.card_row] = placed_min
        upper = np.concatenate(
            [
                np.ones(len(pairs.owners)),
                side.capacity.astype(np.float64),
                (side.cap_left[keys] if side.cap_left is not None else keys).astype(np.float64),
                [np.inf],
            ]
        )
        self.highs = _highs(seed, 3600.0)
        model = highspy.HighsLp()
        model.num_row_ = self.n_rows
        model.num_col_ = 0
        model.row_lower_ = lower
        model.row_upper_ = upper
        model.sense_ = highspy.ObjSense.kMaximize
        self.highs.passModel(model)
        self.highs.addCols(
            1,
            np.array([-penalty]),
            np.zeros(1),
            np.array([np.inf]),
            1,
            np.zeros(1, dtype=np.int32),
            np.array([self.card_row], dtype=np.int32),
            np.ones(1),
        )

    def add(self, positions: IntArray, costs: FloatArray) -> None:
        """Add usable pairs (positions in `pairs`) not yet in the model as columns."""
        positions = positions[~self.in_model[positions]]
        if len(positions) == 0:
            return
        pairs = self.pairs
        ckey = pairs.ckey[positions]
        new = np.setdiff1d(ckey[ckey >= 0], self.couple_keys)
        if len(new):
            rows = self.n_rows + np.arange(len(new))
            self.highs.addRows(
                len(new),
                np.zeros(len(new)),
                np.zeros(len(new)),
                0,
                np.zeros(0, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
            self.n_rows += len(new)
            merged = np.concatenate([self.couple_keys, new])
            order = np.argsort(merged, kind="stable")
            self.couple_keys = merged[order]
            self.couple_rows = np.concatenate([self.couple_rows, rows])[order]
        has_key = np.zeros(len(positions), dtype=np.bool_)
        key_rows = np.zeros(len(positions), dtype=np.int64)
        if len(self.keys):
            key_rows = self.key_row[pairs.key[positions]]
            has_key = key_rows >= 0
        has_couple = ckey >= 0
        couple_rows = self._couple_row(ckey)
        counts = 3 + has_key + has_couple
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        index = np.empty(int(counts.sum()), dtype=np.int32)
        value = np.ones(len(index))
        index[starts] = self.person_row[pairs.p[positions]]
        index[starts + 1] = self.opening_row0 + pairs.o[positions]
        index[starts + 2] = self.card_row
        index[(starts + 3)[has_key]] = key_rows[has_key]
        at = (starts + 3 + has_key)[has_couple]
        index[at] = couple_rows[has_couple]
        value[at] = np.where(pairs.first[positions][has_couple], 1.0, -1.0)
        k = len(positions)
        self.highs.addCols(
            k,
            costs[positions],
            np.zeros(k),
            np.ones(k),
            len(index),
            starts.astype(np.int32),
            index,
            value,
        )
        self.columns.append(positions)
        self.in_model[positions] = True

    def _couple_row(self, ckey: IntArray) -> IntArray:
        if len(self.couple_keys) == 0:
            return np.full(len(ckey), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.couple_keys, ckey), len(self.couple_keys) - 1)
        return np.where(self.couple_keys[at] == ckey, self.couple_rows[at], -1)

    def set_costs(self, costs: FloatArray, penalty: float, placed_min: float) -> None:
        """New column costs (e.g. unit costs for the placements bound) and cardinality row."""
        order = self.order()
        self.highs.changeColsCost(
            len(order) + 1,
            np.arange(len(order) + 1, dtype=np.int32),
            np.concatenate([[-penalty], costs[order]]),
        )
        self.highs.changeRowBounds(self.card_row, placed_min, np.inf)
        self.placed_min = int(placed_min) if np.isfinite(placed_min) else 0

    def order(self) -> IntArray:
        """Usable positions of the columns, in column order."""
        return np.concatenate(self.columns) if self.columns else np.zeros(0, dtype=np.int64)

    def solve(self, deadline: float) -> tuple[_Prices, FloatArray, FloatArray] | None:
        """Solve; return the dual prices, the LP reduced costs of all usable pairs and x."""
        self.highs.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        began = time.perf_counter()
        self.highs.run()
        _count(self.stats, "lp_solve_s", time.perf_counter() - began)
        _count(self.stats, "lp_iterations", float(self.highs.getInfo().simplex_iteration_count))
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = self.highs.getSolution()
        y = np.asarray(solution.row_dual, dtype=np.float64)
        side, pairs = self.side, self.pairs
        m = side.instance.tables.n_openings
        key_price = np.zeros(len(side.cap_left) if side.cap_left is not None else 0)
        if len(self.keys):
            key_price[self.keys] = np.maximum(y[self.key_row[self.keys]], 0.0)
        prices = _Prices(
            opening=np.maximum(y[self.opening_row0 : self.opening_row0 + m], 0.0),
            key=key_price,
            placement=max(-float(y[self.card_row]), 0.0),
        )
        duals = np.repeat(y[: len(pairs.owners)], pairs.run_length)
        at = pairs.couple_at
        rows = self._couple_row(pairs.ckey[at])
        duals[at] += np.where(
            rows >= 0, y[np.maximum(rows, 0)] * np.where(pairs.first[at], 1.0, -1.0), 0.0
        )
        values = np.asarray(solution.col_value, dtype=np.float64)
        self.slack = float(values[0])
        return prices, duals, values[1:]


# --- plans ------------------------------------------------------------------------------


def _count(stats: dict[str, float], name: str, amount: float) -> None:
    stats[name] = stats.get(name, 0.0) + amount


def _value(side: SideProblem, assigned: IntArray) -> tuple[int, int]:
    chosen = assigned[assigned >= 0]
    return len(chosen), int(side.profit[chosen].sum())


def _feasible(side: SideProblem, assigned: IntArray) -> bool:
    """The plan keeps couples together, caps, capacities and must-place participants."""
    inst = side.instance
    chosen = assigned[assigned >= 0]
    if (np.bincount(inst.pair_o[chosen], minlength=len(side.capacity)) > side.capacity).any():
        return False
    if (side.must_place & (assigned < 0)).any():
        return False
    if side.cap_left is not None:
        load = np.bincount(side.key_of(chosen), minlength=len(side.cap_left))
        if (load > side.cap_left).any():
            return False
    firsts = np.flatnonzero(side.couple_of == np.arange(len(side.couple_of)))
    partners = inst.partner_of[firsts]
    ja, jb = assigned[firsts], assigned[partners]
    if ((ja >= 0) != (jb >= 0)).any():
        return False
    both = (ja >= 0) & (jb >= 0)
    return not (side.group_of(ja[both]) != side.group_of(jb[both])).any()


def _sub_mip(
    side: SideProblem,
    columns: IntArray,
    fixed: IntArray,
    placed_min: int,
    start: IntArray | None,
    search: _Search,
    relative_gap: float = 0.0,
) -> tuple[IntArray | None, float, bool]:
    """Best plan using `fixed` pairs plus a choice among `columns` (pair indices).

    Returns (assigned or None, the MIP's bound on the columns' profit, proven optimal).
    """
    inst = side.instance
    n = inst.tables.n_participants
    if search.deadline - time.perf_counter() < _MIP_NEEDS_S:
        return None, math.inf, False
    capacity = side.capacity - np.bincount(inst.pair_o[fixed], minlength=len(side.capacity))
    cap_left = None
    if side.cap_left is not None:
        cap_left = side.cap_left - np.bincount(side.key_of(fixed), minlength=len(side.cap_left))
    p = inst.pair_p[columns].astype(np.int64)
    o = inst.pair_o[columns].astype(np.int64)
    people, person_row = np.unique(p, return_inverse=True)
    openings, opening_row = np.unique(o, return_inverse=True)
    row_parts, lower, upper = [person_row], [np.where(side.must_place[people], 1.0, -np.inf)], []
    upper.append(np.ones(len(people)))
    offset = len(people)
    row_parts.append(offset + opening_row)
    lower.append(np.full(len(openings), -np.inf))
    upper.append(capacity[openings].astype(np.float64))
    offset += len(openings)
    col_parts = [np.arange(len(columns)), np.arange(len(columns))]
    val_parts = [np.ones(len(columns)), np.ones(len(columns))]
    if cap_left is not None:
        keys, key_row = np.unique(side.key_of(columns), return_inverse=True)
        row_parts.append(offset + key_row)
        col_parts.append(np.arange(len(columns)))
        val_parts.append(np.ones(len(columns)))
        lower.append(np.full(len(keys), -np.inf))
        upper.append(cap_left[keys].astype(np.float64))
        offset += len(keys)
    couple = side.couple_of[p]
    at = np.flatnonzero(couple >= 0)
    ckeys, ckey_row = np.unique(
        couple[at] * side.n_groups + side.group_of(columns[at]), return_inverse=True
    )
    row_parts.append(offset + ckey_row)
    col_parts.append(at)
    val_parts.append(np.where(p[at] == couple[at], 1.0, -1.0))
    lower.append(np.zeros(len(ckeys)))
    upper.append(np.zeros(len(ckeys)))
    offset += len(ckeys)
    row_parts.append(np.full(len(columns), offset))
    col_parts.append(np.arange(len(columns)))
    val_parts.append(np.ones(len(columns)))
    lower.append(np.array([float(placed_min - len(fixed))]))
    upper.append(np.array([np.inf]))
    n_row = offset + 1
    matrix = sp.csc_matrix(
        (np.concatenate(val_parts), (np.concatenate(row_parts), np.concatenate(col_parts))),
        shape=(n_row, len(columns)),
    )
    model = highspy.HighsLp()
    model.num_col_ = len(columns)
    model.num_row_ = n_row
    model.col_cost_ = side.profit[columns].astype(np.float64)
    model.col_lower_ = np.zeros(len(columns))
    model.col_upper_ = np.ones(len(columns))
    model.row_lower_ = np.concatenate(lower)
    model.row_upper_ = np.concatenate(upper)
    model.sense_ = highspy.ObjSense.kMaximize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    model.a_matrix_.index_ = matrix.indices.astype(np.int32)
    model.a_matrix_.value_ = matrix.data.astype(np.float64)
    model.a_matrix_.num_col_ = len(columns)
    model.a_matrix_.num_row_ = n_row
    model.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)

    def interrupt(event: Any) -> None:
        if search.stopped or (search.report is not None and search.report_now()):
            event.interrupt()

    def run(warm: bool) -> highspy.Highs:
        highs = _highs(search.seed, search.deadline - time.perf_counter())
        highs.setOptionValue("mip_rel_gap", float(relative_gap))
        highs.setOptionValue("mip_abs_gap", 0.99)
        highs.passModel(model)
        highs.cbMipInterrupt.subscribe(interrupt)
        chosen = start[start >= 0] if warm and start is not None else np.zeros(0, np.int64)
        chosen = chosen[np.isin(chosen, columns)]
        if len(chosen):
            # A complete start (every column valued): HiGHS 1.16 completes a partial one
            # with a sub-MIP, and then may stop at it as "optimal" below its own bound.
            values = np.zeros(len(columns))
            values[np.searchsorted(columns, chosen)] = 1.0
            solution = highspy.HighsSolution()
            solution.col_value = values
            solution.value_valid = True
            highs.setSolution(solution)
        highs.run()
        return highs

    def value(highs: highspy.Highs) -> float:
        solution = highs.getSolution()
        if not solution.value_valid:
            return -math.inf
        return float(side.profit[columns[np.asarray(solution.col_value) > 0.5]].sum())

    highs = run(warm=True)
    status = highs.getModelStatus()
    if highs.getSolution().value_valid and value(highs) < (
        highs.getInfo().objective_function_value - 0.5
    ):
        # HiGHS 1.16's presolve can map a start to a better objective in the reduced space
        # ("feasible in the reduced space: ...") and then return the start itself, worth
        # less than the objective it reports: solve again without the start.
        highs = run(warm=False)
        status = highs.getModelStatus()
    bound = float(highs.getInfo().mip_dual_bound)
    solution = highs.getSolution()
    proven = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
    if status == highspy.HighsModelStatus.kInfeasible:
        return None, -math.inf, True
    if not solution.value_valid:
        return None, bound if np.isfinite(bound) else math.inf, proven
    picked = columns[np.asarray(solution.col_value) > 0.5]
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[inst.pair_p[fixed]] = fixed
    assigned[inst.pair_p[picked]] = picked
    return assigned, bound if np.isfinite(bound) else math.inf, proven


# --- the search ---------------------------------------------------------------------------


@dataclass
class _Search:
    """State of one solve: the bounds, the best plan, what was spent where."""

    side: SideProblem
    pairs: _Pairs
    deadline: float
    seed: int
    report: Reporter | None
    target_gap: float
    placed_bound: int
    score_bound: float  # over plans placing placed_bound (inf: not known yet)
    best: IntArray
    best_value: tuple[int, int]  # (placed, score); placed -1 when best is not feasible
    stats: dict[str, float] = field(default_factory=dict)
    stopped: bool = False
    last_report: float = 0.0

    def offer(self, assigned: IntArray | None) -> None:
        if assigned is None or not _feasible(self.side, assigned):
            return
        value = _value(self.side, assigned)
        if value > self.best_value:
            self.best, self.best_value = assigned, value
            self.notify()

    def tighten(self, score_bound: float) -> None:
        if score_bound < self.score_bound:
            self.score_bound = score_bound
            self.notify()

    def notify(self) -> None:
        if self.report is not None and not self.stopped:
            placed, score = self.best_value
            self.last_report = time.perf_counter()
            self.stopped = bool(self.report(placed, score, self.placed_bound, self.score_bound))

    def report_now(self) -> bool:
        """A heartbeat during long MIPs (at most once a second); True asks to stop."""
        if time.perf_counter() - self.last_report >= 1.0:
            self.notify()
        return self.stopped

    def score_ceiling(self) -> float:
        """The score bound as an integer (profits are integers), inf when unknown."""
        if not math.isfinite(self.score_bound):
            return math.inf
        return float(math.floor(self.score_bound + _BOUND_TOLERANCE))

    def out_of_time(self) -> bool:
        return self.stopped or time.perf_counter() > self.deadline

    def reached(self) -> bool:
        """The best plan places placed_bound and is within the target gap of the bound."""
        placed, score = self.best_value
        if placed < self.placed_bound:
            return False
        ceiling = self.score_ceiling()
        return score >= ceiling or (ceiling - score) <= self.target_gap * max(1.0, abs(ceiling))


def solve_side(
    side: SideProblem,
    *,
    deadline: float,
    seed: int,
    report: Reporter | None,
    target_gap: float = 0.0,
) -> MipOutcome:
    """Solve couples and caps; see the module docstring for the method."""
    inst = side.instance
    started = time.perf_counter()
    usable = _usable_mask(side)
    # Each participant's best pairs, their previous pair, and what an earlier solve of
    # the same records needed (so that a re-solve after a withdrawal certifies at once).
    seed_mask = usable & inst.seed_candidates()
    relaxation = solve_certified(inst, usable, side.capacity, side.profit, seed_mask)
    inst.remember_candidates(relaxation.candidates)
    relaxed = relaxation.assigned
    relax_placed, relax_score = _value(side, relaxed)
    stats: dict[str, float] = {
        "relaxation_placed": float(relax_placed),
        "relaxation_score": float(relax_score),
        "relaxation_rounds": float(relaxation.rounds),
        "relaxation_s": time.perf_counter() - started,
    }
    if _feasible(side, relaxed):
        return MipOutcome(relaxed, relax_placed, relax_score, relax_placed, relax_score, stats)
    pairs = _usable(side, usable)
    costs = side.profit[pairs.index].astype(np.float64)
    start = _repair(side, relaxed)
    search = _Search(
        side=side,
        pairs=pairs,
        deadline=deadline,
        seed=seed,
        report=report,
        target_gap=target_gap,
        placed_bound=relax_placed,
        score_bound=float(relax_score),
        best=start,
        best_value=_value(side, start) if _feasible(side, start) else (-1, 0),
        stats=stats,
    )
    search.notify()
    stats["repair_s"] = time.perf_counter() - started
    penalty = 10.0 * (float(side.profit.max(initial=0)) + 1.0)
    seeds = (
        seed_mask[pairs.index]
        | _couple_candidates(side, pairs)
        | _in_plan(pairs, search.best)
        | _remembered_columns(side, pairs)
    )
    master = _Master(side, pairs, search.placed_bound, penalty, seed, stats)
    master.add(np.flatnonzero(seeds), costs)
    stats["master_s"] = time.perf_counter() - started
    while not search.reached() and not search.out_of_time():
        lagrange, x = _generate(search, master, costs, score=True)
        search.stats["lp_s"] = time.perf_counter() - started
        if x is None:
            break
        if master.slack > 0.5:
            # The LP does not reach placed_bound: no plan near it will either.
            if not master.converged:
                break
            if _bound_placements(search, master, costs, penalty):
                continue
        _improve(search, master, x)
        if search.best_value[0] >= search.placed_bound:
            _prove(search, lagrange)
            break
        # No plan places placed_bound people yet: bound the placements by proof.
        moved = _bound_placements(search, master, costs, penalty)
        if not moved and search.best_value[0] < search.placed_bound:
            break
    stats["columns"] = float(master.in_model.sum())
    stats["couple_rows"] = float(len(master.couple_keys))
    _remember_columns(side, pairs.index[master.in_model])
    return _finish(search, costs, started)


def _finish(search: _Search, costs: FloatArray, started: float) -> MipOutcome:
    side, pairs = search.side, search.pairs
    search.stats["total_s"] = time.perf_counter() - started
    placed, score = _value(side, search.best)
    ceiling = search.score_ceiling()
    if not math.isfinite(ceiling):
        ceiling = float(np.maximum.reduceat(costs, pairs.starts).clip(0).sum()) if len(costs) else 0
    return MipOutcome(
        assigned=search.best,
        placed=placed,
        score=score,
        placed_bound=search.placed_bound,
        score_bound=int(max(ceiling, score) if placed >= search.placed_bound else ceiling),
        stats=search.stats,
        feasible=search.best_value[0] >= 0,
    )


# --- re-solves ----------------------------------------------------------------------------


def _remember_columns(side: SideProblem, columns: IntArray) -> None:
    """Keep the LP model's pairs (as keys) to seed the next solve of the same records."""
    inst = side.instance
    keys = inst.pair_p[columns].astype(np.int64) * inst.tables.n_openings + inst.pair_o[columns]
    inst._cache["side_columns"] = keys


def _remembered_columns(side: SideProblem, pairs: _Pairs) -> BoolArray:
    keys = side.instance._cache.get("side_columns")
    if not isinstance(keys, np.ndarray) or len(keys) == 0:
        return np.zeros(len(pairs.index), dtype=np.bool_)
    inst = side.instance
    p, o = np.divmod(keys, inst.tables.n_openings)
    at = inst.pair_index(p, o)
    return _in_plan(pairs, at[at >= 0])


def _in_plan(pairs: _Pairs, plan: IntArray) -> BoolArray:
    """Usable positions of a plan's pairs."""
    mask = np.zeros(len(pairs.index), dtype=np.bool_)
    chosen = np.sort(plan[plan >= 0])
    at = np.minimum(np.searchsorted(pairs.index, chosen), max(len(pairs.index) - 1, 0))
    if len(pairs.index):
        mask[at[pairs.index[at] == chosen]] = True
    return mask


def _generate(
    search: _Search, master: _Master, costs: FloatArray, *, score: bool
) -> tuple[_Lagrangian, FloatArray | None]:
    """Column generation until the Lagrangian bound meets the LP value (or time runs out).

    With `score`, each round's Lagrangian bound tightens the search's score bound; it stops
    early once the bound is within a tenth of the target gap of the LP value.
    """
    side, pairs = search.side, search.pairs
    best = _Lagrangian(math.inf, costs, np.zeros(len(costs)))
    x: FloatArray | None = None
    master.converged = False
    while not search.out_of_time():
        solved = master.solve(search.deadline)
        if solved is None:
            break
        prices, duals, x_columns = solved
        x = np.zeros(len(pairs.p))
        x[master.order()] = x_columns
        current = _lagrangian(side, pairs, costs, prices, master.placed_min)
        if current.bound < best.bound:
            best = current
        if score:
            search.tighten(best.bound)
        _count(search.stats, "lp_rounds", 1.0)
        lp_value = float(master.highs.getInfo().objective_function_value)
        slack = best.bound - lp_value
        if slack < 1.0 - _BOUND_TOLERANCE:
            master.converged = True
            break
        if score and slack <= 0.1 * search.target_gap * abs(best.bound):
            break
        lp_reduced = current.reduced - duals
        positive = np.flatnonzero((lp_reduced > _PRICE_TOLERANCE) & ~master.in_model)
        if len(positive) == 0:
            master.converged = True
            break
        master.add(_best_per_owner(pairs, positive, lp_reduced[positive]), costs)
    return best, x


def _best_per_owner(pairs: _Pairs, positions: IntArray, value: FloatArray) -> IntArray:
    """The highest-valued positions of each participant (more for couple members)."""
    order = np.lexsort((positions, -value, pairs.p[positions]))
    ranked = positions[order]
    rank = rank_in_runs(pairs.p[ranked])
    limit = np.where(pairs.ckey[ranked] >= 0, _ADD_COUPLE, _ADD_SINGLE)
    chosen: IntArray = np.sort(ranked[rank < limit])
    return chosen


def _improve(search: _Search, master: _Master, x: FloatArray) -> None:
    """Plans near the LP solution: a MIP frees the participants the LP left fractional,
    those holding an opening (then also a cap) they touch, and their partners; everyone
    else keeps the LP's pair. Last, a MIP over every pair of the LP model."""
    side, pairs = search.side, search.pairs
    inst = side.instance
    in_model = np.flatnonzero(master.in_model)
    fractional = in_model[(x[in_model] > 1e-6) & (x[in_model] < 1 - 1e-6)]
    whole = in_model[x[in_model] >= 1 - 1e-6]
    n = inst.tables.n_participants
    for width in range(3):
        if search.reached() or search.out_of_time():
            return
        free = np.zeros(n, dtype=np.bool_)
        free[pairs.p[fractional]] = True
        touched = np.zeros(inst.tables.n_openings, dtype=np.bool_)
        touched[pairs.o[fractional]] = True
        free[pairs.p[whole[touched[pairs.o[whole]]]]] = True
        if width >= 1 and side.cap_left is not None:
            keys = np.zeros(len(side.cap_left), dtype=np.bool_)
            keys[pairs.key[fractional]] = True
            free[pairs.p[whole[keys[pairs.key[whole]]]]] = True
        if width == 2:
            if search.deadline - time.perf_counter() < _WIDEST_NEEDS_S:
                return
            free[:] = True
        partner = inst.partner_of
        free[partner[free & (partner >= 0)]] = True
        columns = pairs.index[in_model[free[pairs.p[in_model]]]]
        fixed = pairs.index[whole[~free[pairs.p[whole]]]]
        if len(columns) > _MAX_SUB_MIP_COLUMNS:
            return
        began = time.perf_counter()
        assigned, _, _ = _sub_mip(
            side, np.sort(columns), fixed, search.placed_bound, search.best, search
        )
        search.offer(assigned)
        search.stats[f"neighbourhood_{width}_s"] = time.perf_counter() - began
        if assigned is not None and search.best_value[0] >= search.placed_bound:
            return


def _prove(search: _Search, lagrange: _Lagrangian) -> None:
    """MIP over every usable pair that could still beat the best plan (exact if it ends)."""
    if search.reached() or search.out_of_time() or not math.isfinite(lagrange.bound):
        return
    side, pairs = search.side, search.pairs
    _, score = search.best_value
    room = lagrange.bound - (score + 1)
    keep = np.flatnonzero(lagrange.loss <= room + _BOUND_TOLERANCE)
    search.stats["proof_columns"] = float(len(keep))
    if len(keep) > _MAX_SUB_MIP_COLUMNS:
        return
    began = time.perf_counter()
    assigned, mip_bound, _ = _sub_mip(
        side,
        pairs.index[keep],
        np.zeros(0, dtype=np.int64),
        search.placed_bound,
        search.best,
        search,
        relative_gap=search.target_gap,
    )
    search.stats["proof_s"] = time.perf_counter() - began
    search.offer(assigned)
    # A better plan uses only `keep` pairs, so it is worth at most the MIP's bound.
    search.tighten(max(float(search.best_value[1]), mip_bound))


def _bound_placements(search: _Search, master: _Master, costs: FloatArray, penalty: float) -> bool:
    """Lower `placed_bound` towards the best plan's placements, by proof.

    First the LP of the cardinality problem (column generation with unit costs, no
    cardinality row) gives a Lagrangian bound on every plan's placements. If that still
    leaves room above the best plan, a MIP over the pairs whose Lagrangian loss leaves
    room for one more placement asks for a plan placing more than the best one: none
    means the best plan's count is the maximum; one becomes the new best plan. Returns
    True when placed_bound moved (the search then goes on at the new count).
    """
    _count(search.stats, "placement_rounds", 1.0)
    side, pairs = search.side, search.pairs
    before = search.placed_bound
    ones = np.ones(len(pairs.p))
    master.set_costs(ones, 0.0, -np.inf)
    lagrange, _ = _generate(search, master, ones, score=False)
    if math.isfinite(lagrange.bound):
        proven = max(math.floor(lagrange.bound + _BOUND_TOLERANCE), search.best_value[0], 0)
        search.placed_bound = min(search.placed_bound, proven)
    while search.best_value[0] < search.placed_bound and not search.out_of_time():
        more = search.best_value[0] + 1
        keep = np.flatnonzero(lagrange.loss <= lagrange.bound - more + _BOUND_TOLERANCE)
        if not math.isfinite(lagrange.bound) or len(keep) > _MAX_SUB_MIP_COLUMNS:
            break
        assigned, _, proven_optimal = _sub_mip(
            side, pairs.index[keep], np.zeros(0, dtype=np.int64), more, None, search
        )
        if assigned is None:
            if proven_optimal:  # no plan places `more` people
                search.placed_bound = search.best_value[0]
            break
        search.offer(assigned)
    moved = search.placed_bound < before
    if moved:
        search.score_bound = math.inf
        search.notify()
    master.set_costs(costs, penalty, float(search.placed_bound))
    return moved


# --- warm start ---------------------------------------------------------------------------


def _couple_candidates(side: SideProblem, pairs: _Pairs) -> BoolArray:
    """Usable pairs of the groups where each couple fits best together (by profit)."""
    mask = np.zeros(len(pairs.index), dtype=np.bool_)
    at = np.flatnonzero(pairs.ckey >= 0)
    if len(at) == 0:
        return mask
    profit = side.profit[pairs.index[at]]
    member_key = pairs.ckey[at] * 2 + pairs.first[at]
    keys, inverse = np.unique(member_key, return_inverse=True)
    best = np.full(len(keys), -1, dtype=np.int64)
    np.maximum.at(best, inverse, profit)
    is_first = keys % 2 == 1
    common, ia, ib = np.intersect1d(keys[is_first] // 2, keys[~is_first] // 2, return_indices=True)
    joint = best[is_first][ia] + best[~is_first][ib]
    couple = common // side.n_groups
    order = np.lexsort((common, -joint, couple))
    chosen_groups = common[order][rank_in_runs(couple[order]) < _COUPLE_GROUPS]
    inside = at[np.isin(pairs.ckey[at], chosen_groups)]
    # The best _PER_GROUP pairs of each member in each chosen group.
    member = pairs.ckey[inside] * 2 + pairs.first[inside]
    order = np.lexsort((inside, -side.profit[pairs.index[inside]], member))
    mask[inside[order][rank_in_runs(member[order]) < _PER_GROUP]] = True
    return mask


def _repair(side: SideProblem, assigned: IntArray) -> IntArray:
    """The relaxation's plan made feasible: split couples and over-cap people unplaced."""
    inst = side.instance
    plan = assigned.copy()
    firsts = np.flatnonzero(side.couple_of == np.arange(len(side.couple_of)))
    seconds = inst.partner_of[firsts]
    ja, jb = plan[firsts], plan[seconds]
    apart = (ja < 0) | (jb < 0)
    both = np.flatnonzero(~apart)
    apart[both] = side.group_of(ja[both]) != side.group_of(jb[both])
    plan[firsts[apart]] = -1
    plan[seconds[apart]] = -1
    if side.cap_left is not None:
        placed = np.flatnonzero(plan >= 0)
        pairs = plan[placed]
        pair_keys = side.key_of(pairs)
        order = np.lexsort((-side.profit[pairs], pair_keys))
        keys = pair_keys[order]
        dropped = placed[order][rank_in_runs(keys) >= side.cap_left[keys]]
        plan[dropped] = -1
        partners = inst.partner_of[dropped]
        plan[partners[partners >= 0]] = -1
    return _refill(side, _place_couples(side, plan))


def _place_couples(side: SideProblem, plan: IntArray) -> IntArray:
    """Greedily place unplaced couples together on the slots and cap room left."""
    inst = side.instance
    plan = plan.copy()
    placed = plan[plan >= 0]
    room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
    key_room = np.full(1, 2**40, dtype=np.int64)
    if side.cap_left is not None:
        key_room = side.cap_left - np.bincount(side.key_of(placed), minlength=len(side.cap_left))
    for a in np.flatnonzero((side.couple_of == np.arange(len(side.couple_of))) & (plan < 0)):
        b = int(inst.partner_of[a])
        if plan[b] >= 0:
            continue
        options = []
        for member in (int(a), b):
            own = _own(side, member)
            own = own[room[inst.pair_o[own]] > 0]
            keys = side.key_of(own) if side.cap_left is not None else np.zeros(len(own), np.int64)
            keep = key_room[keys] > 0
            options.append((own[keep], keys[keep], side.group_of(own[keep])))
        (pairs_a, keys_a, groups_a), (pairs_b, keys_b, groups_b) = options
        best: tuple[int, int, int, int, int] | None = None
        for g in np.intersect1d(groups_a, groups_b).tolist():
            in_a = np.flatnonzero(groups_a == g)
            at_a = int(in_a[np.argmax(side.profit[pairs_a[in_a]])])
            ja, ka = int(pairs_a[at_a]), int(keys_a[at_a])
            in_b = np.flatnonzero(groups_b == g)
            for at_b in in_b[np.argsort(-side.profit[pairs_b[in_b]], kind="stable")].tolist():
                jb, kb = int(pairs_b[at_b]), int(keys_b[at_b])
                if inst.pair_o[ja] == inst.pair_o[jb] and room[inst.pair_o[ja]] < 2:
                    continue
                if ka == kb and key_room[ka] < 2:
                    continue
                value = int(side.profit[ja] + side.profit[jb])
                if best is None or value > best[0]:
                    best = (value, ja, jb, ka, kb)
                break
        if best is not None:
            _, ja, jb, ka, kb = best
            plan[a], plan[b] = ja, jb
            for j, k in ((ja, ka), (jb, kb)):
                room[inst.pair_o[j]] -= 1
                key_room[k] -= 1
    return plan


def _own(side: SideProblem, participant: int) -> IntArray:
    starts = side.adm_starts
    owners = side.adm_p[starts]
    at = int(np.searchsorted(owners, participant))
    if at >= len(owners) or owners[at] != participant:
        return np.zeros(0, dtype=np.int64)
    end = starts[at + 1] if at + 1 < len(starts) else len(side.adm_p)
    return side.admissible[starts[at] : end]


def _refill(side: SideProblem, plan: IntArray) -> IntArray:
    """Place unplaced singles on the slots and cap room left, by min-cost flow, until stable."""
    inst = side.instance
    plan = plan.copy()
    for _ in range(8):
        placed = plan[plan >= 0]
        room = side.capacity - np.bincount(inst.pair_o[placed], minlength=len(side.capacity))
        waiting = (plan < 0) & (side.couple_of < 0)
        pairs = side.admissible[waiting[side.adm_p] & (room[side.adm_o] > 0)]
        key_room = None
        if side.cap_left is not None:
            load = np.bincount(side.key_of(placed), minlength=len(side.cap_left))
            key_room = side.cap_left - load
            pairs = pairs[key_room[side.key_of(pairs)] > 0]
        if len(pairs) == 0:
            break
        added = solve_min_cost_flow(inst, pairs, np.maximum(room, 0), side.profit)
        new = np.flatnonzero(added >= 0)
        if key_room is not None and len(new):
            keys = side.key_of(added[new])
            order = np.lexsort((-side.profit[added[new]], keys))
            ranked = keys[order]
            new = new[order][rank_in_runs(ranked) < key_room[ranked]]
        if len(new) == 0:
            break
        plan[new] = added[new]
    return plan


__all__ = ["MipOutcome", "Reporter", "SideProblem", "build_side", "solve_side"]
