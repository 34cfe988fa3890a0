"""{0,1/2} Chvatal-Gomory cuts (mod-2 cuts) for an LP over binary columns.

Take a set S of rows `a_i x <= b_i` (integral coefficients and right-hand sides) at
multiplier 1/2 each and round down: `sum_j floor(a_Sj / 2) x_j <= floor(b_S / 2)` holds for
every integral x >= 0 that meets the rows, and an LP solution x violates it by
`(1 - slack(S) - sum of x_j over the columns where a_Sj is odd) / 2` when b_S is odd.

The engine's LP solutions with couples and caps are mostly half-integral: odd cycles
through participant, opening, cap and couple rows, each worth a few profit units of the
bound, which such cuts remove (national, 3 % couples, 45 % cap: on the model of the
proof's last step, rounds run on past the engine's stop took its LP bound from 733,995
to the optimum, 733,975, in 7 rounds; the engine stops at 4, below the target).

Separation (after Koster, Zymolka and Kutschka's heuristic): columns at 0 cost nothing;
a column at 1 is made even by its participant's row (which holds only it, at slack 0),
so it only flips the parity of each row's right-hand side; what is left is a small
system over GF(2) on the fractional columns (their coefficients' parities: a cut of an
earlier round has even ones, which round exactly), whose Gaussian elimination (pivot:
the row of least slack) leaves row combinations with no fractional column. Those with an
odd right-hand side and slack below 1 are violated cuts. Every cut is then built from its
rows and checked against x before it is returned (once: the same cut from another row
set is dropped; a dense one not at all, `MAX_CUT_COEFFICIENTS`); its validity never
depends on the heuristic, only on the multipliers being >= 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.pairs import FloatArray

TOLERANCE = 1e-6
MIN_VIOLATION = 1e-3
#: Cuts with more coefficients are left out (leaving a cut out is always valid): a cut
#: over an opening or cap row of hundreds of pairs slows every simplex iteration after it
#: and moves the bound little. National, 3 % couples and a cap, generator seed 1: rounds
#: with 47 cuts of 253 k coefficients took 1-3 s each and never brought the bound below
#: the step's target (12 s in all); with the sparse cuts alone, 9 rounds took it below in
#: 2.3-2.9 s (benchmarks/README.md).
MAX_CUT_COEFFICIENTS = 500
#: The elimination is a Python loop over fractional columns times candidate rows; above
#: this much work a round separates nothing (national scale: 224 x 315, a few ms).
MAX_ELIMINATION_WORK = 1_000_000


@dataclass(frozen=True)
class Cuts:
    """Cuts `coefficients @ x <= rhs`, one per row of `coefficients` (CSR, integral);
    `weights` (CSR, one row per cut, 1/2 on each of its rows) derive each cut's
    coefficient for any column, in the model or not: the floor of the weighted sum of the
    column's coefficients in those rows (`priced_cuts.py`)."""

    coefficients: sp.csr_matrix
    rhs: FloatArray
    weights: sp.csr_matrix

    def __len__(self) -> int:
        return int(self.coefficients.shape[0])


def mod2_cuts(
    matrix: sp.csc_matrix, upper: FloatArray, owner_row: IntArray, x: FloatArray, skip: BoolArray
) -> Cuts:
    """Violated {0,1/2}-cuts of `matrix @ x <= upper` (rows with `skip` or an infinite
    upper bound left out); `owner_row[j]`: the row of column j's participant, which
    holds no other column with x > 0 when x_j = 1."""
    rows = matrix.tocsr()
    sets = _row_sets(rows, upper, x, skip)
    if not sets:
        return _no_cuts(matrix.shape[1], matrix.shape[0])
    lengths = [len(s) for s in sets]
    weights = sp.csr_matrix(
        (
            np.full(sum(lengths), 0.5),
            (np.repeat(np.arange(len(sets)), lengths), np.concatenate(sets)),
        ),
        shape=(len(sets), matrix.shape[0]),
    )
    # Columns at 1 with a half coefficient: add their participant's row (slack 0).
    halves = (weights @ matrix).tocoo()
    odd = (np.abs(halves.data % 1.0 - 0.5) < TOLERANCE) & (x[halves.col] >= 1 - TOLERANCE)
    evened = sp.csr_matrix(
        (np.full(int(odd.sum()), 0.5), (halves.row[odd], owner_row[halves.col[odd]])),
        shape=weights.shape,
    )
    weights = (weights + evened).tocsr()
    weights.data %= 1.0  # a row taken twice is a row not taken (any multiplier >= 0 is valid)
    weights.eliminate_zeros()
    combined = (weights @ matrix).tocsr()
    combined.data = np.floor(combined.data + TOLERANCE)
    combined.eliminate_zeros()
    bounded = np.isfinite(upper)
    rhs = np.floor(weights @ np.where(bounded, upper, 0.0) + TOLERANCE)
    # Only a row's upper side can be taken: an owner row without one evens nothing.
    unbounded = weights @ (~bounded).astype(np.float64) > 0
    sparse = np.diff(combined.indptr) <= MAX_CUT_COEFFICIENTS
    violated = (combined @ x - rhs > MIN_VIOLATION) & ~unbounded & sparse
    if not violated.any():
        return _no_cuts(matrix.shape[1], matrix.shape[0])
    chosen = _distinct(combined, rhs, np.flatnonzero(violated))
    return Cuts(combined[chosen], rhs[chosen], weights[chosen])


def _distinct(combined: sp.csr_matrix, rhs: FloatArray, rows: IntArray) -> IntArray:
    """`rows` less those repeating an earlier one's cut (row sets differing by rows of
    equal coefficients give the same cut; each copy would be one more row in the LP)."""
    seen: set[tuple[bytes, bytes, float]] = set()
    distinct = []
    for row in rows.tolist():
        span = slice(combined.indptr[row], combined.indptr[row + 1])
        key = (combined.indices[span].tobytes(), combined.data[span].tobytes(), float(rhs[row]))
        if key not in seen:
            seen.add(key)
            distinct.append(row)
    return np.asarray(distinct, dtype=np.int64)


def _no_cuts(n_columns: int, n_rows: int) -> Cuts:
    return Cuts(sp.csr_matrix((0, n_columns)), np.zeros(0), sp.csr_matrix((0, n_rows)))


def _row_sets(
    rows: sp.csr_matrix, upper: FloatArray, x: FloatArray, skip: BoolArray
) -> list[IntArray]:
    """Row sets whose cut may be violated, by elimination over GF(2) (see the module)."""
    fractional = np.flatnonzero((x > TOLERANCE) & (x < 1 - TOLERANCE))
    if len(fractional) == 0:
        return []
    slack = upper - rows @ x
    residual = upper - rows @ (x >= 1 - TOLERANCE).astype(np.float64)
    sub = rows[:, fractional].tocsr()
    candidates = np.flatnonzero(
        (np.diff(sub.indptr) > 0) & (slack < 1 - TOLERANCE) & np.isfinite(upper) & ~skip
    )
    if len(candidates) * len(fractional) > MAX_ELIMINATION_WORK:
        return []
    # A column's bit in a row is its coefficient's parity: even ones round exactly.
    odd = np.rint(sub.data).astype(np.int64) % 2 == 1
    # Each combination: its fractional columns, residual parity, rows (as bits), slack.
    bits, parity, members, cost = [], [], [], []
    for position, row in enumerate(candidates.tolist()):
        held = 0
        span = slice(sub.indptr[row], sub.indptr[row + 1])
        for column in sub.indices[span][odd[span]].tolist():
            held ^= 1 << column
        bits.append(held)
        parity.append(math.floor(residual[row] + 0.5) & 1)
        members.append(1 << position)
        cost.append(float(max(slack[row], 0.0)))
    pivoted = [False] * len(bits)
    for column in range(len(fractional)):
        bit = 1 << column
        holders = [k for k in range(len(bits)) if not pivoted[k] and bits[k] & bit]
        if not holders:
            continue
        pivot = min(holders, key=lambda k: (cost[k], k))
        pivoted[pivot] = True
        for k in holders:
            if k != pivot:
                bits[k] ^= bits[pivot]
                parity[k] ^= parity[pivot]
                members[k] ^= members[pivot]
                cost[k] += cost[pivot]
    sets = []
    x_fractional = x[fractional]
    for k in range(len(bits)):
        if not parity[k] or cost[k] >= 1 - MIN_VIOLATION:
            continue
        odd = _bit_positions(bits[k])
        if 1 - cost[k] - float(x_fractional[odd].sum()) > 2 * MIN_VIOLATION:
            sets.append(candidates[_bit_positions(members[k])])
    return sets


def _bit_positions(value: int) -> IntArray:
    """Positions of the set bits of `value`, ascending."""
    positions = []
    while value:
        low = value & -value
        positions.append(low.bit_length() - 1)
        value ^= low
    return np.asarray(positions, dtype=np.int64)
