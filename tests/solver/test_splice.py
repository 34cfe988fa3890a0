"""`Splice` against a plain list-by-list patch: removing positions of sorted arrays and
inserting new elements before old positions, run by run and through a mask."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jet_match.solver import splice
from jet_match.solver.splice import Splice


def _by_hand(old: list[int], holes: set[int], at: list[int], new: list[int]) -> list[int]:
    """Walk the old elements; before each (and at the end) put what is inserted there."""
    out: list[int] = []
    k = 0
    for i in range(len(old) + 1):
        while k < len(at) and at[k] == i:
            out.append(new[k])
            k += 1
        if i < len(old) and i not in holes:
            out.append(old[i])
    return out


@settings(max_examples=200, deadline=None)
@given(
    length=st.integers(0, 40),
    data=st.data(),
    pieces=st.sampled_from((splice.SPLICE_PIECES, 0)),
)
def test_a_splice_is_the_patch_by_hand(length: int, data: st.DataObject, pieces: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(splice, "SPLICE_PIECES", pieces)
        positions = st.integers(0, length)
        holes = sorted(data.draw(st.sets(st.integers(0, max(length - 1, 0)))) if length else [])
        at = sorted(data.draw(st.lists(positions, max_size=12)))
        old = np.arange(100, 100 + length, dtype=np.int32)
        new = np.arange(-len(at), 0, dtype=np.int64)  # another dtype: cast to old's
        s = Splice(length, np.asarray(holes, dtype=np.int64), np.asarray(at, dtype=np.int64))
        assert (s.pieces is None) == (pieces == 0)
        got = s.apply(old, new)
        assert got.dtype == old.dtype
        expected = _by_hand(old.tolist(), set(holes), at, new.tolist())
        assert got.tolist() == expected
        kept = np.asarray([i for i in range(length) if i not in holes], dtype=np.int64)
        assert got[s.moved(kept)].tolist() == old[kept].tolist()


def test_a_few_runs_are_copied_as_slices() -> None:
    """A withdrawal's row and an edit's scattered column: pieces, not a mask."""
    holes = np.r_[np.arange(1000, 1900), np.arange(5, 10_000_000, 3000)].astype(np.int64)
    s = Splice(10_000_000, np.unique(holes), np.asarray([1000, 4000, 4000], dtype=np.int64))
    assert s.pieces is not None
    assert len(s.pieces) < len(holes) - 800  # the row of 900 is one cut
    many = Splice(10_000_000, np.arange(0, 10_000_000, 2, dtype=np.int64), np.zeros(0, np.int64))
    assert many.pieces is None
