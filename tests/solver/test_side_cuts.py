"""{0,1/2} cuts (`solver/side/cuts.py`): every cut holds for every integral point of its
rows (checked by enumerating them all), and cuts off the LP point it was separated from."""

from __future__ import annotations

from itertools import product

import highspy
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jet_match.solver.side import cuts as cuts_module
from jet_match.solver.side.cuts import mod2_cuts


def _lp_optimum(matrix: sp.csc_matrix, upper: np.ndarray, profit: np.ndarray) -> np.ndarray:
    """max profit @ x over matrix @ x <= upper, 0 <= x <= 1, by HiGHS."""
    n_row, n_col = matrix.shape
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n_col, n_row
    model.col_cost_ = profit.astype(np.float64)
    model.col_lower_, model.col_upper_ = np.zeros(n_col), np.ones(n_col)
    model.row_lower_, model.row_upper_ = np.full(n_row, -np.inf), upper.astype(np.float64)
    model.sense_ = highspy.ObjSense.kMaximize
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr
    model.a_matrix_.index_ = matrix.indices
    model.a_matrix_.value_ = matrix.data.astype(np.float64)
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.passModel(model)
    highs.run()
    return np.asarray(highs.getSolution().col_value, dtype=np.float64)


def _integral_points(matrix: sp.csc_matrix, upper: np.ndarray) -> np.ndarray:
    """Every 0/1 point meeting the rows (a plain enumeration)."""
    points = np.array(list(product((0.0, 1.0), repeat=matrix.shape[1])))
    activity = np.asarray(matrix @ points.T, dtype=np.float64)
    meets = np.all(activity <= upper[:, None] + 1e-9, axis=0)
    return np.asarray(points[meets], dtype=np.float64)


def test_an_odd_cycle_is_cut_to_its_integral_hull() -> None:
    """Three pairs, any two of them exclusive: the LP takes each at 1/2 (worth 1.5); the
    cut of the three rows, x1 + x2 + x3 <= 1, brings it to the integral optimum."""
    dense = np.array(
        [
            [1, 0, 0],  # each pair's participant row (its owner)
            [0, 1, 0],
            [0, 0, 1],
            [1, 1, 0],  # the cycle
            [0, 1, 1],
            [1, 0, 1],
        ]
    )
    matrix = sp.csc_matrix(dense)
    upper = np.ones(6)
    x = _lp_optimum(matrix, upper, np.ones(3))
    assert x.sum() == 1.5
    cuts = mod2_cuts(matrix, upper, np.arange(3), x, np.zeros(6, dtype=np.bool_))
    assert len(cuts) >= 1
    rows = cuts.coefficients.toarray()
    assert [1.0, 1.0, 1.0] in rows.tolist()
    assert cuts.rhs[rows.tolist().index([1.0, 1.0, 1.0])] == 1.0
    with_cut = sp.csc_matrix(np.vstack([dense, rows]))
    assert _lp_optimum(with_cut, np.concatenate([upper, cuts.rhs]), np.ones(3)).sum() == 1.0


def test_a_cut_with_more_coefficients_than_the_limit_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The odd cycle's cut has three coefficients: returned under a limit of 3, left out
    under 2 (`MAX_CUT_COEFFICIENTS`; a cut left out never makes the LP wrong)."""
    dense = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]])
    matrix, upper, x = sp.csc_matrix(dense), np.ones(6), np.full(3, 0.5)
    skip = np.zeros(6, dtype=np.bool_)
    monkeypatch.setattr(cuts_module, "MAX_CUT_COEFFICIENTS", 3)
    assert mod2_cuts(matrix, upper, np.arange(3), x, skip).coefficients.toarray().tolist() == [
        [1.0, 1.0, 1.0]
    ]
    monkeypatch.setattr(cuts_module, "MAX_CUT_COEFFICIENTS", 2)
    assert len(mod2_cuts(matrix, upper, np.arange(3), x, skip)) == 0


def test_the_same_cut_from_two_row_sets_is_returned_once() -> None:
    """The odd cycle's rows twice over: two sets of rows give x1 + x2 + x3 <= 1."""
    cycle = [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
    matrix = sp.csc_matrix(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], *cycle, *cycle]))
    x = np.full(3, 0.5)
    cuts = mod2_cuts(matrix, np.ones(9), np.arange(3), x, np.zeros(9, dtype=np.bool_))
    assert cuts.coefficients.toarray().tolist() == [[1.0, 1.0, 1.0]]
    assert cuts.rhs.tolist() == [1.0]


def test_skipped_rows_and_rows_without_bound_take_no_part() -> None:
    dense = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1]])
    matrix = sp.csc_matrix(dense)
    x = np.full(3, 0.5)
    skip = np.zeros(6, dtype=np.bool_)
    skip[3] = True  # without one row of the cycle there is no odd cycle
    assert len(mod2_cuts(matrix, np.ones(6), np.arange(3), x, skip)) == 0
    unbounded = np.ones(6)
    unbounded[4] = np.inf
    assert len(mod2_cuts(matrix, unbounded, np.arange(3), x, np.zeros(6, np.bool_))) == 0


def test_a_row_with_even_coefficients_is_a_cut_of_its_own() -> None:
    """2 x1 + 2 x2 <= 3 (a cut of an earlier round looks like this) at x = (3/4, 3/4):
    halved and rounded down, x1 + x2 <= 1, violated by 1/2. Its even coefficients are
    not fractional columns left to cancel (they were once taken as odd: no cut)."""
    dense = np.array([[1, 0], [0, 1], [2, 2]])
    matrix = sp.csc_matrix(dense)
    upper = np.array([1.0, 1.0, 3.0])
    x = np.array([0.75, 0.75])  # an LP optimum of max x1 + x2
    cuts = mod2_cuts(matrix, upper, np.arange(2), x, np.zeros(3, dtype=np.bool_))
    assert cuts.coefficients.toarray().tolist() == [[1.0, 1.0]]
    assert cuts.rhs.tolist() == [1.0]


def _system(seed: int) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs with an owner each (owner rows <= 1) and rows like the engine's: openings
    and caps (0/1, small capacity), couples (+1 on one member's pairs, -1 on the
    other's, <= 0 both ways) and, sometimes, a row with coefficients up to 2 (as cuts
    of earlier rounds have)."""
    rng = np.random.default_rng(seed)
    n_owner, n_col = int(rng.integers(2, 5)), int(rng.integers(3, 12))
    owner = rng.integers(0, n_owner, n_col)
    rows, upper = [np.eye(n_owner)[owner].T], [np.ones(n_owner)]
    for _ in range(int(rng.integers(1, 6))):
        rows.append(rng.integers(0, 2, (1, n_col)).astype(np.float64))
        upper.append(rng.integers(0, 3, 1).astype(np.float64))
    for _ in range(int(rng.integers(0, 3))):
        signs = rng.integers(-1, 2, n_col)
        rows.append(np.vstack([signs, -signs]).astype(np.float64))
        upper.append(np.zeros(2))
    profit = rng.integers(1, 10, n_col)
    if rng.integers(0, 2):
        rows.append(rng.integers(0, 3, (1, n_col)).astype(np.float64))
        upper.append(rng.integers(1, 6, 1).astype(np.float64))
    return sp.csc_matrix(np.vstack(rows)), np.concatenate(upper), owner, profit


def _checked_cuts(seed: int, *, unbounded_owner: bool = False) -> int:
    """Separate at the LP optimum of system `seed`; check every cut; how many. With
    `unbounded_owner`, each column's owner row is one without an upper bound (x_j >= 0
    summed over every column), which evens nothing."""
    matrix, upper, owner, profit = _system(seed)
    x = _lp_optimum(matrix, upper, profit)
    if unbounded_owner:
        matrix = sp.csc_matrix(sp.vstack([matrix, np.ones((1, matrix.shape[1]))]))
        upper = np.concatenate([upper, [np.inf]])
        owner = np.full(matrix.shape[1], matrix.shape[0] - 1)
    cuts = mod2_cuts(matrix, upper, owner, x, np.zeros(len(upper), dtype=np.bool_))
    if len(cuts) == 0:
        return 0
    coefficients = cuts.coefficients.toarray()
    assert np.array_equal(coefficients, np.round(coefficients))
    assert (coefficients @ x > cuts.rhs + 1e-4).all()
    points = _integral_points(matrix, upper)
    assert (coefficients @ points.T <= cuts.rhs[:, None] + 1e-9).all()
    return len(cuts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_every_cut_holds_for_every_plan_and_cuts_off_the_lp_point(seed: int) -> None:
    _checked_cuts(seed)


def test_the_systems_checked_give_cuts() -> None:
    """The check above is not empty: one system in ten or so has a half-integral LP
    optimum that mod-2 cuts cut off."""
    separated = [_checked_cuts(seed) > 0 for seed in range(300)]
    assert sum(separated) >= 20


def test_an_owner_row_without_upper_bound_never_enters_a_cut() -> None:
    """Only a row's upper side can be taken: an owner row without one is no reason to
    treat a column at 1 as even, and a cut that needed it is not returned (the cuts that
    need no evening still are: 26 of the 300 systems)."""
    separated = [_checked_cuts(seed, unbounded_owner=True) > 0 for seed in range(300)]
    assert sum(separated) >= 10
