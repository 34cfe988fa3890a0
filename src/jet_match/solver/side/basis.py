"""The LP master's final basis, kept for the next solve of the same records.

A re-solve after a few record edits builds a new master over nearly the same columns
and rows; started from the slack basis, HiGHS's dual simplex spends tens of thousands
of iterations (seconds at national scale) finding again what the last solve had found.
`saved_basis` keeps each column's and row's basis status by what it stands for (a pair's
participant and opening, a participant, an opening, a cap key, a couple key), which
outlives the pair arrays' order; `restore_basis` maps it onto the new master. Columns
and rows the earlier model did not have start nonbasic at zero and basic respectively;
when that leaves more or fewer basic variables than rows, HiGHS's `setBasis` makes the
count right itself (and its factorisation repairs a singular basis).
A warm basis changes where the simplex starts, not what it proves: the LP optimum and
every bound are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from jet_match.solver.policy import IntArray
from jet_match.solver.side.master import MasterLP

StatusArray = npt.NDArray[np.int8]

_LOWER = int(highspy.HighsBasisStatus.kLower)
_BASIC = int(highspy.HighsBasisStatus.kBasic)
_UPPER = int(highspy.HighsBasisStatus.kUpper)
_STATUS = {int(s): s for s in highspy.HighsBasisStatus.__members__.values()}


@dataclass(frozen=True)
class SavedBasis:
    """Basis statuses (HiGHS's codes) of a master, keyed by what each column or row is."""

    n_openings: int
    pair_keys: IntArray  # participant * n_openings + opening, sorted
    pair_status: StatusArray
    slack: int  # the cardinality row's slack column
    participants: IntArray  # participant rows, sorted
    participant_status: StatusArray
    opening_status: StatusArray  # every opening
    cap_keys: IntArray  # binding cap rows, sorted
    cap_status: StatusArray
    cardinality: int
    couple_keys: IntArray  # couple rows, sorted
    couple_status: StatusArray


def saved_basis(master: MasterLP) -> SavedBasis | None:
    """The master's current basis, keyed for `restore_basis` (None without a valid one)."""
    basis = master.highs.getBasis()
    if not basis.valid:
        return None
    columns = np.fromiter((int(s) for s in basis.col_status), dtype=np.int8)
    rows = np.fromiter((int(s) for s in basis.row_status), dtype=np.int8)
    pairs, m = master.pairs, master.side.instance.tables.n_openings
    keys = _pair_keys(master)
    order = np.argsort(keys)
    first = master.first_opening_row
    caps = master.binding_caps
    return SavedBasis(
        n_openings=m,
        pair_keys=keys[order],
        pair_status=columns[1:][order],
        slack=int(columns[0]),
        participants=pairs.owners.copy(),
        participant_status=rows[:first].copy(),
        opening_status=rows[first : first + m].copy(),
        cap_keys=caps.copy(),
        cap_status=rows[master.cap_row[caps]].copy() if len(caps) else np.zeros(0, np.int8),
        cardinality=int(rows[master.cardinality_row]),
        couple_keys=master.couple_keys.copy(),
        couple_status=rows[master.couple_rows].copy(),
    )


def restore_basis(master: MasterLP, saved: SavedBasis) -> bool:
    """Start the master's next solve from `saved` (see the module docstring); False when
    the records are not indexed alike or HiGHS refuses the basis (it then starts cold)."""
    pairs, m = master.pairs, master.side.instance.tables.n_openings
    if saved.n_openings != m or len(saved.opening_status) != m:
        return False
    keys = _pair_keys(master)
    columns = np.concatenate(
        [[saved.slack], _lookup(saved.pair_keys, saved.pair_status, keys, _LOWER)]
    ).astype(np.int8)
    rows = np.full(master.n_rows, _BASIC, dtype=np.int8)
    first = master.first_opening_row
    rows[:first] = _lookup(saved.participants, saved.participant_status, pairs.owners, _BASIC)
    rows[first : first + m] = saved.opening_status
    caps = master.binding_caps
    if len(caps):
        rows[master.cap_row[caps]] = _lookup(saved.cap_keys, saved.cap_status, caps, _BASIC)
    rows[master.cardinality_row] = saved.cardinality
    rows[master.couple_rows] = _lookup(
        saved.couple_keys, saved.couple_status, master.couple_keys, _BASIC
    )
    # The rows' bounds (not the whole LP: `getLp` would copy its matrix too).
    _, _, lower, upper, _ = master.highs.getRows(
        master.n_rows, np.arange(master.n_rows, dtype=np.int32)
    )
    lower, upper = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    rows[(rows == _LOWER) & ~np.isfinite(lower)] = _UPPER
    rows[(rows == _UPPER) & ~np.isfinite(upper)] = _LOWER
    basis = highspy.HighsBasis()
    basis.col_status = [_STATUS[s] for s in columns.tolist()]
    basis.row_status = [_STATUS[s] for s in rows.tolist()]
    basis.valid = True
    return bool(master.highs.setBasis(basis) == highspy.HighsStatus.kOk)


def _pair_keys(master: MasterLP) -> IntArray:
    """Each column's pair (after the slack), as participant * n_openings + opening."""
    positions, pairs = master.order(), master.pairs
    keys: IntArray = (
        pairs.participant[positions] * master.side.instance.tables.n_openings
        + pairs.opening[positions]
    )
    return keys


def _lookup(keys: IntArray, status: StatusArray, wanted: IntArray, missing: int) -> StatusArray:
    """The saved status of each wanted key (sorted `keys`), `missing` where it has none."""
    if len(keys) == 0:
        return np.full(len(wanted), missing, dtype=np.int8)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found: StatusArray = np.where(keys[at] == wanted, status[at], missing).astype(np.int8)
    return found
