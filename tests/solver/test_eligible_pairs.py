"""Each participant's best pairs (`pair_top`, the engines' first candidates): the same on
every machine.

The flags were `np.argpartition`'s choice, whose pick among equal scores depends on
numpy's build and the CPU (its AVX-512 selection differs from the generic one). Scores
are whole points, so ties at the edge are common: at national scale 23,514 of 6.4 M
flags differed from the rule below. The flags seed the engines, so a solve's path (and
which of equally good plans it returns) followed the machine. The rule now: the highest
scores, ties at the edge going to the lowest columns (openings in the run's order),
checked here against a plain sort per row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded

from jet_match.solver import prepare
from jet_match.solver.eligible_pairs import top_per_row


def plain_top(values: np.ndarray, ok: np.ndarray, top_k: int) -> np.ndarray:
    """The rule written out: per row, the usable columns by score (highest first), then by
    column; the first `top_k` of them."""
    top = np.zeros(values.shape, dtype=np.bool_)
    for row in range(values.shape[0]):
        usable = [c for c in range(values.shape[1]) if ok[row, c]]
        ranked = sorted(usable, key=lambda c: (-int(values[row, c]), c))
        for c in ranked[:top_k]:
            top[row, c] = True
    return top


def test_ties_at_the_edge_go_to_the_lowest_columns() -> None:
    values = np.array([[5, 7, 7, 7, 3], [1, 1, 1, 1, 1]], dtype=np.int64)
    ok = np.ones(values.shape, dtype=np.bool_)
    assert top_per_row(values, ok, 2).tolist() == [
        [False, True, True, False, False],
        [True, True, False, False, False],
    ]
    ok[0, 1] = False  # not eligible: the next 7 takes its place
    assert top_per_row(values, ok, 2)[0].tolist() == [False, False, True, True, False]


def test_every_usable_cell_counts_even_below_zero() -> None:
    # A negative score (a penalty) still ranks above a pair that is not eligible.
    values = np.array([[-5, 9, -2, 4]], dtype=np.int64)
    ok = np.array([[True, False, True, False]])
    assert top_per_row(values, ok, 3).tolist() == [[True, False, True, False]]


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 6),
    columns=st.integers(1, 14),
    top_k=st.integers(1, 6),
    levels=st.integers(1, 4),
)
def test_equals_a_plain_sort_per_row(
    seed: int, rows: int, columns: int, top_k: int, levels: int
) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(-levels, levels, size=(rows, columns)).astype(np.int64)
    ok = rng.random((rows, columns)) < 0.8
    assert (top_per_row(values, ok, top_k) == plain_top(values, ok, top_k)).all()


def test_a_runs_flags_follow_the_rule() -> None:
    """Through `prepare`: every participant's flagged pairs are its `top_k` best by score,
    ties going to the openings first in the run (participants ask for the same places, so
    scores tie)."""
    inst = prepare(crowded(7, people=200, organizations=40, openings=120), top_k=3)
    p, o, score = inst.pair_p, inst.pair_o, inst.pair_score
    order = np.lexsort((o, -score, p))
    first = np.r_[True, p[order][1:] != p[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    expected = np.zeros(len(p), dtype=np.bool_)
    expected[order[np.arange(len(order)) - start < 3]] = True
    assert (inst.pair_top == expected).all()
    ties = 0
    for participant in np.unique(p):
        mine = np.sort(score[p == participant])[::-1]
        ties += int(len(mine) > 3 and mine[2] == mine[3])
    assert ties > 20  # the rule decided something


#: numpy's groups of CPU features (numpy 2.4): AVX-512, then AVX2 and below it.
WITHOUT_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
WITHOUT_AVX2 = "X86_V3 " + WITHOUT_AVX512
_FLAGS_IN_A_CHILD = """
import hashlib, json
import numpy as np
from numpy._core._multiarray_umath import __cpu_features__ as features
from jet_match.solver.eligible_pairs import top_per_row
rng = np.random.default_rng(0)
values = rng.integers(0, 6, size=(3000, 400)).astype(np.int64)
ok = rng.random(values.shape) < 0.9
top = top_per_row(values, ok, 12)
print(json.dumps({"flags": hashlib.md5(np.packbits(top).tobytes()).hexdigest(),
                  "avx2": bool(features["X86_V3"]), "avx512": bool(features["X86_V4"])}))
"""


def flags_in_a_child(disabled: str) -> dict[str, object]:
    """`top_per_row` on a crowded table of ties, in a Python whose numpy may not use the
    CPU features `disabled` (numpy's `NPY_DISABLE_CPU_FEATURES`)."""
    environment = {**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}
    done = subprocess.run(
        [sys.executable, "-c", _FLAGS_IN_A_CHILD],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_the_same_flags_whichever_routines_numpy_uses() -> None:
    """numpy selects its sort and partition routines by CPU (AVX-512, AVX2, generic): on
    this table `np.argpartition`'s flags differed in all three (2026-12-06, fourteenth
    VM). The rule's must not; and each child must really have run without the features
    it was told to leave out (an unknown name is only a warning)."""
    everything = flags_in_a_child("")
    without_avx512 = flags_in_a_child(WITHOUT_AVX512)
    without_avx2 = flags_in_a_child(WITHOUT_AVX2)
    assert without_avx512["avx512"] is False
    assert without_avx2["avx2"] is False
    assert without_avx2["avx512"] is False
    assert everything["flags"] == without_avx512["flags"] == without_avx2["flags"]
