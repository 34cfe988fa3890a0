"""A wide proof step narrowed by the LP with mod-2 cuts, before its MIP.

A step of the proof (`search._prove`) asks a MIP over every pair a plan worth the target
may use: with couples and caps at national scale, ~135 k pairs and 11-14 s, most of it
HiGHS's root (a cold LP, then its own cuts). Here the LP master is copied with its basis,
takes the step's pairs it lacks, and is tightened by rounds of {0,1/2} cuts (`cuts.py`),
each re-solved from the last basis, until its bound falls below the target or stops
falling. Its bound B and reduced costs then keep only the step's pairs whose loss (minus
the reduced cost) is at most B - goal: every plan worth the goal or more uses only those
(the reduced-cost argument of `bound.py`, with the LP's own duals; the cuts hold for
every plan, so the LP with them is still a relaxation). The step's question, its cutoff
and how its answer is taken do not change (`sub_mip.proof_step`); only its pairs do.

National, 3 % couples and a 45 % cap: 4 rounds, 61 cuts, 0.9 s take the bound from
733,995 to 733,978.33, below the target 733,980; the step keeps 38,999 of its 135,821
pairs, and its MIP finds the optimum, 733,975, in 3.7-4.0 s instead of 11-14 s (a plan
near the cut LP's solution, `search._answered_by_cuts`, came one unit short). 1,500
participants, 40 % in couples: the step's 141 k pairs become 70-231 (benchmarks/README.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE
from jet_match.solver.side.cuts import mod2_cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import MIP_NEEDS_S

#: Proof steps this wide are narrowed first (narrower ones are the MIP's in a second).
CUT_PROOF_COLUMNS = 80_000
#: Plans near the cut LP's solution are looked for (`search._answered_by_cuts`) only when
#: the step keeps this many pairs or more: over fewer, its MIP answers in a fraction of a
#: second, and near a very fractional LP (1,500 participants, 40 % in couples) those
#: plans' MIPs took 14 s where the step's MIP over its 22 kept pairs took 0.1 s.
PLANS_NEAR_CUTS_COLUMNS = 10_000
MAX_CUT_ROUNDS = 30
#: Rounds in a row that may leave the bound where it was before the rounds stop.
STALLED_ROUNDS = 4
_DUAL, _PRIMAL = 1, 4  # HiGHS's `simplex_strategy`


@dataclass(frozen=True)
class CutLP:
    """The step's LP with cuts at its last solve."""

    lp: MasterLP  # the master's copy, with the step's pairs and the cuts
    bound: float  # its value: no plan over its pairs is worth more
    x: FloatArray  # its solution, by usable position
    kept: IntArray  # the step's usable positions a plan worth the goal may use, sorted


def narrowed_by_cuts(
    search: SearchState, master: MasterLP, keep: IntArray, target: int, goal: int
) -> CutLP | None:
    """The LP over the master's pairs and `keep` (every usable position a plan worth
    `target` may use), with rounds of mod-2 cuts until its bound falls below the target
    or stops falling; None when time runs out first."""
    began = time.perf_counter()
    side, pairs = search.side, search.pairs
    lp = master.clone()
    lp.add(keep, side.profit[pairs.index].astype(np.float64))
    highs = lp.highs
    model = highs.getLp()
    matrix = sp.csc_matrix(
        (
            np.asarray(model.a_matrix_.value_),
            np.asarray(model.a_matrix_.index_),
            np.asarray(model.a_matrix_.start_),
        ),
        shape=(model.num_row_, model.num_col_),
    )
    matrix.sort_indices()
    # A pair's participant row comes first (the participant rows come first); column 0,
    # the cardinality row's slack, has that row only, which no cut takes.
    owner_row = matrix.indices[matrix.indptr[:-1]]
    upper = np.asarray(model.row_upper_, dtype=np.float64)
    skip = np.zeros(len(upper), dtype=np.bool_)
    skip[lp.cardinality_row] = True
    rounds, best, stalled = 0, np.inf, 0
    while True:
        left = search.deadline.remaining()
        if left < MIP_NEEDS_S or search.stopped:
            return None
        highs.setOptionValue("time_limit", left)
        # The step's new pairs leave the master's basis primal feasible: the primal simplex
        # finishes it (national: 33 iterations, 0.11 s; the dual, 9,795 and 1.3 s). Each
        # round of cuts then leaves it dual feasible: the dual simplex.
        highs.setOptionValue("simplex_strategy", _PRIMAL if rounds == 0 else _DUAL)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        bound = float(highs.getInfo().objective_function_value)
        stalled = stalled + 1 if bound > best - BOUND_TOLERANCE else 0
        best = min(best, bound)
        done = bound < target - BOUND_TOLERANCE or stalled > STALLED_ROUNDS
        if done or rounds == MAX_CUT_ROUNDS:
            break
        x_columns = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        cuts = mod2_cuts(matrix, upper, owner_row, x_columns, skip)
        if len(cuts) == 0:
            break
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
        matrix = sp.vstack([matrix, coefficients]).tocsc()
        upper = np.concatenate([upper, cuts.rhs])
        skip = np.concatenate([skip, np.zeros(len(cuts), dtype=np.bool_)])
        add_stat(search.stats, "mod2_cuts", float(len(cuts)))
        rounds += 1
    add_stat(search.stats, "mod2_rounds", float(rounds))
    solution = highs.getSolution()
    x = np.zeros(len(pairs.participant))
    order = lp.order()
    x[order] = np.asarray(solution.col_value, dtype=np.float64)[1:]
    # Maximising: a column's reduced cost is what one unit of it takes off the bound.
    loss = -np.asarray(solution.col_dual, dtype=np.float64)[1:]
    # Of the step's pairs, those a plan worth the goal may still use: never more of them.
    kept = np.intersect1d(order[loss <= bound - goal + BOUND_TOLERANCE], keep)
    add_stat(search.stats, "mod2_s", time.perf_counter() - began)
    return CutLP(lp, bound, x, kept)
