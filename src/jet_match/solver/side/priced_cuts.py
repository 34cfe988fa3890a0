"""A bound on every pair from the LP with mod-2 cuts, priced over every usable pair.

When a proof step is too wide for a MIP (`descent.prove`: more than `MAX_SUB_MIP_COLUMNS`
pairs within reach of its target under the Lagrangian losses), the LP with cuts of
`cut_proof.py` would need a column for each of those pairs (national, 3 % couples and a
cap, generator seed 5: 2.09 M pairs, 18 s). Here it keeps only the columns that price in,
as column generation does: each cut is the floor of half the sum of a set of rows
(`cuts.Cuts.weights`), so its coefficient for ANY pair follows from the rows that pair
touches (its participant, opening, cap group, couple row and earlier cuts), whether it is
in the LP or not. Every solve is priced over every usable pair, with the cuts' prices:

    B = sum over rows of (upper * y if y > 0 else lower * y) + sum over every pair of max(d, 0)

(weak duality, as `cut_lp.CutRows.priced`: it holds for any prices, so for every
plan over every pair), and a plan using pair j is worth at most B + d_j. The search then
descends from B with these losses instead of the Lagrangian's (`PricedCuts.as_bound`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import IntArray
from jet_match.solver.side import cut_proof
from jet_match.solver.side.bound import (
    BOUND_TOLERANCE,
    PRICE_TOLERANCE,
    LagrangianBound,
    lagrangian_bound,
)
from jet_match.solver.side.cut_lp import CutLP, CutRows, RowSides, add_cut_rows
from jet_match.solver.side.cuts import TOLERANCE, Cuts, mod2_cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray, best_per_participant
from jet_match.solver.side.prices import (
    CAP_ROW,
    COUPLE_ROW,
    CUT_ROW,
    OPENING_ROW,
    PARTICIPANT_ROW,
    CutPrices,
    Prices,
)
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import MIP_NEEDS_S

_DUAL, _PRIMAL = 1, 4  # HiGHS's `simplex_strategy`
_NO_ROW = -1
#: Cuts over more rows are left out: the late rounds' cuts over hundreds of participants
#: reach hundreds of thousands of pairs each (national, 3 % couples and a cap, generator
#: seed 1: 43 cuts, 13 M coefficients, 5 s to derive), and slow every solve after them.
MAX_CUT_ROWS = 64


@dataclass(frozen=True)
class PricedCuts:
    """No plan placing the LP's count over any usable pair is worth more than `bound`;
    one using pair j is worth at most `bound - loss[j]` (by usable position)."""

    bound: float
    loss: FloatArray
    #: The LP copy, and its solution (by usable position) at the solve that gave `bound`.
    lp: MasterLP
    x: FloatArray
    #: That solve's row prices (`RowSides.duals`; rows the copy took after it have none).
    y: FloatArray
    #: That solve's prices, its cuts dualised too, and their Lagrangian bound (no more
    #: than `bound`): what the result's certificate can state (`state.certify_score`).
    prices: Prices | None = None
    certified: float = np.inf

    def as_bound(self) -> LagrangianBound:
        """The same bound and losses, as the descent reads them (`descent.kept`)."""
        return LagrangianBound(self.bound, -self.loss, self.loss)

    def narrowing(self, keep: IntArray, goal: int) -> CutLP:
        """A proof step's narrowing by this LP, without rounds of its own: of the step's
        pairs `keep`, those a plan worth the goal may use, with this solve's prices for
        the step's conditions (`CutLP.tightness`: `bound` holds for every usable pair, so
        its argument holds for every plan). Its cuts were certified here already: the
        narrowing carries none to certify again. National, 3 % couples and a cap,
        generator seed 5: the last step after this LP asked rounds of its own on a copy
        of the master, whose bound stopped at 740,445 (this LP's: 740,405), and its MIP,
        under that budget, took 3 s (benchmarks/README.md)."""
        within = np.flatnonzero(self.loss <= self.bound - goal + BOUND_TOLERANCE)
        return CutLP(self.lp, self.bound, self.x, np.intersect1d(within, keep), self.y, ())


class CutColumns:
    """The cuts of one LP copy, with each one's coefficient for every usable pair.

    A cut's coefficients are `floor(weights @ rows)` over every pair: the participant,
    opening and couple rows as one sparse incidence matrix (by usable position), the cap
    rows read per pair (a cap row's pairs are too many to list, and its half alone rounds
    to 0), earlier cuts as the sparse matrix of their coefficients."""

    def __init__(self, lp: MasterLP) -> None:
        pairs = lp.pairs
        self.lp = lp
        n_pairs = len(pairs.index)
        n_openings = lp.side.instance.tables.n_openings
        # A stable sort of small integers is a radix sort (national: 6 M pairs, 0.06 s).
        small = np.int16 if n_openings <= np.iinfo(np.int16).max else np.int64
        by_opening = np.argsort(pairs.opening.astype(small), kind="stable")
        opening_starts = np.cumsum(np.bincount(pairs.opening, minlength=n_openings))
        order = np.argsort(pairs.couple_key[pairs.couple_at], kind="stable")
        by_couple_key = pairs.couple_at[order]
        self.couple_keys, couple_starts = np.unique(
            pairs.couple_key[by_couple_key], return_index=True
        )
        #: Rows: the participants' and openings' (as in the model), then one per couple key.
        self.first_couple = lp.first_opening_row + n_openings
        # Built in place, 32-bit (national: 12.7 M entries, 156 MB).
        members = len(by_couple_key)
        index = np.empty(2 * n_pairs + members, dtype=np.int32)
        index[:n_pairs] = np.arange(n_pairs, dtype=np.int32)
        index[n_pairs : 2 * n_pairs] = by_opening
        index[2 * n_pairs :] = by_couple_key
        del by_opening
        value = np.ones(len(index))
        value[2 * n_pairs :] = np.where(pairs.first_member[by_couple_key], 1.0, -1.0)
        # Each row's first entry: participants, openings, couple keys (none without couples).
        starts = np.concatenate(
            [pairs.starts, n_pairs + np.r_[0, opening_starts[:-1]], 2 * n_pairs + couple_starts]
        )
        self.incidence = sp.csr_matrix(
            (value, index, np.r_[starts, len(index)].astype(np.int32)),
            shape=(self.first_couple + len(self.couple_keys), n_pairs),
        )
        #: Each cap key's row, or `_NO_ROW` (priced at 0) if it has none; None: no caps.
        #: (Nothing more is kept per pair: national, 6.3 M pairs, 50 MB an array.)
        self.key_row: IntArray | None = None
        if len(lp.binding_caps):
            self.key_row = np.where(lp.cap_row >= 0, lp.cap_row, _NO_ROW)
        self.rows = np.zeros(0, dtype=np.int64)  # each cut's row in the model
        self.rhs = np.zeros(0)
        #: Each cut's rows as the certificate names them (`prices.CutPrices`).
        self.row_starts = np.zeros(1, dtype=np.int64)
        self.row_kind = np.zeros(0, dtype=np.int64)
        self.row_key = np.zeros(0, dtype=np.int64)
        self.row_weight = np.zeros(0)
        self.coefficients = sp.csr_matrix((0, n_pairs))  # cuts x usable positions
        self._by_column = self.coefficients.tocsc()

    def add(self, cuts: Cuts) -> None:
        """Add the cuts as rows of the LP, each with its coefficient for every usable pair
        (those in the model are `cuts.coefficients`, derived by `mod2_cuts` the same way).
        A cut taking the cardinality row (no upper side: `mod2_cuts` never returns one)
        would hold every pair: it is left out."""
        lp = self.lp
        n_rows = lp.highs.getNumRow()
        weights = cuts.weights.tocoo()
        cardinality = np.zeros(len(cuts), dtype=np.bool_)
        cardinality[weights.row[weights.col == lp.cardinality_row]] = True
        if cardinality.any():
            kept = np.flatnonzero(~cardinality)
            cuts = Cuts(cuts.coefficients[kept], cuts.rhs[kept], cuts.weights[kept])
        if len(cuts) == 0:
            return
        self.take(cuts, n_rows)
        add_cut_rows(lp.highs, cuts)

    def take(self, cuts: Cuts, n_rows: int, rows: IntArray | None = None) -> None:
        """Derive the cuts, over the model's first `n_rows` rows, as the model's `rows`
        (by default the next ones, as `add` adds them; or already there: the LP with cuts
        of `cut_proof.py`), without changing the model."""
        weights = cuts.weights.tocoo()
        kind, key = self._model_rows(n_rows)
        new = self._derive(weights, len(cuts), kind, key)
        self._name_rows(weights, len(cuts), kind, key)
        if rows is None:
            rows = n_rows + np.arange(len(cuts))
        self.rows = np.concatenate([self.rows, rows])
        self.rhs = np.concatenate([self.rhs, cuts.rhs])
        self.coefficients = sp.vstack([self.coefficients, new]).tocsr()
        self._by_column = self.coefficients.tocsc()

    def _model_rows(self, n_rows: int) -> tuple[IntArray, IntArray]:
        """The kind and key (`prices.CutPrices`) of each of the model's first `n_rows`
        rows; -1 for the cardinality row (no cut takes it)."""
        lp = self.lp
        kind = np.full(n_rows, -1, dtype=np.int64)
        key = np.full(n_rows, -1, dtype=np.int64)
        owners = len(lp.pairs.owners)
        kind[:owners], key[:owners] = PARTICIPANT_ROW, lp.pairs.owners
        kind[owners : self.first_couple] = OPENING_ROW
        key[owners : self.first_couple] = np.arange(self.first_couple - owners)
        caps = self.first_couple + np.arange(len(lp.binding_caps))
        kind[caps], key[caps] = CAP_ROW, lp.binding_caps
        kind[lp.couple_rows], key[lp.couple_rows] = COUPLE_ROW, lp.couple_keys
        kind[self.rows], key[self.rows] = CUT_ROW, np.arange(len(self.rows))
        return kind, key

    def _derive(
        self, weights: sp.coo_matrix, n_cuts: int, kind: IntArray, key: IntArray
    ) -> sp.csr_matrix:
        """The cuts' coefficients over every usable pair (cuts x positions), from their
        weights over the model's rows (their `_model_rows`)."""
        lp = self.lp
        row, model_row, weight = weights.row, weights.col, weights.data
        # Each row's row in the incidence: participants and openings as in the model.
        logical = np.where(kind == PARTICIPANT_ROW, np.arange(len(kind)), -1)
        logical = np.where(kind == OPENING_ROW, np.arange(len(kind)), logical)
        couple = kind == COUPLE_ROW
        logical[couple] = self.first_couple + np.searchsorted(self.couple_keys, key[couple])
        earlier = np.where(kind == CUT_ROW, key, -1)
        base = logical[model_row] >= 0
        by_rows = sp.csr_matrix(
            (weight[base], (row[base], logical[model_row[base]])),
            shape=(n_cuts, self.incidence.shape[0]),
        )
        total = by_rows @ self.incidence
        cut = earlier[model_row] >= 0
        if cut.any():
            by_cuts = sp.csr_matrix(
                (weight[cut], (row[cut], earlier[model_row[cut]])),
                shape=(n_cuts, len(self.rows)),
            )
            total = total + by_cuts @ self.coefficients
        total = total.tocoo()
        values = total.data
        if self.key_row is not None:
            # The cap rows' halves, on the pairs some other row already touches (the
            # model's cap rows follow its opening rows, where the incidence's couples begin).
            cap_weight = np.zeros((n_cuts, len(kind) + 1))  # the last column: `_NO_ROW`
            cap = kind[model_row] == CAP_ROW
            cap_weight[row[cap], model_row[cap]] = weight[cap]
            values = values + cap_weight[total.row, self.key_row[lp.pairs.cap_key[total.col]]]
        coefficient = np.floor(values + TOLERANCE)
        nonzero = coefficient != 0
        return sp.csr_matrix(
            (coefficient[nonzero], (total.row[nonzero], total.col[nonzero])),
            shape=(n_cuts, self.incidence.shape[1]),
        )

    def _name_rows(
        self, weights: sp.coo_matrix, n_cuts: int, kind: IntArray, key: IntArray
    ) -> None:
        """Keep each cut's rows by kind and key (`prices.CutPrices`), from its weights over
        the model's rows (their `_model_rows`; `add` left out the cardinality row)."""
        order = np.lexsort((weights.col, weights.row))
        row, model_row = weights.row[order], weights.col[order]
        if (kind[model_row] < 0).any():
            raise ValueError("a cut takes a row the certificate cannot name")
        self.row_kind = np.concatenate([self.row_kind, kind[model_row]])
        self.row_key = np.concatenate([self.row_key, key[model_row]])
        self.row_weight = np.concatenate([self.row_weight, weights.data[order]])
        ends = self.row_starts[-1] + np.cumsum(np.bincount(row, minlength=n_cuts))
        self.row_starts = np.concatenate([self.row_starts, ends])

    def prices(self, y: FloatArray, n_cuts: int) -> CutPrices:
        """The first `n_cuts` cuts at their row prices among y, and each usable pair's
        sum of price x coefficient where it is not 0."""
        price = y[self.rows[:n_cuts]]
        penalty = (sp.csr_matrix(price[None, :]) @ self.coefficients[:n_cuts]).tocoo()
        end = int(self.row_starts[n_cuts])
        return CutPrices(
            starts=self.row_starts[: n_cuts + 1].copy(),
            kind=self.row_kind[:end].copy(),
            key=self.row_key[:end].copy(),
            weight=self.row_weight[:end].copy(),
            rhs=self.rhs[:n_cuts].copy(),
            price=price,
            at=penalty.col.astype(np.int64),
            penalty=penalty.data,
        )

    def block(self, positions: IntArray, n_rows: int) -> sp.csc_matrix:
        """The cuts' coefficients of `positions` (rows x positions), for `MasterLP.add`."""
        chosen = self._by_column[:, positions].tocoo()
        return sp.csc_matrix(
            (chosen.data, (self.rows[chosen.row], chosen.col)), shape=(n_rows, len(positions))
        )

    def reduced(self, y: FloatArray, costs: FloatArray) -> FloatArray:
        """Every usable pair's reduced profit under the row prices y (cuts included)."""
        priced = np.concatenate([y, [0.0]])  # `_NO_ROW` (-1) reads the 0 at the end
        d = self.lp.reduced_profits(
            y, costs, priced[self.key_row] if self.key_row is not None else None
        )
        if len(self.rows):
            d -= self.coefficients.T @ y[self.rows]
        return d


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
    best_prices: tuple[FloatArray, int] = (np.zeros(0), 0)  # its row prices and cuts
    strategy = _PRIMAL if lp.optimal else _DUAL
    rounds, stalled, pricings = 0, 0, 0
    last_round = np.inf  # the bound when the last round of cuts was priced out
    rows: CutRows | None = None  # the whole model, read for the first round of cuts
    while not search.out_of_time() and not stop():
        left = search.deadline.remaining()
        if left < MIP_NEEDS_S:
            break
        highs.setOptionValue("time_limit", left)
        highs.setOptionValue("simplex_strategy", strategy)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        # The row sides alone; the matrix read once, for the first round of cuts, and
        # refreshed after (national: the whole model's read took 0.07-0.11 s, 10-15 solves
        # on the seeds priced over every pair).
        sides = RowSides.of(lp)
        solution = highs.getSolution()
        y = sides.duals(solution)
        d = cuts.reduced(y, costs)
        # The slack column (a missed place: its one coefficient is the cardinality row's)
        # must not price in, or these prices bound nothing.
        slack_prices_in = sides.slack_cost - y[lp.cardinality_row] > 0
        bound = None if slack_prices_in else sides.rows_bound(y) + float(d[d > 0].sum())
        positive = np.flatnonzero((d > PRICE_TOLERANCE) & ~lp.in_model)
        gains = d[positive]  # (d becomes the losses below)
        if bound is not None and (best is None or bound < best.bound - BOUND_TOLERANCE):
            best = None  # its arrays go before the new ones come (a best's loss is -d)
            x = np.zeros(len(pairs.index))
            x[lp.order()] = np.asarray(solution.col_value, dtype=np.float64)[1:]
            best = PricedCuts(bound, np.negative(d, out=d), lp, x, y)
            best_prices = (y, len(cuts.rows))
        if best is not None and best.bound < goal - BOUND_TOLERANCE:
            break  # no plan reaches the goal: nothing more to price
        if len(positive):
            lp.add(best_per_participant(pairs, positive, gains), costs, cuts.block)
            strategy, pricings = _PRIMAL, pricings + 1
            continue
        # Priced out: a round of cuts, unless the last rounds left the bound where it was.
        now = np.inf if best is None else best.bound
        stalled = stalled + 1 if now > last_round - BOUND_TOLERANCE else 0
        last_round = min(last_round, now)
        if stalled > cut_proof.STALLED_ROUNDS or rounds == cut_proof.MAX_CUT_ROUNDS:
            break
        x = np.asarray(solution.col_value, dtype=np.float64)
        if rows is None:
            rows = CutRows.of(lp)
        else:
            rows.refresh(lp)
        found = _short(mod2_cuts(rows.matrix, rows.upper, rows.owner_row, x, rows.skip))
        if len(found) == 0:
            break
        cuts.add(found)
        add_stat(search.stats, "priced_cuts", float(len(found)))
        strategy, rounds = _DUAL, rounds + 1
    add_stat(search.stats, "priced_rounds", float(rounds))
    add_stat(search.stats, "priced_pricings", float(pricings))
    add_stat(search.stats, "priced_columns", float(lp.in_model.sum()))
    add_stat(search.stats, "priced_s", time.perf_counter() - began)
    if best is None:
        return None
    search.stats["priced_bound"] = best.bound
    began = time.perf_counter()
    y, n_cuts = best_prices
    cut_prices = cuts.prices(y, n_cuts)
    del cuts  # its incidence goes before the bound's arrays come
    prices, certified = _certified(search, lp, cut_prices, y)
    search.stats["priced_certified"] = certified
    add_stat(search.stats, "certify_s", time.perf_counter() - began)
    return PricedCuts(best.bound, best.loss, best.lp, best.x, best.y, prices, certified)


def certified_by_cuts(
    search: SearchState, lp: MasterLP, batches: Sequence[tuple[Cuts, int]], y: FloatArray
) -> tuple[Prices, float]:
    """The Lagrangian bound over every usable pair of an LP with cuts (`cut_proof.py`'s,
    its pairs a proof step's only) at its row prices y, its cuts (each batch with the
    model's row count before it) dualised too: valid for any prices, it is what the
    certificate can state (`state.certify_score`)."""
    # Only the cuts with a price, and the earlier ones they take (national, 3 % couples
    # and a cap, generator seed 1: 5 of 63 cuts; deriving all of them took 1.4 s).
    wanted = np.zeros(len(y), dtype=np.bool_)
    at = [n_rows + np.arange(len(batch)) for batch, n_rows in batches]
    for rows in at:
        wanted[rows] = y[rows] > 0
    for (batch, _), rows in zip(reversed(batches), reversed(at), strict=True):
        wanted[batch.weights[wanted[rows]].indices] = True  # rows only, some of them cuts
    cuts = CutColumns(lp)
    for (batch, n_rows), rows in zip(batches, at, strict=True):
        chosen = np.flatnonzero(wanted[rows])
        if len(chosen):
            subset = Cuts(batch.coefficients[chosen], batch.rhs[chosen], batch.weights[chosen])
            cuts.take(subset, n_rows, rows[chosen])
    cut_prices = cuts.prices(y, len(cuts.rows))
    del cuts  # its incidence goes before the bound's arrays come
    return _certified(search, lp, cut_prices, y)


class Certifying:
    """`certified_by_cuts` on a thread of its own, started once a proof step's LP with
    cuts is solved, while the step's MIP runs (HiGHS, in its own process, needs no lock):
    national, 3 % couples and a cap, generator seed 3, its 1.7 s were the step's MIP's
    wait instead of coming before it. `finish` hands the prices to the search."""

    def __init__(
        self, search: SearchState, lp: MasterLP, batches: Sequence[tuple[Cuts, int]], y: FloatArray
    ) -> None:
        self._placed_min = lp.placed_min
        self._answer: tuple[Prices, float] | None = None
        self._error: BaseException | None = None
        self._seconds = 0.0
        self._thread = threading.Thread(
            target=self._run, args=(search, lp, batches, y), name="certify", daemon=True
        )
        self._thread.start()

    def _run(
        self, search: SearchState, lp: MasterLP, batches: Sequence[tuple[Cuts, int]], y: FloatArray
    ) -> None:
        began = time.perf_counter()
        try:
            # It reads the LP's bookkeeping and the search's pairs, never writes them.
            self._answer = certified_by_cuts(search, lp, batches, y)
        except BaseException as error:  # raised again by `finish`, in the search's thread
            self._error = error
        self._seconds = time.perf_counter() - began

    def finish(self, search: SearchState) -> None:
        """Wait for the prices and keep them if they prove more (`state.certify_score`).
        Not past the deadline, nor once the reporter asks to stop (its heartbeat goes on
        meanwhile): the thread is then left to end by itself, its answer unused."""
        began = time.perf_counter()
        while self._thread.is_alive():
            left = search.deadline.remaining()
            if left <= 0 or search.report_now():
                break
            self._thread.join(timeout=min(left, 0.5))
        add_stat(search.stats, "certify_wait_s", time.perf_counter() - began)
        if self._thread.is_alive():
            return
        if self._error is not None:
            raise self._error
        if self._answer is not None:
            prices, bound = self._answer
            search.certify_score(prices, bound, self._placed_min)
            add_stat(search.stats, "certify_s", self._seconds)


def _certified(
    search: SearchState, lp: MasterLP, cuts: CutPrices, y: FloatArray
) -> tuple[Prices, float]:
    """The prices among the row prices y, with the cuts', and their Lagrangian bound over
    every usable pair."""
    prices = lp.prices_of(y)
    prices.cuts = cuts
    costs = search.side.profit[search.pairs.index].astype(np.float64)
    side, pairs = search.side, search.pairs
    return prices, lagrangian_bound(side, pairs, costs, prices, lp.placed_min, losses=False).bound


def _short(cuts: Cuts) -> Cuts:
    """The cuts of at most `MAX_CUT_ROWS` rows (leaving a cut out is always valid)."""
    short = np.flatnonzero(np.diff(cuts.weights.indptr) <= MAX_CUT_ROWS)
    if len(short) == len(cuts):
        return cuts
    return Cuts(cuts.coefficients[short], cuts.rhs[short], cuts.weights[short])
