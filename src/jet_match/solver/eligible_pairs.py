"""The eligible pairs of a run, computed block by block: each participant against every
opening of its position, eligibility by the policy's hard rules, scores by its weights,
and each participant's best pairs flagged (the engines' first candidates); and finding
pairs in arrays sorted by (participant, opening) (`search_pairs`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from jet_match.solver import policy
from jet_match.solver.deadline import Deadline
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import Problem

#: Participants whose pairs are computed at once (bounds the temporaries at any scale:
#: two blocks of 512 in flight hold what one of 1,024 did; national peak 308 MB either way).
BLOCK = 512

#: Threads computing blocks at once (a 2-core host's cores; more gain nothing there).
WORKERS = 2

#: A run's pairs: participant, opening, score and top flag, sorted by (participant, opening).
Pairs = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, BoolArray]


def eligible_pairs(
    problem: Problem,
    t: Tables,
    in_run: BoolArray,
    o_scope: BoolArray,
    top_k: int,
    deadline: Deadline | None = None,
) -> Pairs | None:
    """Eligible pairs of the run in (participant, opening) order, with scores and top flags.

    Two passes over blocks of participants: eligibility first (kept as one bit per cell),
    so that the result arrays are allocated once at their final size and filled in place;
    the peak stays near the result's size (hundreds of millions of pairs at 5x national).
    Each pass runs its blocks on `WORKERS` threads (numpy releases the GIL in its loops):
    a block's pairs land at the offset the counts before it give, so the arrays are the
    same whatever thread computed which block, and in whatever order (national: 1.0 ->
    0.6 s). None when `deadline` expires before a block.
    """
    run = np.flatnonzero(in_run)
    positions = np.unique(t.p_position[run])
    cols = np.flatnonzero(o_scope & t.o_open & np.isin(t.o_position, positions))
    blocks = [run[start : start + BLOCK] for start in range(0, len(run) if len(cols) else 0, BLOCK)]
    expired = deadline.expired if deadline is not None else lambda: False

    def eligible(block: IntArray) -> npt.NDArray[np.uint8] | None:
        if expired():
            return None
        return np.packbits(policy.eligible(t, block[:, None], cols[None, :]), axis=1)

    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="eligible-pairs") as pool:
        masks = [mask for mask in pool.map(eligible, blocks) if mask is not None]
        if len(masks) < len(blocks):
            return None
        counts = [int(np.unpackbits(mask, axis=1, count=len(cols)).sum()) for mask in masks]
        starts = np.r_[0, np.cumsum(counts, dtype=np.int64)]
        pair_p = np.empty(starts[-1], dtype=np.int32)
        pair_o = np.empty(starts[-1], dtype=np.int32)
        pair_score = np.empty(starts[-1], dtype=np.int64)
        pair_top = np.empty(starts[-1], dtype=np.bool_)

        def fill(i: int) -> bool:
            if expired():
                return False
            block, at, end = blocks[i], starts[i], starts[i + 1]
            ok = np.unpackbits(masks[i], axis=1, count=len(cols)).astype(np.bool_)
            grid = policy.score(t, problem.weights, block[:, None], cols[None, :])
            top = top_per_row(grid, ok, top_k, block, cols) if len(cols) > top_k else ok
            pair_p[at:end] = np.repeat(block.astype(np.int32), ok.sum(axis=1))
            pair_o[at:end] = np.broadcast_to(cols.astype(np.int32), ok.shape)[ok]
            pair_score[at:end] = grid[ok]
            pair_top[at:end] = top[ok]
            return True

        if not all(list(pool.map(fill, range(len(blocks))))):
            return None
    return pair_p, pair_o, pair_score, pair_top


def top_per_row(
    values: IntArray, ok: BoolArray, top_k: int, rows: IntArray, cols: IntArray
) -> BoolArray:
    """Each row's `top_k` highest `values` among its `ok` cells (every `ok` cell when there
    are fewer); ties at the edge go to the cells with the lowest `tie_keys` (`rows`,
    `cols`: the cells' participants and openings).

    `np.argpartition`'s choice among ties depends on numpy's build and on the CPU (its
    AVX-512, AVX2 and generic routines each pick differently): the flags seed the engines,
    so the plan among equally good ones, and the solve's path, could differ from one
    machine to the next. Only the edge's value comes from a partition here (values do not
    tie-break). The keys spread the ties over the openings: giving them to the openings
    first in the run's order sent every tied participant's candidates to the same
    openings, and the national proofs took longer (benchmarks/README.md).
    """
    cells = values.shape[1]
    if cells <= top_k:
        return ok.copy()
    masked = np.where(ok, values, np.iinfo(np.int64).min)
    edge = np.partition(masked, cells - top_k, axis=1)[:, cells - top_k, None]
    above = masked > edge
    at_edge = masked == edge
    room = top_k - above.sum(axis=1, keepdims=True)  # at least 1: the edge is in the top
    keys = np.where(at_edge, tie_keys(rows, cols), np.iinfo(np.uint64).max)
    lowest = np.sort(np.partition(keys, top_k - 1, axis=1)[:, :top_k], axis=1)
    last = np.take_along_axis(lowest, room - 1, axis=1)
    top: BoolArray = (above | (at_edge & (keys <= last))) & ok
    return top


def tie_keys(rows: IntArray, cols: IntArray) -> npt.NDArray[np.uint64]:
    """A fixed pseudo-random key per cell (participant `rows[i]`, opening `cols[j]`): the
    two indices mixed by odd constants, then SplitMix64's finaliser. Distinct cells get
    distinct keys in practice (64 bits), the same on every machine."""
    row = np.asarray(rows, dtype=np.uint64)[:, None] * np.uint64(0x9E3779B97F4A7C15)
    col = np.asarray(cols, dtype=np.uint64)[None, :] * np.uint64(0xC2B2AE3D27D4EB4F)
    key = row ^ col
    key ^= key >> np.uint64(30)
    key *= np.uint64(0xBF58476D1CE4E5B9)
    key ^= key >> np.uint64(27)
    key *= np.uint64(0x94D049BB133111EB)
    key ^= key >> np.uint64(31)
    return key


def no_pairs() -> Pairs:
    """A run without pairs."""
    return (
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.bool_),
    )


def search_pairs(
    pair_o: npt.NDArray[np.int32], bounds: IntArray, p: IntArray, o: IntArray
) -> tuple[IntArray, BoolArray]:
    """Where pairs (p, o) are, or would be inserted, in pairs sorted by participant then
    opening (`bounds`: each participant's first pair), and whether they are there."""
    p = np.asarray(p, dtype=np.int64)
    o = np.asarray(o, dtype=np.int64)
    last = len(pair_o) - 1
    if last < 0:
        return np.zeros(p.shape, dtype=np.int64), np.zeros(p.shape, dtype=np.bool_)
    lo, hi = bounds[p], bounds[p + 1]
    while (searching := lo < hi).any():
        mid = (lo + hi) // 2
        below = searching & (pair_o[np.minimum(mid, last)] < o)
        lo = np.where(below, mid + 1, lo)
        hi = np.where(searching & ~below, mid, hi)
    found = (lo < bounds[p + 1]) & (pair_o[np.minimum(lo, last)] == o)
    return lo, found
