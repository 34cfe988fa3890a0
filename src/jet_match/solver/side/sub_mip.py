"""A HiGHS MIP over a chosen set of pairs, everyone else fixed: the engine's plan finder
and, over the pairs the reduced-cost argument keeps, its exact prover. A large MIP runs
in the search's child process (`mip_process.py`), which the deadline can always stop."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.highs import silence_banner
from jet_match.solver.side.mip_process import MipJob, MipProcess, solve_job
from jet_match.solver.side.pairs import FloatArray
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.state import SearchState, add_stat

MIP_NEEDS_S = 1.0  # time left to start any MIP
MAX_SUB_MIP_COLUMNS = 150_000
#: MIPs this large run in the search's child process, which the deadline can stop (HiGHS's
#: set-up of a MIP is not always interruptible, and grows faster than its size); smaller
#: ones run here, without the child's start-up (~0.3 s).
CHILD_PROCESS_COLUMNS = 10_000

#: A MIP's answer: (assigned or None, the MIP's bound on the columns' profit, proven).
Answer = tuple[IntArray | None, float, bool]


def sub_mip(
    side: SideProblem,
    columns: IntArray,
    fixed: IntArray,
    placed_min: int,
    start: IntArray | None,
    search: SearchState,
    relative_gap: float = 0.0,
    tight: Tightness | None = None,
    cutoff: float | None = None,
    probe: bool = True,
    mips: MipProcess | None = None,
    stop: Callable[[], bool] | None = None,
) -> Answer:
    """Best plan using `fixed` pairs plus a choice among `columns` (pair indices), under
    the extra conditions of `tight` when given.

    With a `cutoff`, only plans whose columns are worth at least that much count: the
    MIP (with the settings of `MipJob.cutoff`, and without the start, worth less) prunes
    every node whose bound falls below it, and a proven answer without a plan, or with
    one worth less, means that no plan reaches it. `probe`: see `MipJob.probe`. A large
    MIP runs in `mips` (default: the search's child process); `stop` replaces the
    search's heartbeat (a MIP asked from another thread must not report).

    Returns (assigned or None, the MIP's bound on the columns' profit, proven optimal).
    """
    inst = side.instance
    n = inst.tables.n_participants
    if search.deadline.remaining() < MIP_NEEDS_S:
        return None, math.inf, False
    model = _model(side, columns, fixed, placed_min, tight)
    start_values = None
    chosen = start[start >= 0] if start is not None and cutoff is None else np.zeros(0, np.int64)
    chosen = chosen[np.isin(chosen, columns)]
    if len(chosen):
        start_values = np.zeros(len(columns))
        start_values[np.searchsorted(columns, chosen)] = 1.0
    job = MipJob(
        **model,
        start_values=start_values,
        seed=search.seed,
        time_limit=search.deadline.remaining(),
        relative_gap=float(relative_gap),
        cutoff=cutoff,
        probe=probe,
    )

    def heartbeat() -> bool:
        if stop is not None:
            return search.stopped or stop()
        return search.stopped or (search.report is not None and search.report_now())

    if len(columns) >= CHILD_PROCESS_COLUMNS:
        answer = (mips or search.mips).solve(job, search.deadline, heartbeat)
    else:
        silence_banner()
        answer = solve_job(job, heartbeat)
    bound = answer.dual_bound
    if answer.status == "infeasible":
        return None, -math.inf, True
    proven = answer.status == "optimal"
    if answer.values is None:
        return None, bound if np.isfinite(bound) else math.inf, proven
    picked = columns[answer.values > 0.5]
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[inst.pair_p[fixed]] = fixed
    assigned[inst.pair_p[picked]] = picked
    return assigned, bound if np.isfinite(bound) else math.inf, proven


def proof_step(
    search: SearchState,
    columns: IntArray,
    placed_min: int,
    tight: Tightness | None,
    target: int,
    goal: int,
    stat: str,
    probe: bool = True,
    answered: Answer | None = None,
) -> bool:
    """One step of a descent of targets (`descent.prove`, `relaxation_optimum`): the best
    plan over `columns` (pair indices, every pair a plan worth `target` may use) under
    `tight`, cut off just below `goal` (`step_answer`, or `answered` when it was asked
    ahead), taken by `SearchState.take_proof_step` (True: the descent ends). Timed as
    `{stat}_s` and counted as `{stat}_steps`."""
    began = time.perf_counter()
    if answered is None:
        answered = step_answer(search, columns, placed_min, tight, goal, probe)
    assigned, mip_bound, proven = answered
    add_stat(search.stats, f"{stat}_s", time.perf_counter() - began)
    add_stat(search.stats, f"{stat}_steps", 1.0)
    return search.take_proof_step(assigned, mip_bound, proven, target)


def step_answer(
    search: SearchState,
    columns: IntArray,
    placed_min: int,
    tight: Tightness | None,
    goal: int,
    probe: bool = True,
    mips: MipProcess | None = None,
    stop: Callable[[], bool] | None = None,
) -> Answer:
    """A proof step's MIP (`proof_step`), not taken yet. No plan reaches the goal when
    `tight` is None or forces a row that none of the columns reaches. `probe`: see
    `MipJob.probe`; `mips` and `stop`: see `sub_mip`."""
    if tight is None or not tight.met_by(search.side, columns):
        return None, -math.inf, True
    empty = np.zeros(0, dtype=np.int64)
    return sub_mip(
        search.side,
        columns,
        empty,
        placed_min,
        None,
        search,
        tight=tight,
        cutoff=goal - 0.5,
        probe=probe,
        mips=mips,
        stop=stop,
    )


@dataclass(frozen=True)
class Tightness:
    """Conditions every plan worth a target must meet (`descent.prove`): participants
    placed, openings and cap groups full, exactly `placed_min` placed."""

    placed: BoolArray  # per participant
    full_openings: BoolArray  # per opening
    full_caps: BoolArray | None  # per cap key
    exact_count: bool

    def joined(self, other: Tightness) -> Tightness:
        """Both sets of conditions (each holds for every plan worth the target)."""
        caps = self.full_caps
        if caps is None or other.full_caps is None:
            caps = caps if other.full_caps is None else other.full_caps
        else:
            caps = caps | other.full_caps
        return Tightness(
            self.placed | other.placed,
            self.full_openings | other.full_openings,
            caps,
            self.exact_count or other.exact_count,
        )

    def met_by(self, side: SideProblem, columns: IntArray) -> bool:
        """Every participant to place, opening to fill and cap group to fill (with room
        left) has a pair among `columns` (pair indices); if not, no plan meets them."""
        inst = side.instance
        reached = np.zeros(len(self.placed), dtype=np.bool_)
        reached[inst.pair_p[columns]] = True
        held = np.zeros(len(self.full_openings), dtype=np.bool_)
        held[inst.pair_o[columns]] = True
        if (self.placed & ~reached).any():
            return False
        if (self.full_openings & (side.capacity > 0) & ~held).any():
            return False
        if self.full_caps is None or side.cap_left is None:
            return True
        keys = np.zeros(len(self.full_caps), dtype=np.bool_)
        keys[side.cap_key_of(columns)] = True
        return not (self.full_caps & (side.cap_left > 0) & ~keys).any()


def _model(
    side: SideProblem,
    columns: IntArray,
    fixed: IntArray,
    placed_min: int,
    tight: Tightness | None = None,
) -> dict[str, FloatArray | IntArray]:
    """The MIP in column-wise arrays: one binary column per pair of `columns`; rows for
    participants, openings and caps (less what `fixed` uses), couples (one per couple and
    group) and the cardinality row; `tight` raises their lower bounds."""
    inst = side.instance
    capacity = side.capacity - np.bincount(inst.pair_o[fixed], minlength=len(side.capacity))
    cap_left = None
    if side.cap_left is not None:
        cap_left = side.cap_left - np.bincount(side.cap_key_of(fixed), minlength=len(side.cap_left))
    p = inst.pair_p[columns].astype(np.int64)
    o = inst.pair_o[columns].astype(np.int64)
    people, person_row = np.unique(p, return_inverse=True)
    openings, opening_row = np.unique(o, return_inverse=True)
    must = side.must_place[people] | (tight.placed[people] if tight else False)
    row_parts, lower, upper = [person_row], [np.where(must, 1.0, -np.inf)], []
    upper.append(np.ones(len(people)))
    offset = len(people)
    row_parts.append(offset + opening_row)
    full = tight.full_openings[openings] if tight else np.zeros(len(openings), np.bool_)
    lower.append(np.where(full, capacity[openings], -np.inf))
    upper.append(capacity[openings].astype(np.float64))
    offset += len(openings)
    col_parts = [np.arange(len(columns)), np.arange(len(columns))]
    val_parts = [np.ones(len(columns)), np.ones(len(columns))]
    if cap_left is not None:
        keys, key_row = np.unique(side.cap_key_of(columns), return_inverse=True)
        row_parts.append(offset + key_row)
        col_parts.append(np.arange(len(columns)))
        val_parts.append(np.ones(len(columns)))
        full_keys = (
            tight.full_caps[keys]
            if tight is not None and tight.full_caps is not None
            else np.zeros(len(keys), np.bool_)
        )
        lower.append(np.where(full_keys, cap_left[keys], -np.inf))
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
    upper.append(np.array([lower[-1][0] if tight and tight.exact_count else np.inf]))
    n_row = offset + 1
    matrix = sp.csc_matrix(
        (np.concatenate(val_parts), (np.concatenate(row_parts), np.concatenate(col_parts))),
        shape=(n_row, len(columns)),
    )
    return {
        "col_cost": side.profit[columns].astype(np.float64),
        "row_lower": np.concatenate(lower),
        "row_upper": np.concatenate(upper),
        "start": matrix.indptr.astype(np.int32),
        "index": matrix.indices.astype(np.int32),
        "value": matrix.data.astype(np.float64),
    }
