"""Proof steps too wide for a MIP: the LP with mod-2 cuts priced over every pair
(`solver/side/priced_cuts.py`).

The MIP width is lowered so that a crowded instance's proof meets steps too wide for one.
Checked against plain computations: the plan and the bound are a MIP's optimum over
every pair (`full_mip`); every cut row, over every pair, is the floor of half the sum of
its rows, computed afresh from the whole matrix; an optimal plan over every pair loses
no more than the bound leaves.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded, full_mip
from test_side_cut_lp import cut_rounds, over_half_the_pairs
from test_side_cut_proof import (
    assert_each_narrowed_step_holds_its_lp_conditions,
    forced_rows_leave_no_room,
    record_step_conditions,
)

from jet_match.solver import Status, prepare, solve
from jet_match.solver.deadline import Deadline
from jet_match.solver.side import descent, priced_cuts, search
from jet_match.solver.side import sub_mip as sub_mips
from jet_match.solver.side.cut_lp import CutRows, RowSides
from jet_match.solver.side.cuts import TOLERANCE, Cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import positions_of_plan
from jet_match.solver.side.priced_cuts import CutColumns, PricedCuts
from jet_match.solver.side.state import SearchState
from jet_match.solver.side.sub_mip import sub_mip

#: Wide enough for the plans near the LP, too narrow for the proof's wider steps.
NARROW_MIPS = 100


@pytest.fixture
def narrow_mips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sub_mips, "MAX_SUB_MIP_COLUMNS", NARROW_MIPS)


def _solved(seed: int, couples: int) -> tuple[Any, tuple[int, int]]:
    inst = prepare(crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True), top_k=1)
    return solve(inst, time_limit_s=60), full_mip(inst)


@pytest.mark.usefixtures("narrow_mips")
@pytest.mark.parametrize(("seed", "couples"), [(6, 5), (14, 5), (22, 5), (27, 3)])
def test_a_step_too_wide_is_priced_and_the_plan_is_the_optimum_of_every_pair(
    seed: int, couples: int
) -> None:
    result, optimum = _solved(seed, couples)
    assert result.stats["priced_rounds"] >= 1
    assert result.status == Status.OPTIMAL
    assert (result.objective.placed, result.objective.net) == optimum
    assert result.bound is not None
    assert (result.bound.placed, result.bound.score) == optimum


@pytest.mark.usefixtures("narrow_mips")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), couples=st.integers(3, 5))
def test_the_bound_never_falls_below_the_optimum_of_every_pair(seed: int, couples: int) -> None:
    """Whether or not the narrow MIPs find the optimum, what is proven holds."""
    result, optimum = _solved(seed, couples)
    assert result.bound is not None
    assert (result.objective.placed, result.objective.net) <= optimum
    assert (result.bound.placed, result.bound.score) >= optimum
    if result.status == Status.OPTIMAL:
        assert (result.objective.placed, result.objective.net) == optimum


def _record(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """Record every priced bound (with its search) and every batch of cuts added."""
    bounds: list[tuple[SearchState, int, PricedCuts | None]] = []
    batches: list[tuple[CutColumns, int, Cuts]] = []
    priced = priced_cuts.priced_cut_bound
    add = CutColumns.add

    def recorded(state: SearchState, master: Any, goal: int, stop: Any) -> PricedCuts | None:
        answer = priced(state, master, goal, stop)
        bounds.append((state, state.placed_bound, answer))
        return answer

    def add_recorded(self: CutColumns, cuts: Cuts) -> None:
        batches.append((self, self.lp.highs.getNumRow(), cuts))
        add(self, cuts)

    monkeypatch.setattr(descent, "priced_cut_bound", recorded)
    monkeypatch.setattr(CutColumns, "add", add_recorded)
    return bounds, batches


@pytest.mark.usefixtures("narrow_mips")
@pytest.mark.parametrize(("seed", "couples"), [(14, 5), (27, 3)])
def test_every_cut_is_the_floor_of_half_its_rows_over_every_pair(
    seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every usable pair joins a copy of the priced LP with the coefficients the cuts give
    it; each cut row must then be floor(weights x matrix) over every column, the matrix
    read back from HiGHS (earlier cuts' rows included, so each cut is checked over the
    rows as they are)."""
    _, batches = _record(monkeypatch)
    _solved(seed, couples)
    assert sum(len(cuts) for _, _, cuts in batches) >= 2
    columns = batches[-1][0]
    lp = columns.lp.clone()
    costs = lp.side.profit[lp.pairs.index].astype(np.float64)
    lp.add(np.arange(len(lp.pairs.index)), costs, columns.block)
    assert lp.in_model.all()
    model = lp.highs.getLp()
    shape = (model.num_row_, model.num_col_)
    arrays = (model.a_matrix_.value_, model.a_matrix_.index_, model.a_matrix_.start_)
    matrix = sp.csc_matrix(arrays, shape=shape).tocsr()
    checked = 0
    for owner, first_row, cuts in batches:
        if owner is not columns:
            continue
        for k in range(len(cuts)):
            weights = cuts.weights[k].toarray().ravel()
            weights = np.concatenate([weights, np.zeros(shape[0] - len(weights))])
            expected = np.floor(weights @ matrix + TOLERANCE)
            assert np.array_equal(matrix[first_row + k].toarray().ravel(), expected)
            checked += 1
    assert checked >= 1


@pytest.mark.usefixtures("narrow_mips")
@pytest.mark.parametrize(("seed", "couples"), [(6, 5), (22, 5)])
def test_an_optimal_plan_loses_no_more_than_the_bound_leaves(
    seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over every pair, the best plan at the count is worth at most the bound, and the
    losses of its pairs add up to at most the bound less its value (weak duality): so
    every plan worth a goal uses only pairs the descent keeps for it."""
    bounds, _ = _record(monkeypatch)
    _solved(seed, couples)
    assert bounds
    for state, placed_min, priced in bounds:
        assert priced is not None
        state.deadline = Deadline(60.0)
        every = np.arange(len(state.pairs.index))
        plan, _, proven = sub_mip(
            state.side,
            state.pairs.index[every],
            np.zeros(0, dtype=np.int64),
            placed_min,
            None,
            state,
        )
        assert proven
        assert plan is not None
        placed, value = state.side.value(plan)
        assert placed >= placed_min
        used = np.flatnonzero(positions_of_plan(state.pairs, plan))
        assert value <= priced.bound + 1e-6
        assert np.maximum(priced.loss[used], 0).sum() <= priced.bound - value + 1e-6
        kept = descent.kept(priced.as_bound(), value)
        assert np.isin(used, kept).all()


@pytest.mark.usefixtures("narrow_mips")
def test_no_bound_past_the_deadline_or_after_a_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked again with what the search gave it: stopped, or out of time, no solve is
    priced (None: the descent goes on with the Lagrangian's losses); otherwise the same
    bound as in the search, the master untouched."""
    asked: list[tuple[SearchState, Any, int, float]] = []
    priced = priced_cuts.priced_cut_bound

    def recorded(state: SearchState, master: Any, goal: int, stop: Any) -> PricedCuts | None:
        columns = master.highs.getNumCol()
        answer = priced(state, master, goal, stop)
        assert master.highs.getNumCol() == columns
        assert answer is not None
        asked.append((state, master, goal, answer.bound))
        return answer

    monkeypatch.setattr(descent, "priced_cut_bound", recorded)
    _solved(6, 5)
    assert asked
    state, master, goal, bound = asked[0]
    state.deadline = Deadline(60.0)
    state.stopped = False
    assert priced(state, master, goal, lambda: True) is None
    again = priced(state, master, goal, lambda: False)
    assert again is not None
    assert again.bound == pytest.approx(bound, abs=1e-6)
    state.deadline = Deadline(0.0)
    assert priced(state, master, goal, lambda: False) is None


def _matrix(lp: MasterLP) -> sp.csr_matrix:
    """The LP's constraint matrix as HiGHS holds it (rows x columns, slack first)."""
    model = lp.highs.getLp()
    arrays = (model.a_matrix_.value_, model.a_matrix_.index_, model.a_matrix_.start_)
    return sp.csc_matrix(arrays, shape=(model.num_row_, model.num_col_)).tocsr()


@pytest.mark.parametrize(("seed", "couples"), [(3, 0), (5, 0), (6, 5), (14, 5)])
def test_every_pairs_cut_coefficients_and_reduced_profit_are_the_plain_ones(
    seed: int, couples: int
) -> None:
    """Built by hand, without the search: an LP over half the pairs, rounds of cuts with
    their coefficients for every pair (`CutColumns`), then every pair added to a copy.
    Read back from HiGHS, each cut row is the floor of its weights times the rows, and
    `reduced` is c - A'y for any prices y (here random), also without couples."""
    pairs, costs, master = over_half_the_pairs(seed, couples)
    lp = master.clone()
    columns = CutColumns(lp)
    batches = list(cut_rounds(lp, columns, 4))
    everything = lp.clone()
    everything.add(np.arange(len(pairs.index)), costs, columns.block)
    matrix = _matrix(everything)
    for first_row, cuts in batches:
        for k in range(len(cuts)):
            weights = np.zeros(matrix.shape[0])
            span = slice(cuts.weights.indptr[k], cuts.weights.indptr[k + 1])
            weights[cuts.weights.indices[span]] = cuts.weights.data[span]
            expected = np.floor(weights @ matrix + TOLERANCE)
            assert np.array_equal(matrix[first_row + k].toarray().ravel(), expected)
    y = np.random.default_rng(seed).normal(size=matrix.shape[0])
    y[lp.highs.getNumRow() :] = 0.0  # couple rows only the copy of every pair has
    plain = np.zeros(len(pairs.index))
    plain[everything.order()] = costs[everything.order()] - (matrix.T @ y)[1:]
    assert np.allclose(columns.reduced(y[: lp.highs.getNumRow()], costs), plain, atol=1e-9)
    if couples:
        assert batches  # the couples' odd cycles give cuts


@pytest.mark.usefixtures("narrow_mips")
def test_a_later_proof_at_the_same_count_starts_from_the_priced_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search keeps what was priced (`SearchState.priced`): asked again at the same
    count, the proof prices nothing more and starts from that bound (still above the
    optimum); at another count, it prices afresh."""
    calls: list[int] = []
    proofs: list[tuple[SearchState, Any, Any]] = []
    priced = priced_cuts.priced_cut_bound
    prove = descent.prove

    def counted(state: SearchState, master: Any, goal: int, stop: Any) -> PricedCuts | None:
        calls.append(state.placed_bound)
        return priced(state, master, goal, stop)

    def recorded(state: SearchState, master: Any, lagrange: Any, ahead: Any = None) -> None:
        proofs.append((state, master, lagrange))
        prove(state, master, lagrange, ahead)

    monkeypatch.setattr(descent, "priced_cut_bound", counted)
    monkeypatch.setattr(search, "prove", recorded)
    result, optimum = _solved(6, 5)
    assert (result.objective.placed, result.objective.net) == optimum
    assert len(calls) == 1
    state, master, lagrange = proofs[0]
    assert state.priced is not None
    assert state.priced[0] == state.placed_bound
    state.deadline, state.stopped = Deadline(60.0), False
    state.score_bound = float("inf")  # as if nothing were proven yet
    prove(state, master, lagrange)
    assert len(calls) == 1
    assert optimum[1] <= state.score_bound <= state.priced[1].bound
    state.priced = (state.placed_bound + 1, state.priced[1])  # another count
    state.score_bound = float("inf")
    prove(state, master, lagrange)
    assert len(calls) == 2


class TestCertifying:
    """`Certifying` runs `certified_by_cuts` on its own thread while the step's MIP runs;
    `finish` keeps what it proves, raises its error in the search's thread, and does not
    wait past the deadline."""

    class _Search:
        def __init__(self, limit_s: float, *, stopped: bool = False) -> None:
            self.deadline = Deadline(limit_s)
            self.stats: dict[str, float] = {}
            self.kept: list[tuple[Any, float, int]] = []
            self.stopped = stopped
            self.heartbeats = 0

        def report_now(self) -> bool:
            self.heartbeats += 1
            return self.stopped

        def certify_score(self, prices: Any, bound: float, placed_min: int) -> None:
            self.kept.append((prices, bound, placed_min))

    class _LP:
        placed_min = 7

    def _started(self, search: Any, work: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
        monkeypatch.setattr(priced_cuts, "certified_by_cuts", work)
        return priced_cuts.Certifying(search, self._LP(), (), np.zeros(0))  # type: ignore[arg-type]

    @pytest.mark.parametrize("limit_s", [60.0, float("inf")])
    def test_its_prices_are_kept_when_it_finishes(
        self, limit_s: float, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        search = self._Search(limit_s)
        prices, ran_on = object(), []

        def work(*_: Any) -> Any:
            ran_on.append(threading.current_thread())
            time.sleep(0.6)  # longer than a heartbeat's interval
            return prices, 123.5

        certifying = self._started(search, work, monkeypatch)
        certifying.finish(search)
        assert len(ran_on) == 1
        assert ran_on[0] is not threading.current_thread()
        assert search.kept == [(prices, 123.5, 7)]
        assert search.stats["certify_s"] >= 0.5
        assert search.heartbeats >= 1  # the reporter heard from the search meanwhile

    def test_its_error_is_raised_in_the_search(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(*_: Any) -> Any:
            raise ValueError("a cut takes a row it cannot name")

        search = self._Search(60.0)
        certifying = self._started(search, broken, monkeypatch)
        with pytest.raises(ValueError, match="cannot name"):
            certifying.finish(search)
        assert search.kept == []

    @pytest.mark.parametrize(("limit_s", "stopped"), [(0.2, False), (60.0, True)])
    def test_past_the_deadline_or_asked_to_stop_it_is_not_waited_for(
        self, limit_s: float, stopped: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        release = threading.Event()

        def slow(*_: Any) -> Any:
            release.wait(timeout=30)
            return object(), 1.0

        search = self._Search(limit_s, stopped=stopped)
        certifying = self._started(search, slow, monkeypatch)
        began = time.perf_counter()
        certifying.finish(search)
        assert time.perf_counter() - began < 5
        assert search.kept == []
        assert "certify_s" not in search.stats
        release.set()


@pytest.mark.usefixtures("narrow_mips")
@pytest.mark.parametrize(("seed", "couples"), [(28, 3), (68, 5)])
def test_its_narrowing_keeps_the_best_plan_and_forces_rows_no_plan_worth_the_goal_leaves(
    seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`PricedCuts.narrowing` at the best plan's value over every pair: the plan uses only
    kept pairs and meets the conditions, and each forced row, given room by a MIP over
    every pair, leaves no plan worth that much (`forced_rows_leave_no_room`). The steps
    after it are narrowed by it, not by rounds of their own."""
    bounds, _ = _record(monkeypatch)
    narrowing, steps = PricedCuts.narrowing, []

    def recorded(self: PricedCuts, keep: np.ndarray, goal: int) -> Any:
        steps.append(goal)
        return narrowing(self, keep, goal)

    monkeypatch.setattr(PricedCuts, "narrowing", recorded)
    _solved(seed, couples)
    assert bounds
    assert steps
    monkeypatch.setattr(PricedCuts, "narrowing", narrowing)
    checked = 0
    for state, placed_min, priced in bounds:
        assert priced is not None
        state.deadline = Deadline(60.0)
        every = np.arange(len(state.pairs.index))
        plan, _, proven = sub_mip(
            state.side, state.pairs.index, np.zeros(0, dtype=np.int64), placed_min, None, state
        )
        assert proven
        if plan is None:
            continue  # no plan places that many (the search lowered its count later)
        _, value = state.side.value(plan)
        narrowed = priced.narrowing(every, value)
        assert np.isin(np.flatnonzero(positions_of_plan(state.pairs, plan)), narrowed.kept).all()
        tight = narrowed.tightness(value)
        assert tight.met_by(state.side, state.pairs.index[narrowed.kept])
        checked += forced_rows_leave_no_room(state, state.pairs.index, tight, value, placed_min)
    assert checked >= 5


@pytest.mark.usefixtures("narrow_mips")
def test_a_step_narrowed_by_it_is_asked_under_its_conditions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small generator seed 28: the step after the LP priced over every pair asks its MIP
    under that LP's conditions (`PricedCuts.narrowing`, then `CutLP.tightness`)."""
    narrowings, steps = record_step_conditions(monkeypatch)
    _solved(28, 3)
    assert narrowings
    assert assert_each_narrowed_step_holds_its_lp_conditions(narrowings, steps) >= 1


@pytest.mark.usefixtures("narrow_mips")
@pytest.mark.parametrize(("seed", "couples"), [(6, 5), (14, 5)])
def test_a_priced_bound_reads_the_whole_model_once(
    seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each priced solve reads the row sides alone (`RowSides.of`); the whole model comes
    back from HiGHS once, for the first round of cuts, and is refreshed for the others
    (national: 0.07-0.11 s a whole read, 13-15 solves on the seeds priced over every pair)."""
    calls: list[dict[str, int]] = []
    whole_of = CutRows.__dict__["of"].__func__
    sides_of = RowSides.__dict__["of"].__func__
    refresh = CutRows.refresh
    priced = priced_cuts.priced_cut_bound

    def counted(name: str) -> None:
        if calls:
            calls[-1][name] += 1

    def whole(cls: type[CutRows], lp: MasterLP) -> CutRows:
        counted("whole")
        return whole_of(cls, lp)  # type: ignore[no-any-return]

    def sides(cls: type[RowSides], lp: MasterLP) -> RowSides:
        counted("sides")
        return sides_of(cls, lp)  # type: ignore[no-any-return]

    def refreshed(self: CutRows, lp: MasterLP) -> None:
        counted("refreshed")
        refresh(self, lp)

    def recorded(state: SearchState, master: Any, goal: int, stop: Any) -> PricedCuts | None:
        calls.append({"whole": 0, "sides": 0, "refreshed": 0})
        rounds = state.stats.get("priced_rounds", 0.0)
        answer = priced(state, master, goal, stop)
        calls[-1]["rounds"] = int(state.stats["priced_rounds"] - rounds)
        return answer

    monkeypatch.setattr(CutRows, "of", classmethod(whole))
    monkeypatch.setattr(RowSides, "of", classmethod(sides))
    monkeypatch.setattr(CutRows, "refresh", refreshed)
    monkeypatch.setattr(descent, "priced_cut_bound", recorded)
    result, optimum = _solved(seed, couples)
    assert (result.objective.placed, result.objective.net) == optimum
    assert calls
    for call in calls:
        assert call["whole"] <= 1, call
        assert call["whole"] or not call["refreshed"], call  # a refresh of a whole read
        # Each separation read the rows (the last one may have found no cut: no round).
        assert call["rounds"] <= call["whole"] + call["refreshed"] <= call["rounds"] + 1, call
        assert call["sides"] >= call["rounds"] + 1, call  # the first solve, one after each
    assert any(call["refreshed"] for call in calls), calls
