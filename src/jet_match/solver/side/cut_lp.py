"""The LP with cuts, as the proof reads it back from HiGHS.

`CutRows`: a copy of the master's rows with the cuts appended, read whole (`of`) or
refreshed with what the model gained since (`refresh`), as the separation of mod-2 cuts
(`cuts.py`) and the bound read them; `RowSides`: the row sides and the slack's cost
alone, what each priced solve reads (`priced_cuts.py`). `PricedSolve`: one solve,
priced by weak duality; `CutLP`: what a proof step keeps of it for its goal
(`cut_proof.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE
from jet_match.solver.side.cuts import Cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray
from jet_match.solver.side.sub_mip import Tightness


@dataclass(frozen=True)
class CutLP:
    """The step's LP with cuts at its last solve."""

    #: The master's copy, with the step's pairs and the cuts (a round more than `x` has
    #: seen when the next solve fell short). Read it only: a pair added now would miss
    #: its coefficients in the cuts (`priced_cuts.CutColumns` derives them).
    lp: MasterLP
    bound: float  # no plan over its pairs placing `placed_min` is worth more
    x: FloatArray  # its solution, by usable position
    kept: IntArray  # the step's usable positions a plan worth the goal may use, sorted
    #: Its row prices, and its cuts before that solve, each batch with the model's row
    #: count before it (`priced_cuts.certified_by_cuts` prices them over every pair).
    y: FloatArray
    batches: tuple[tuple[Cuts, int], ...]

    def tightness(self, goal: int) -> Tightness:
        """What every plan over the LP's pairs placing `lp.placed_min` and worth `goal` or
        more must do, by the LP's row prices y: `bound` minus such a plan's value is a sum
        of terms >= 0 (`CutRows.priced`), among them each row's price times the room the
        plan leaves in it, an integer. A row priced above `bound - goal` has no room:
        its participant is placed, its opening or cap group full, or (the cardinality row)
        exactly `placed_min` are placed. National, 3 % couples and a cap, generator seed 3:
        the last step's LP with cuts meets its goal, and these rows (5,485 participants,
        1,331 openings, 32 cap groups where the Lagrangian's prices forced 5,318, 1,143 and
        27) took its MIP from 8-10 s to about 1 s (benchmarks/README.md)."""
        lp, y = self.lp, self.y
        slack = self.bound - goal + BOUND_TOLERANCE
        owners = lp.pairs.owners
        placed = np.zeros(lp.side.instance.tables.n_participants, dtype=np.bool_)
        placed[owners[y[: len(owners)] > slack]] = True
        first, m = lp.first_opening_row, lp.side.instance.tables.n_openings
        full_openings = y[first : first + m] > slack
        full_caps = None
        if lp.side.cap_left is not None:
            full_caps = np.zeros(len(lp.side.cap_left), dtype=np.bool_)
            caps = lp.binding_caps
            full_caps[caps] = y[lp.cap_row[caps]] > slack
        exact = bool(-y[lp.cardinality_row] > slack)
        return Tightness(placed, full_openings, full_caps, exact)


@dataclass(frozen=True)
class PricedSolve:
    """One solve of the LP with cuts, priced: its bound, solution and each column's loss
    (minus its reduced profit), which keep the pairs of any goal (`for_goal`)."""

    lp: MasterLP
    bound: float
    x: FloatArray
    loss: FloatArray  # per pair column, in column order
    order: IntArray  # the usable position of each pair column
    y: FloatArray  # the row prices (`RowSides.duals`)
    batches: tuple[tuple[Cuts, int], ...] = ()  # the cuts before this solve (`CutLP`)

    def for_goal(self, keep: IntArray, goal: int) -> CutLP:
        """Of the step's pairs `keep`, those a plan worth the goal may still use."""
        within = self.order[self.loss <= self.bound - goal + BOUND_TOLERANCE]
        kept = np.intersect1d(within, keep)
        return CutLP(self.lp, self.bound, self.x, kept, self.y, self.batches)


def add_cut_rows(highs: highspy.Highs, cuts: Cuts) -> None:
    """The cuts as rows `coefficients @ x <= rhs` at the model's end."""
    coefficients = cuts.coefficients
    highs.addRows(
        len(cuts),
        np.full(len(cuts), -np.inf),
        cuts.rhs,
        coefficients.nnz,
        coefficients.indptr[:-1].astype(np.int32),
        coefficients.indices.astype(np.int32),
        coefficients.data.astype(np.float64),
    )


@dataclass
class RowSides:
    """The copy's row sides and its slack column's cost: what a solve's prices and bound
    read (`duals`, `rows_bound`). Read without the matrix (`CutRows` reads that too):
    national, ~10 k rows, 1-2 ms against 0.06-0.11 s for the whole model."""

    lower: FloatArray
    upper: FloatArray
    slack_cost: float  # the slack column's (a missed place: the cardinality row's only)

    @classmethod
    def of(cls, lp: MasterLP) -> RowSides:
        highs = lp.highs
        n = highs.getNumRow()
        _, _, lower, upper, _ = highs.getRows(n, np.arange(n, dtype=np.int32))
        _, _, cost, _, _, _ = highs.getCols(1, np.zeros(1, dtype=np.int32))
        return cls(
            np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
            float(cost[0]),
        )

    def duals(self, solution: highspy.HighsSolution) -> FloatArray:
        """The solution's row prices, a price of the wrong sign for a row's only finite
        side taken as 0 (`CutRows.priced`)."""
        y = np.asarray(solution.row_dual, dtype=np.float64)
        y = np.where(np.isfinite(self.upper), y, np.minimum(y, 0.0))
        return np.where(np.isfinite(self.lower), y, np.maximum(y, 0.0))

    def rows_bound(self, y: FloatArray) -> float:
        """The rows' part of `CutRows.priced`'s B: sum of upper * y where y > 0, else
        lower * y."""
        upper = np.where(np.isfinite(self.upper), self.upper, 0.0)
        lower = np.where(np.isfinite(self.lower), self.lower, 0.0)
        return float(np.where(y > 0, upper * y, lower * y).sum())


@dataclass
class CutRows(RowSides):
    """The copy's rows as the separation and the bound read them (cuts appended)."""

    matrix: sp.csc_matrix
    costs: FloatArray  # per column
    skip: BoolArray  # rows no cut takes: the cardinality row
    owner_row: IntArray  # each column's participant row (the slack's: the cardinality row)

    @classmethod
    def of(cls, lp: MasterLP) -> CutRows:
        model = lp.highs.getLp()
        sparse = model.a_matrix_
        shape = (model.num_row_, model.num_col_)
        arrays = (np.asarray(sparse.value_), np.asarray(sparse.index_), np.asarray(sparse.start_))
        if sparse.format_ == highspy.MatrixFormat.kColwise:
            matrix = sp.csc_matrix(arrays, shape=shape)
        else:
            matrix = sp.csr_matrix(arrays, shape=shape).tocsc()
        matrix.sort_indices()
        skip = np.zeros(shape[0], dtype=np.bool_)
        skip[lp.cardinality_row] = True
        # A pair's participant row comes first (the participant rows come first).
        owner_row = matrix.indices[matrix.indptr[:-1]]
        lower = np.asarray(model.row_lower_, dtype=np.float64)
        upper = np.asarray(model.row_upper_, dtype=np.float64)
        costs = np.asarray(model.col_cost_, dtype=np.float64)
        return cls(lower, upper, float(costs[0]), matrix, costs, skip, owner_row)

    def add(self, highs: highspy.Highs, cuts: Cuts) -> None:
        """The cuts as rows of the model and of these rows."""
        add_cut_rows(highs, cuts)
        self._append_rows(cuts.coefficients, np.full(len(cuts), -np.inf), cuts.rhs)

    def refresh(self, lp: MasterLP) -> None:
        """Take what the model gained since these rows were read: columns (the pairs a
        pricing adds, with the couple rows they bring) and rows (cuts), read from HiGHS
        alone; the model must only have grown (nothing changed or deleted). The same arrays
        as `of` (tests/solver/test_side_cut_lp.py); national, a few ms against 0.07-0.11 s
        for the whole model."""
        highs = lp.highs
        n_rows, n_cols = self.matrix.shape
        rows = np.arange(n_rows, highs.getNumRow(), dtype=np.int32)
        columns = np.arange(n_cols, highs.getNumCol(), dtype=np.int32)
        if len(rows):
            _, _, lower, upper, _ = highs.getRows(len(rows), rows)
            _, start, index, value = highs.getRowsEntries(len(rows), rows)
            below = sp.csr_matrix(
                (value, index, np.r_[start, len(index)]),
                shape=(len(rows), highs.getNumCol()),
            )
            self._append_rows(below[:, :n_cols], lower, upper)
        if len(columns):
            _, _, costs, _, _, _ = highs.getCols(len(columns), columns)
            _, start, index, value = highs.getColsEntries(len(columns), columns)
            right = sp.csc_matrix(
                (value, index, np.r_[start, len(index)]), shape=(self.matrix.shape[0], len(columns))
            )
            right.sort_indices()
            self.matrix = sp.hstack([self.matrix, right], format="csc")
            self.matrix.sort_indices()
            self.costs = np.concatenate([self.costs, costs])
            self.owner_row = np.concatenate([self.owner_row, right.indices[right.indptr[:-1]]])

    def _append_rows(self, coefficients: sp.spmatrix, lower: FloatArray, upper: FloatArray) -> None:
        """Rows at the end, with their coefficients in the columns these rows have."""
        self.matrix = sp.vstack([self.matrix, coefficients], format="csc")
        self.matrix.sort_indices()
        self.lower = np.concatenate([self.lower, lower])
        self.upper = np.concatenate([self.upper, upper])
        self.skip = np.concatenate([self.skip, np.zeros(len(lower), dtype=np.bool_)])

    def priced(self, lp: MasterLP) -> PricedSolve | None:
        """The bound and losses of the LP's solution, recomputed from its row prices
        so that they hold for any prices, whatever HiGHS's tolerances (weak duality):
        prices y of the wrong sign for a row's only finite side are taken as 0, reduced
        profits d = c - A'y, and every x in [0, 1] meeting the rows is worth at most
        B = sum over rows of (upper * y if y > 0 else lower * y) + sum of max(d, 0).
        A plan leaves at least -d_j of it for each pair j it uses: a plan worth the goal
        uses only pairs with -d_j <= B - goal. None if the slack column's reduced profit
        is positive (no finite bound from these prices)."""
        solution = lp.highs.getSolution()
        y = self.duals(solution)
        reduced = self.costs - self.matrix.T @ y
        if reduced[0] > 0:
            return None
        bound = self.rows_bound(y) + float(np.maximum(reduced[1:], 0.0).sum())
        x = np.zeros(len(lp.pairs.participant))
        order = lp.order()
        x[order] = np.asarray(solution.col_value, dtype=np.float64)[1:]
        return PricedSolve(lp, bound, x, -reduced[1:], order, y)
