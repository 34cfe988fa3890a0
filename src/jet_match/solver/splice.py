"""Patching sorted arrays in one pass: some positions removed, new elements inserted
before given positions (reuse.py's pairs of a re-solve: a withdrawal removes a row of
pairs, an edit a few rows and an opening's column and inserts what eligibility gives
anew). A few runs are copied slice by slice; many, through a mask and an insert.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

from jet_match.solver.policy import IntArray

#: Up to this many pieces (runs kept and groups inserted) the arrays are rebuilt by
#: concatenating slices; beyond, through a boolean mask and `np.insert`.
SPLICE_PIECES = 8192
_Item = TypeVar("_Item", bound=np.generic)


class Splice:
    """Old arrays of `length` elements without the positions `holes` (sorted, distinct),
    with new elements inserted before the old positions `at` (nondecreasing; an old
    position removed stands for the place it leaves)."""

    def __init__(self, length: int, holes: IntArray, at: IntArray) -> None:
        self.length = length
        self.holes = holes
        self.at = at
        self.pieces = self._pieces()

    def _pieces(self) -> list[tuple[bool, int, int]] | None:
        """(new?, start, end) in output order, or None when there are too many."""
        holes, at = self.holes, self.at
        breaks = np.flatnonzero(np.diff(holes) != 1) + 1
        starts = holes[np.r_[0, breaks]] if len(holes) else holes
        ends = holes[np.r_[breaks - 1, len(holes) - 1]] + 1 if len(holes) else holes
        groups = np.flatnonzero(np.r_[True, np.diff(at) != 0]) if len(at) else at
        if 2 * (len(starts) + len(groups)) + 1 > SPLICE_PIECES:
            return None
        cuts = np.unique(np.concatenate([[0, self.length], starts, ends, at[groups]]))
        first, last = cuts[:-1], cuts[1:]
        run = np.searchsorted(starts, first, side="right") - 1
        removed = (run >= 0) & (first < ends[np.maximum(run, 0)]) if len(starts) else run < -1
        old = ~removed
        group_ends = np.r_[groups[1:], len(at)]
        # At one position the inserted elements come before the old element there.
        place = np.concatenate([first[old], at[groups]])
        kind = np.concatenate([np.ones(int(old.sum()), np.int8), np.zeros(len(groups), np.int8)])
        begin = np.concatenate([first[old], groups])
        end = np.concatenate([last[old], group_ends])
        order = np.lexsort((kind, place))
        return [
            (not k, b, e)
            for k, b, e in zip(
                kind[order].tolist(), begin[order].tolist(), end[order].tolist(), strict=True
            )
        ]

    def apply(self, old: npt.NDArray[_Item], new: npt.NDArray[_Item]) -> npt.NDArray[_Item]:
        """The patched copy of `old` with `new` (one element for each of `at`)."""
        new = new.astype(old.dtype, copy=False)
        if self.pieces is not None:
            parts = [(new if fresh else old)[b:e] for fresh, b, e in self.pieces]
            return np.concatenate(parts) if parts else old[:0].copy()
        keep = np.ones(self.length, dtype=np.bool_)
        keep[self.holes] = False
        return np.insert(old[keep], self.at - np.searchsorted(self.holes, self.at), new)

    def moved(self, positions: IntArray) -> IntArray:
        """Where old `positions` (none removed) are in the patched arrays."""
        shift = np.searchsorted(self.at, positions, side="right")
        return positions - np.searchsorted(self.holes, positions) + shift
