"""A bound on every pair from the LP with mod-2 cuts, priced over every usable pair.

When a proof step is too wide for a MIP (`search._prove`: more than `MAX_SUB_MIP_COLUMNS`
pairs within reach of its target under the Lagrangian losses), the LP with cuts of
`cut_proof.py` would need a column for each of those pairs (national, 3 % couples and a
cap, generator seed 5: 2.09 M pairs, 18 s). Here it keeps only the columns that price in,
as column generation does: each cut is the floor of half the sum of a set of rows
(`cuts.Cuts.weights`), so its coefficient for ANY pair follows from the rows that pair
touches (its participant, opening, cap group, couple row and earlier cuts), whether it is
in the LP or not. Every solve is priced over every usable pair, with the cuts' prices:

    B = sum over rows of (upper * y if y > 0 else lower * y) + sum over every pair of max(d, 0)

(weak duality, as `cut_proof.CutRows.priced`: it holds for any prices, so for every
plan over every pair), and a plan using pair j is worth at most B + d_j. The search then
descends from B with these losses instead of the Lagrangian's (`PricedCuts.as_bound`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE, PRICE_TOLERANCE, LagrangianBound
from jet_match.solver.side.cut_proof import (
    MAX_CUT_ROUNDS,
    STALLED_ROUNDS,
    CutRows,
    add_cut_rows,
)
from jet_match.solver.side.cuts import TOLERANCE, Cuts, mod2_cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray, best_per_participant
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import MIP_NEEDS_S

_DUAL, _PRIMAL = 1, 4  # HiGHS's `simplex_strategy`
_NO_ROW = -1


@dataclass(frozen=True)
class PricedCuts:
    """No plan placing the LP's count over any usable pair is worth more than `bound`;
    one using pair j is worth at most `bound - loss[j]` (by usable position)."""

    bound: float
    loss: FloatArray

    def as_bound(self) -> LagrangianBound:
        """The same bound and losses, as the descent reads them (`search._kept`)."""
        return LagrangianBound(self.bound, -self.loss, self.loss)


class CutColumns:
    """The cuts of one LP copy, with each one's coefficient for every usable pair."""

    def __init__(self, lp: MasterLP) -> None:
        pairs = lp.pairs
        self.lp = lp
        n_openings = lp.side.instance.tables.n_openings
        # A stable sort of small integers is a radix sort (national: 6 M pairs, 0.03 s).
        small = np.int16 if n_openings <= np.iinfo(np.int16).max else np.int64
        self.by_opening = np.argsort(pairs.opening.astype(small), kind="stable")
        self.opening_starts = np.r_[0, np.cumsum(np.bincount(pairs.opening, minlength=n_openings))]
        order = np.argsort(pairs.couple_key[pairs.couple_at], kind="stable")
        self.by_couple_key = pairs.couple_at[order]
        self.couple_keys = pairs.couple_key[self.by_couple_key]
        self.opening_row = lp.first_opening_row + pairs.opening
        #: Each pair's cap row, or the row past the model's last (priced at 0) if none.
        self.cap_row = np.full(len(pairs.opening), _NO_ROW)
        if len(lp.binding_caps):
            rows = lp.cap_row[pairs.cap_key]
            self.cap_row = np.where(rows >= 0, rows, _NO_ROW)
        self.sign = np.where(pairs.first_member, 1.0, -1.0)
        self.rows: list[int] = []  # each cut's row in the model
        self.support: list[IntArray] = []  # usable positions with a coefficient, sorted
        self.values: list[FloatArray] = []  # those coefficients
        self.cut_at_row: dict[int, int] = {}

    def add(self, cuts: Cuts) -> None:
        """Add the cuts as rows of the LP, each with its coefficient for every usable pair
        (those in the model are `cuts.coefficients`, derived by `mod2_cuts` the same way)."""
        first_row = self.lp.highs.getNumRow()
        add_cut_rows(self.lp.highs, cuts)
        for k in range(len(cuts)):
            span = slice(cuts.weights.indptr[k], cuts.weights.indptr[k + 1])
            support, values = self._derive(cuts.weights.indices[span], cuts.weights.data[span])
            self.cut_at_row[first_row + k] = len(self.rows)
            self.rows.append(first_row + k)
            self.support.append(support)
            self.values.append(values)

    def _derive(self, rows: IntArray, weights: FloatArray) -> tuple[IntArray, FloatArray]:
        """The positions and coefficients of the cut `floor(sum of weights x rows)`."""
        lp, pairs = self.lp, self.lp.pairs
        weight = np.zeros(lp.highs.getNumRow(), dtype=np.float64)
        weight[rows] = weights
        # A pair gets a coefficient only with two of the rows, or a couple row's -1/2: the
        # pairs of the cut's participant, opening and couple rows, and earlier cuts, hold
        # every such pair (a pair has one cap group, whose half alone rounds to 0).
        found: list[IntArray] = []
        for row in rows.tolist():
            if row < lp.first_opening_row:
                owner = row
                start = int(pairs.starts[owner])
                found.append(np.arange(start, start + int(pairs.run_length[owner])))
            elif row < lp.first_opening_row + len(self.opening_starts) - 1:
                opening = row - lp.first_opening_row
                span = slice(self.opening_starts[opening], self.opening_starts[opening + 1])
                found.append(self.by_opening[span])
            elif row in self.cut_at_row:
                found.append(self.support[self.cut_at_row[row]])
            else:
                at = np.flatnonzero(lp.couple_rows == row)
                if len(at):
                    key = lp.couple_keys[at[0]]
                    span = slice(*np.searchsorted(self.couple_keys, [key, key + 1]))
                    found.append(self.by_couple_key[span])
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        # A pair found twice gets the same coefficient twice: only those kept are made
        # unique (an opening's pairs, most of them at 0, are many).
        candidates = np.concatenate(found)
        total = self._base_rows_times(weight, candidates)
        for row in rows.tolist():
            if row in self.cut_at_row:
                k = self.cut_at_row[row]
                total += weight[row] * _values_at(self.support[k], self.values[k], candidates)
        coefficient = np.floor(total + TOLERANCE)
        nonzero = coefficient != 0
        support, first = np.unique(candidates[nonzero], return_index=True)
        return support, coefficient[nonzero][first]

    def _base_rows_times(self, y: FloatArray, positions: IntArray | None = None) -> FloatArray:
        """Per position (every usable pair when None): the sum over the master's own rows
        of y times its coefficient."""
        lp, pairs = self.lp, self.lp.pairs
        priced = np.concatenate([y, [0.0]])  # `_NO_ROW` (-1) reads the 0 at the end
        if positions is None:
            total = np.repeat(y[: len(pairs.owners)], pairs.run_length)
            total += priced[self.opening_row]
            total += priced[self.cap_row]
            member = pairs.couple_at
        else:
            total = y[lp.person_row[pairs.participant[positions]]]
            total += priced[self.opening_row[positions]] + priced[self.cap_row[positions]]
            member = np.flatnonzero(pairs.couple_key[positions] >= 0)
        total += y[lp.cardinality_row]
        at = member if positions is None else positions[member]
        couple = lp.couple_row(pairs.couple_key[at])
        signed = self.sign[at] * y[np.maximum(couple, 0)]
        total[member] += np.where(couple >= 0, signed, 0.0)
        return total

    def block(self, positions: IntArray, n_rows: int) -> sp.csc_matrix:
        """The cuts' coefficients of `positions` (rows x positions), for `MasterLP.add`."""
        rows, columns, values = [], [], []
        for k, row in enumerate(self.rows):
            if len(self.support[k]) == 0:
                continue
            at = np.minimum(np.searchsorted(self.support[k], positions), len(self.support[k]) - 1)
            hit = np.flatnonzero(self.support[k][at] == positions)
            rows.append(np.full(len(hit), row))
            columns.append(hit)
            values.append(self.values[k][at[hit]])
        if not rows:
            return sp.csc_matrix((n_rows, len(positions)))
        return sp.csc_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
            shape=(n_rows, len(positions)),
        )

    def reduced(self, y: FloatArray, costs: FloatArray) -> FloatArray:
        """Every usable pair's reduced profit under the row prices y (cuts included)."""
        d = costs - self._base_rows_times(y)
        for k, row in enumerate(self.rows):
            if y[row] != 0.0:
                d[self.support[k]] -= y[row] * self.values[k]
        return d


def _values_at(support: IntArray, values: FloatArray, positions: IntArray) -> FloatArray:
    """The sparse vector (support, values) read at `positions` (0 where it has none)."""
    if len(support) == 0:
        return np.zeros(len(positions))
    at = np.minimum(np.searchsorted(support, positions), len(support) - 1)
    return np.where(support[at] == positions, values[at], 0.0)


def priced_cut_bound(
    search: SearchState, master: MasterLP, goal: int, stop: Callable[[], bool]
) -> PricedCuts | None:
    """The lowest bound of rounds of mod-2 cuts on a copy of the master, each solve priced
    over every usable pair (pairs that price in join the copy, with their coefficients in
    the cuts, before the next round's cuts); the rounds end once the bound is below
    `goal`, stops falling, or time or `stop` says so. None when no solve is priced."""
    began = time.perf_counter()
    side, pairs = search.side, search.pairs
    costs = side.profit[pairs.index].astype(np.float64)
    lp = master.clone()
    cuts = CutColumns(lp)
    highs = lp.highs
    best: PricedCuts | None = None
    strategy = _PRIMAL if lp.optimal else _DUAL
    rounds, stalled, pricings = 0, 0, 0
    while not search.out_of_time() and not stop():
        left = search.deadline.remaining()
        if left < MIP_NEEDS_S:
            break
        highs.setOptionValue("time_limit", left)
        highs.setOptionValue("simplex_strategy", strategy)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        rows = CutRows.of(lp)
        y = rows.duals(lp)
        d = cuts.reduced(y, costs)
        # The slack column (a missed place: its one coefficient is the cardinality row's)
        # must not price in, or these prices bound nothing.
        slack_prices_in = rows.costs[0] - y[lp.cardinality_row] > 0
        bound = None if slack_prices_in else rows.rows_bound(y) + float(np.maximum(d, 0).sum())
        if bound is not None and (best is None or bound < best.bound - BOUND_TOLERANCE):
            best, stalled = PricedCuts(bound, -d), 0
        else:
            stalled += 1
        positive = np.flatnonzero((d > PRICE_TOLERANCE) & ~lp.in_model)
        if len(positive):
            lp.add(best_per_participant(pairs, positive, d[positive]), costs, cuts.block)
            strategy, pricings = _PRIMAL, pricings + 1
            continue
        ended = best is not None and best.bound < goal - BOUND_TOLERANCE
        if ended or stalled > STALLED_ROUNDS or rounds == MAX_CUT_ROUNDS:
            break
        x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        found = mod2_cuts(rows.matrix, rows.upper, rows.owner_row, x, rows.skip)
        if len(found) == 0:
            break
        cuts.add(found)
        add_stat(search.stats, "priced_cuts", float(len(found)))
        strategy, rounds = _DUAL, rounds + 1
    add_stat(search.stats, "priced_rounds", float(rounds))
    add_stat(search.stats, "priced_pricings", float(pricings))
    add_stat(search.stats, "priced_columns", float(lp.in_model.sum()))
    add_stat(search.stats, "priced_s", time.perf_counter() - began)
    return best
