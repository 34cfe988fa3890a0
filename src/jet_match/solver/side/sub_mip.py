"""A HiGHS MIP over a chosen set of pairs, everyone else fixed: the engine's plan finder
and, over the pairs the reduced-cost argument keeps, its exact prover."""

from __future__ import annotations

import math
import time
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import IntArray
from jet_match.solver.side.highs import new_highs
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.state import SearchState

MIP_NEEDS_S = 1.0  # time left to start any MIP
MAX_SUB_MIP_COLUMNS = 150_000


def sub_mip(
    side: SideProblem,
    columns: IntArray,
    fixed: IntArray,
    placed_min: int,
    start: IntArray | None,
    search: SearchState,
    relative_gap: float = 0.0,
) -> tuple[IntArray | None, float, bool]:
    """Best plan using `fixed` pairs plus a choice among `columns` (pair indices).

    Returns (assigned or None, the MIP's bound on the columns' profit, proven optimal).
    """
    inst = side.instance
    n = inst.tables.n_participants
    if search.deadline - time.perf_counter() < MIP_NEEDS_S:
        return None, math.inf, False
    model = _model(side, columns, fixed, placed_min)

    def interrupt(event: Any) -> None:
        if search.stopped or (search.report is not None and search.report_now()):
            event.interrupt()

    def run(warm: bool) -> highspy.Highs:
        highs = new_highs(search.seed, search.deadline - time.perf_counter())
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


def _model(side: SideProblem, columns: IntArray, fixed: IntArray, placed_min: int) -> Any:
    """The MIP's HighsLp: one binary column per pair of `columns`; rows for participants,
    openings and caps (less what `fixed` uses), couples (one per couple and group) and
    the cardinality row."""
    inst = side.instance
    capacity = side.capacity - np.bincount(inst.pair_o[fixed], minlength=len(side.capacity))
    cap_left = None
    if side.cap_left is not None:
        cap_left = side.cap_left - np.bincount(side.cap_key_of(fixed), minlength=len(side.cap_left))
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
        keys, key_row = np.unique(side.cap_key_of(columns), return_inverse=True)
        row_parts.append(offset + key_row)
        col_parts.append(np.arange(len(columns)))
        val_parts.append(np.ones(len(columns)))
        lower.append(np.full(len(keys), -np.inf))
        upper.append(cap_left[keys].astype(np.float64))
        offset += len(keys)
    couple = side.couple_of[p]
    at = np.flatnonzero(couple >= 0)
    couple_keys, couple_row = np.unique(
        side.couple_key(couple[at], columns[at]), return_inverse=True
    )
    row_parts.append(offset + couple_row)
    col_parts.append(at)
    val_parts.append(np.where(p[at] == couple[at], 1.0, -1.0))
    lower.append(np.zeros(len(couple_keys)))
    upper.append(np.zeros(len(couple_keys)))
    offset += len(couple_keys)
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
    return model
