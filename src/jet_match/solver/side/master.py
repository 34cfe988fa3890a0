"""The LP master: the relaxation over a growing set of usable pairs, in ONE HiGHS model.

New pairs enter with `addCols` and new couple rows with `addRows`; each re-solve starts
from the last basis (dual simplex). Profits are the costs (no big-M weight per
placement: the cardinality row carries the first level of the objective), which keeps
the LP well scaled and fast.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.deadline import Deadline
from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import Prices
from jet_match.solver.side.highs import new_highs
from jet_match.solver.side.pairs import FloatArray, UsablePairs
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.state import add_stat

_NO_LIMIT_S = 3600.0  # each solve sets its own time limit
#: Pairs priced at once by `reduced_profits`: a chunk's arrays stay in the CPU's cache.
_CHUNK = 1 << 18


class MasterLP:
    """The LP relaxation over a growing set of usable pairs, kept in one HiGHS model.

    Rows: participants (<= 1, = 1 when they must be placed), openings (<= free slots),
    the caps that can bind, the cardinality row (>= placed_min, with a slack column), and
    one row per couple and group (x_a(g) - x_b(g) = 0) added when a pair needs it.
    """

    def __init__(
        self,
        side: SideProblem,
        pairs: UsablePairs,
        placed_min: int,
        penalty: float,
        seed: int,
        stats: dict[str, float],
    ) -> None:
        self.side = side
        self.stats = stats
        self.slack = math.inf  # places the last LP solution misses of placed_min
        self.converged = False  # no pair priced in at the last solve
        #: The basis is the optimum of the model's rows, bounds and costs as they are,
        #: columns added since aside (`cut_proof.py` then finishes it by the primal simplex).
        self.optimal = False
        self.pairs = pairs
        self.placed_min = placed_min
        self.seed = seed
        n = side.instance.tables.n_participants
        m = side.instance.tables.n_openings
        self.person_row = np.full(n, -1, dtype=np.int64)
        self.person_row[pairs.owners] = np.arange(len(pairs.owners))
        self.first_opening_row = len(pairs.owners)
        keys = np.zeros(0, dtype=np.int64)
        if side.cap_left is not None and len(pairs.participant):
            # A cap binds only if more participants could be placed under it than it allows:
            # each (participant, key) counted once. The pairs come by participant, so their
            # codes sort quickly (national, 6.4 M pairs: 0.10 s, against 0.24 s by np.unique).
            n_keys = len(side.cap_left)
            code = pairs.participant * n_keys + pairs.cap_key
            code.sort()
            distinct = code[np.r_[True, code[1:] != code[:-1]]]
            keys = np.flatnonzero(np.bincount(distinct % n_keys, minlength=n_keys) > side.cap_left)
            self.cap_row = np.full(n_keys, -1, dtype=np.int64)
            self.cap_row[keys] = self.first_opening_row + m + np.arange(len(keys))
        self.binding_caps = keys
        self.cardinality_row = self.first_opening_row + m + len(keys)
        self.couple_keys = np.zeros(0, dtype=np.int64)  # sorted couple row keys
        self.couple_rows = np.zeros(0, dtype=np.int64)
        self.n_rows = self.cardinality_row + 1
        self.in_model = np.zeros(len(pairs.participant), dtype=np.bool_)  # by usable position
        self.columns: list[IntArray] = []  # usable positions, in column order (after slack)
        lower = np.full(self.n_rows, -np.inf)
        lower[: len(pairs.owners)] = np.where(pairs.must, 1.0, -np.inf)
        lower[self.cardinality_row] = placed_min
        upper = np.concatenate(
            [
                np.ones(len(pairs.owners)),
                side.capacity.astype(np.float64),
                (side.cap_left[keys] if side.cap_left is not None else keys).astype(np.float64),
                [np.inf],
            ]
        )
        self.highs = new_highs(seed, _NO_LIMIT_S)
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
            np.array([self.cardinality_row], dtype=np.int32),
            np.ones(1),
        )

    def add(
        self,
        positions: IntArray,
        costs: FloatArray,
        extra: Callable[[IntArray, int], sp.csc_matrix] | None = None,
    ) -> None:
        """Add usable pairs (positions in `pairs`) not yet in the model as columns.
        `extra(positions, rows)`: more coefficients of those columns (rows x columns, in
        rows added beside the master's own: the cuts of `priced_cuts.py`)."""
        positions = positions[~self.in_model[positions]]
        if len(positions) == 0:
            return
        pairs = self.pairs
        couple_key = pairs.couple_key[positions]
        new = np.setdiff1d(couple_key[couple_key >= 0], self.couple_keys)
        if len(new):
            # At the model's end: after the cuts of a copy (`priced_cuts.py`), if any.
            rows = self.highs.getNumRow() + np.arange(len(new))
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
        has_cap = np.zeros(len(positions), dtype=np.bool_)
        cap_rows = np.zeros(len(positions), dtype=np.int64)
        if len(self.binding_caps):
            cap_rows = self.cap_row[pairs.cap_key[positions]]
            has_cap = cap_rows >= 0
        has_couple = couple_key >= 0
        couple_rows = self.couple_row(couple_key)
        counts = 3 + has_cap + has_couple
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        index = np.empty(int(counts.sum()), dtype=np.int32)
        value = np.ones(len(index))
        index[starts] = self.person_row[pairs.participant[positions]]
        index[starts + 1] = self.first_opening_row + pairs.opening[positions]
        index[starts + 2] = self.cardinality_row
        index[(starts + 3)[has_cap]] = cap_rows[has_cap]
        at = (starts + 3 + has_cap)[has_couple]
        index[at] = couple_rows[has_couple]
        value[at] = np.where(pairs.first_member[positions][has_couple], 1.0, -1.0)
        k = len(positions)
        if extra is not None:
            own = sp.csc_matrix(
                (value, index, np.r_[starts, len(index)]), shape=(self.highs.getNumRow(), k)
            )
            merged = (own + extra(positions, self.highs.getNumRow())).tocsc()
            merged.sort_indices()
            starts, index, value = merged.indptr[:-1], merged.indices.astype(np.int32), merged.data
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

    def clone(self) -> MasterLP:
        """A copy of this LP (its model, basis and bookkeeping) that can take columns and
        rows without changing this one: the proof's LP with cuts (`cut_proof.py`)."""
        twin = copy.copy(self)
        twin.highs = new_highs(self.seed, _NO_LIMIT_S)
        twin.highs.passModel(self.highs.getLp())
        basis = self.highs.getBasis()
        if basis.valid:
            twin.highs.setBasis(basis)
        twin.couple_keys = self.couple_keys.copy()
        twin.couple_rows = self.couple_rows.copy()
        twin.in_model = self.in_model.copy()
        twin.columns = list(self.columns)
        return twin

    def own_row_prices(self, y: FloatArray) -> FloatArray:
        """Per usable pair: its participant row's price plus its couple row's (+1 or -1
        times it; 0 where that row is not in the model yet), under the row prices y."""
        pairs = self.pairs
        prices = np.repeat(y[: len(pairs.owners)], pairs.run_length)
        prices[pairs.couple_at] += self._couple_row_prices(y)
        return prices

    def _couple_row_prices(self, y: FloatArray) -> FloatArray:
        """Per couple member's pair (`pairs.couple_at`): its couple row's price, +1 or -1
        times it (0 where that row is not in the model yet)."""
        pairs = self.pairs
        at = pairs.couple_at
        rows = self.couple_row(pairs.couple_key[at])
        sign = np.where(pairs.first_member[at], 1.0, -1.0)
        prices: FloatArray = np.where(rows >= 0, y[np.maximum(rows, 0)] * sign, 0.0)
        return prices

    def reduced_profits(
        self, y: FloatArray, costs: FloatArray, cap_price: FloatArray | None
    ) -> FloatArray:
        """Per usable pair, under the row prices y: its cost less its own rows' prices
        (`own_row_prices`), its opening's, its cap key's (`cap_price`, per key; None without
        caps) and the cardinality row's. Chunk by chunk, with the same operations in the
        same order as over whole arrays (the same values): national, 6.3 M pairs, five
        passes over 50 MB arrays took 0.12 s a pricing of `priced_cuts.py`."""
        pairs = self.pairs
        n = len(pairs.participant)
        d = np.empty(n)
        owner_price = y[: len(pairs.owners)]
        bounds = np.r_[pairs.starts, n]
        at = pairs.couple_at
        couple_price = self._couple_row_prices(y)
        m = self.side.instance.tables.n_openings
        opening_price = y[self.first_opening_row : self.first_opening_row + m]
        cardinality = y[self.cardinality_row]
        for first in range(0, n, _CHUNK):
            last = min(first + _CHUNK, n)
            edges = np.clip(bounds, first, last)
            part = d[first:last]
            part[:] = np.repeat(owner_price, edges[1:] - edges[:-1])
            lo, hi = np.searchsorted(at, (first, last))
            part[at[lo:hi] - first] += couple_price[lo:hi]
            np.subtract(costs[first:last], part, out=part)
            part -= opening_price[pairs.opening[first:last]]
            if cap_price is not None:
                part -= cap_price[pairs.cap_key[first:last]]
            part -= cardinality
        return d

    def couple_row(self, couple_key: IntArray) -> IntArray:
        if len(self.couple_keys) == 0:
            return np.full(len(couple_key), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.couple_keys, couple_key), len(self.couple_keys) - 1)
        return np.where(self.couple_keys[at] == couple_key, self.couple_rows[at], -1)

    def set_costs(self, costs: FloatArray, penalty: float, placed_min: float) -> None:
        """New column costs (e.g. unit costs for the placements bound) and cardinality row."""
        order = self.order()
        self.highs.changeColsCost(
            len(order) + 1,
            np.arange(len(order) + 1, dtype=np.int32),
            np.concatenate([[-penalty], costs[order]]),
        )
        self.highs.changeRowBounds(self.cardinality_row, placed_min, np.inf)
        self.placed_min = int(placed_min) if np.isfinite(placed_min) else 0
        self.optimal = False

    def order(self) -> IntArray:
        """Usable positions of the columns, in column order."""
        return np.concatenate(self.columns) if self.columns else np.zeros(0, dtype=np.int64)

    def solve(self, deadline: Deadline) -> tuple[Prices, FloatArray, FloatArray] | None:
        """Solve; return the dual prices, the LP reduced costs of all usable pairs and x
        (None when HiGHS did not reach the LP optimum, e.g. in the time left)."""
        self.highs.setOptionValue("time_limit", max(0.01, deadline.remaining()))
        began = time.perf_counter()
        self.highs.run()
        add_stat(self.stats, "lp_solve_s", time.perf_counter() - began)
        add_stat(self.stats, "lp_iterations", float(self.highs.getInfo().simplex_iteration_count))
        self.optimal = self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if not self.optimal:
            return None
        solution = self.highs.getSolution()
        y = np.asarray(solution.row_dual, dtype=np.float64)
        duals = self.own_row_prices(y)
        values = np.asarray(solution.col_value, dtype=np.float64)
        self.slack = float(values[0])
        return self.prices_of(y), duals, values[1:]

    def prices_of(self, y: FloatArray) -> Prices:
        """The opening, cap and cardinality row prices among the row prices y (a price of
        the wrong sign taken as 0)."""
        side = self.side
        m = side.instance.tables.n_openings
        cap_price = np.zeros(len(side.cap_left) if side.cap_left is not None else 0)
        if len(self.binding_caps):
            cap_price[self.binding_caps] = np.maximum(y[self.cap_row[self.binding_caps]], 0.0)
        return Prices(
            opening=np.maximum(y[self.first_opening_row : self.first_opening_row + m], 0.0),
            cap_key=cap_price,
            placement=max(-float(y[self.cardinality_row]), 0.0),
        )
