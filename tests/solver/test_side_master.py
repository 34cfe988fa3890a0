"""The LP master's pricing of every usable pair (`MasterLP.reduced_profits`), against the
plain definition: each pair's cost less the prices of the rows it has a coefficient in,
as HiGHS holds the matrix; and its cap rows, against a count of people per cap."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from solver_builders import whole_side
from test_side_basis import _problem
from test_side_priced_cuts import NARROW_MIPS, _record, _solved

from jet_match.solver import prepare
from jet_match.solver.side import master as master_module
from jet_match.solver.side import sub_mip as sub_mips
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import usable_mask, usable_pairs
from jet_match.solver.side.search import penalty_of


@pytest.mark.parametrize(("seed", "couples"), [(14, 5), (27, 3)])
def test_reduced_profits_are_cost_less_the_prices_of_each_pairs_rows(
    seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sub_mips, "MAX_SUB_MIP_COLUMNS", NARROW_MIPS)
    _, batches = _record(monkeypatch)
    _solved(seed, couples)
    columns = batches[-1][0]
    assert columns.key_row is not None  # a cap binds
    lp = columns.lp.clone()
    costs = lp.side.profit[lp.pairs.index].astype(np.float64)
    lp.add(np.arange(len(lp.pairs.index)), costs, columns.block)
    model = lp.highs.getLp()
    shape = (model.num_row_, model.num_col_)
    arrays = (model.a_matrix_.value_, model.a_matrix_.index_, model.a_matrix_.start_)
    matrix = sp.csc_matrix(arrays, shape=shape)
    y = np.random.default_rng(seed).normal(size=shape[0])
    y[columns.rows] = 0.0  # the cuts' rows are priced by `CutColumns.reduced`, not here
    expected = costs[lp.order()] - (matrix.T @ y)[1:]  # column 0: the slack
    cap_price = np.concatenate([y, [0.0]])[columns.key_row]
    got = lp.reduced_profits(y, costs, cap_price)
    assert np.allclose(got[lp.order()], expected, rtol=0.0, atol=1e-9)
    # Chunk by chunk, the same operations in the same order: the same values, bit for bit.
    monkeypatch.setattr(master_module, "_CHUNK", 7)
    assert np.array_equal(lp.reduced_profits(y, costs, cap_price), got)


@pytest.mark.parametrize(("seed", "share"), [(1, 0.3), (2, 0.3), (3, 0.1), (4, 0.05)])
def test_the_cap_rows_are_the_caps_more_participants_could_fill_than_they_allow(
    seed: int, share: float
) -> None:
    """A cap key gets a row when more distinct participants have a usable pair under it
    than its room: counted here person by person, with sets."""
    problem = replace(_problem(seed), max_country_share_per_prefecture=share)
    side = whole_side(prepare(problem))
    assert side.cap_left is not None
    pairs = usable_pairs(side, usable_mask(side))
    people: dict[int, set[int]] = defaultdict(set)
    for participant, key in zip(pairs.participant.tolist(), pairs.cap_key.tolist(), strict=True):
        people[key].add(participant)
    expected = sorted(key for key, who in people.items() if len(who) > side.cap_left[key])
    assert expected  # some cap binds, and some does not
    assert len(expected) < len(people)
    master = MasterLP(side, pairs, 0, penalty_of(side), 0, {})
    assert master.binding_caps.tolist() == expected
    rows = master.cap_row[master.binding_caps]
    assert rows.tolist() == list(range(rows[0], rows[0] + len(rows)))
    assert (np.delete(master.cap_row, master.binding_caps) == -1).all()
