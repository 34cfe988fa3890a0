"""The LP with cuts read back from HiGHS (`solver/side/cut_lp.py`).

What the priced solves read in part (the row sides; the rows refreshed with what the
model gained) against the whole model read afresh. The helpers build an LP over half a
crowded instance's pairs and add rounds of mod-2 cuts (test_side_priced_cuts.py uses
them too).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from solver_builders import whole_side
from test_engines_exact import crowded

from jet_match.solver import prepare
from jet_match.solver.deadline import Deadline
from jet_match.solver.side import search
from jet_match.solver.side.cut_lp import CutRows, RowSides
from jet_match.solver.side.cuts import Cuts, mod2_cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray, UsablePairs, usable_mask, usable_pairs
from jet_match.solver.side.priced_cuts import CutColumns


def over_half_the_pairs(seed: int, couples: int) -> tuple[UsablePairs, FloatArray, MasterLP]:
    """A crowded instance's usable pairs, their costs, and an LP master over every other
    pair, solved."""
    inst = prepare(crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True), top_k=1)
    side = whole_side(inst)
    pairs = usable_pairs(side, usable_mask(side))
    costs = side.profit[pairs.index].astype(np.float64)
    master = MasterLP(side, pairs, 0, search.penalty_of(side), 0, {})
    master.add(np.arange(0, len(pairs.index), 2), costs)
    assert master.solve(Deadline(60.0)) is not None
    return pairs, costs, master


def cut_rounds(lp: MasterLP, columns: CutColumns, rounds: int) -> Iterator[tuple[int, Cuts]]:
    """Up to `rounds` rounds of mod-2 cuts on `lp`, each added with its coefficients for
    every pair (`columns`); yields each batch after it is added, with the row count
    before it."""
    for _ in range(rounds):
        lp.highs.run()
        rows = CutRows.of(lp)
        x = np.asarray(lp.highs.getSolution().col_value, dtype=np.float64)
        cuts = mod2_cuts(rows.matrix, rows.upper, rows.owner_row, x, rows.skip)
        if len(cuts) == 0:
            return
        first_row = lp.highs.getNumRow()
        columns.add(cuts)
        yield first_row, cuts


@pytest.mark.parametrize(("seed", "couples"), [(6, 5), (14, 5)])
def test_rows_read_in_part_are_the_whole_models(seed: int, couples: int) -> None:
    """What the priced solves read in part, against the whole model read back from HiGHS
    (`CutRows.of`, `getLp`) after rounds of cuts and after pairs that bring couple rows:
    the row sides and the slack's cost (`RowSides.of`, each solve), and the rows read once
    and refreshed since (`CutRows.refresh`, each round of cuts): the same arrays, so the
    same prices, bounds and cuts."""
    pairs, costs, master = over_half_the_pairs(seed, couples)
    penalty = search.penalty_of(master.side)
    lp = master.clone()
    columns = CutColumns(lp)
    lp.highs.run()
    refreshed = CutRows.of(lp)

    def assert_the_same_rows() -> None:
        whole = CutRows.of(lp)
        sides = RowSides.of(lp)
        assert np.array_equal(sides.lower, whole.lower)
        assert np.array_equal(sides.upper, whole.upper)
        assert sides.slack_cost == whole.costs[0] == -penalty
        assert len(sides.lower) == lp.highs.getNumRow()
        refreshed.refresh(lp)
        assert refreshed.matrix.shape == whole.matrix.shape
        assert (refreshed.matrix != whole.matrix).nnz == 0
        assert np.array_equal(refreshed.matrix.indices, whole.matrix.indices)
        for name in ("lower", "upper", "costs", "skip", "owner_row"):
            assert np.array_equal(getattr(refreshed, name), getattr(whole, name)), name

    n_rows, n_cols = lp.highs.getNumRow(), lp.highs.getNumCol()
    for _ in cut_rounds(lp, columns, 3):
        assert_the_same_rows()
    lp.add(np.arange(1, len(pairs.index), 4), costs, columns.block)
    assert_the_same_rows()
    assert lp.highs.getNumRow() > n_rows  # cut rows (and couple rows) read too
    for _ in cut_rounds(lp, columns, 2):
        assert_the_same_rows()
    lp.add(np.arange(len(pairs.index)), costs, columns.block)
    assert_the_same_rows()
    assert lp.highs.getNumCol() > n_cols
