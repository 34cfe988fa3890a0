"""Each participant's best pairs (`pair_top`, the engines' first candidates): the same on
every machine.

The flags were `np.argpartition`'s choice, whose pick among equal scores depends on
numpy's build and the CPU (its AVX-512, AVX2 and generic routines each pick differently).
Scores are whole points, so ties at the edge are common: at national scale 23,514 of
6.4 M flags differed from a fixed rule. The flags seed the engines, so a solve's path (and
which of equally good plans it returns) followed the machine. The rule now: the highest
scores, ties at the edge going to the cells with the lowest fixed pseudo-random key,
checked here against a plain sort per row with the key written out in Python integers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded

from jet_match.solver import Problem, policy, prepare
from jet_match.solver import eligible_pairs as eligible_module
from jet_match.solver.deadline import Deadline
from jet_match.solver.eligible_pairs import Pairs, eligible_pairs, top_per_row
from jet_match.solver.policy import IntArray, build_tables

MASK = (1 << 64) - 1


def plain_key(row: int, col: int) -> int:
    """SplitMix64's finaliser over the two indices mixed by odd constants, in Python
    integers (64-bit wrap-around by masking)."""
    key = ((row * 0x9E3779B97F4A7C15) & MASK) ^ ((col * 0xC2B2AE3D27D4EB4F) & MASK)
    key ^= key >> 30
    key = (key * 0xBF58476D1CE4E5B9) & MASK
    key ^= key >> 27
    key = (key * 0x94D049BB133111EB) & MASK
    return key ^ (key >> 31)


def plain_top(
    values: np.ndarray, ok: np.ndarray, top_k: int, rows: list[int], cols: list[int]
) -> np.ndarray:
    """The rule written out: per row, the usable columns by score (highest first), then by
    key; the first `top_k` of them."""
    top = np.zeros(values.shape, dtype=np.bool_)
    for i, row in enumerate(rows):
        usable = [j for j in range(len(cols)) if ok[i, j]]
        ranked = sorted(usable, key=lambda j: (-int(values[i, j]), plain_key(row, cols[j])))
        for j in ranked[:top_k]:
            top[i, j] = True
    return top


def test_ties_at_the_edge_go_to_the_lowest_keys() -> None:
    rows, cols = [4, 9], [0, 1, 2, 3, 4]
    values = np.array([[5, 7, 7, 7, 3], [1, 1, 1, 1, 1]], dtype=np.int64)
    ok = np.ones(values.shape, dtype=np.bool_)
    # The keys' order, from the plain key: row 4's three 7s rank by key in columns 2, 1,
    # 3; row 9's five 1s in columns 3, 0, 2, 4, 1.
    assert sorted([1, 2, 3], key=lambda c: plain_key(4, c)) == [2, 1, 3]
    assert sorted(cols, key=lambda c: plain_key(9, c)) == [3, 0, 2, 4, 1]
    top = top_per_row(values, ok, 2, np.array(rows), np.array(cols))
    assert top.tolist() == [
        [False, True, True, False, False],  # the 7s keyed lowest: columns 2 and 1
        [True, False, False, True, False],  # the 1s keyed lowest: columns 3 and 0
    ]
    ok[0, 2] = False  # not eligible: the next 7 by key takes its place
    top = top_per_row(values, ok, 2, np.array(rows), np.array(cols))
    assert top[0].tolist() == [False, True, False, True, False]


def test_every_usable_cell_counts_even_below_zero() -> None:
    # A negative score (a penalty) still ranks above a pair that is not eligible.
    values = np.array([[-5, 9, -2, 4]], dtype=np.int64)
    ok = np.array([[True, False, True, False]])
    top = top_per_row(values, ok, 3, np.array([0]), np.arange(4))
    assert top.tolist() == [[True, False, True, False]]


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
    row_ids = rng.choice(10_000, size=rows, replace=False)
    col_ids = np.sort(rng.choice(3_000, size=columns, replace=False))
    expected = plain_top(values, ok, top_k, row_ids.tolist(), col_ids.tolist())
    assert (top_per_row(values, ok, top_k, row_ids, col_ids) == expected).all()


def test_a_runs_flags_follow_the_rule() -> None:
    """Through `prepare`: every participant's flagged pairs are its `top_k` best by score,
    ties going to the lowest keys of (participant, opening) in the run's tables
    (participants ask for the same places, so scores tie)."""
    inst = prepare(crowded(7, people=200, organizations=40, openings=120), top_k=3)
    p, o, score = inst.pair_p, inst.pair_o, inst.pair_score
    keys = np.array([plain_key(int(a), int(b)) for a, b in zip(p, o, strict=True)], np.uint64)
    order = np.lexsort((keys, -score, p))
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
top = top_per_row(values, ok, 12, np.arange(3000), np.arange(400))
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


def _computed(problem: Problem, *, top_k: int = 3, deadline: Deadline | None = None) -> Pairs:
    t = build_tables(problem)
    everyone = np.ones(t.n_participants, dtype=np.bool_)
    pairs = eligible_pairs(problem, t, everyone, np.ones(t.n_openings, np.bool_), top_k, deadline)
    assert pairs is not None
    return pairs


def test_blocks_on_threads_give_what_one_participant_at_a_time_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Blocks of 7 participants, computed on two threads in whatever order they finish:
    every pair lands where a plain loop over the participants, one at a time, puts it."""
    problem = crowded(11, people=200, organizations=40, openings=120)
    monkeypatch.setattr(eligible_module, "BLOCK", 7)
    threads: set[str] = set()
    original = policy.score

    def recording(*args: Any) -> IntArray:
        threads.add(threading.current_thread().name.rsplit("_", 1)[0])
        time.sleep(0.002 * (int(args[2].flat[0]) // 7 % 2))  # blocks finish out of order
        return original(*args)

    monkeypatch.setattr(policy, "score", recording)
    pair_p, pair_o, pair_score, pair_top = _computed(problem)
    assert threads == {"eligible-pairs"}
    t = build_tables(problem)
    openings = np.arange(t.n_openings)
    expected_p, expected_o, expected_score = [], [], []
    for p in range(t.n_participants):
        mine = openings[policy.eligible(t, np.full(len(openings), p), openings)]
        expected_p += [p] * len(mine)
        expected_o += mine.tolist()
        expected_score += original(t, problem.weights, np.full(len(mine), p), mine).tolist()
    assert pair_p.tolist() == expected_p
    assert pair_o.tolist() == expected_o
    assert pair_score.tolist() == expected_score
    assert pair_top.sum() == sum(min(3, expected_p.count(p)) for p in set(expected_p))


def test_the_pairs_are_the_same_on_one_thread_or_two(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = crowded(12, people=300, organizations=50, openings=150)
    monkeypatch.setattr(eligible_module, "BLOCK", 16)
    two = _computed(problem)
    monkeypatch.setattr(eligible_module, "WORKERS", 1)
    one = _computed(problem)
    one_arrays: list[np.ndarray] = list(one)
    two_arrays: list[np.ndarray] = list(two)
    for a, b in zip(one_arrays, two_arrays, strict=True):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)


class _ExpiresAfter:
    """A deadline that expires once it has been asked `times` times."""

    def __init__(self, times: int) -> None:
        self.left = times

    def expired(self) -> bool:
        self.left -= 1
        return self.left < 0


@pytest.mark.parametrize("asked", [0, 5, 40])
def test_a_deadline_passing_before_a_block_gives_no_pairs(
    asked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the first pass (0), within it (5) or within the second (40 of its 43 blocks
    and 43 checks of the first): None, not pairs with holes."""
    problem = crowded(13, people=300, organizations=50, openings=150)
    monkeypatch.setattr(eligible_module, "BLOCK", 7)
    t = build_tables(problem)
    everyone = np.ones(t.n_participants, dtype=np.bool_)
    deadline = cast(Deadline, _ExpiresAfter(asked if asked < 40 else 43 + asked))
    scope = np.ones(t.n_openings, np.bool_)
    assert eligible_pairs(problem, t, everyone, scope, 3, deadline) is None
