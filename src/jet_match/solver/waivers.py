"""Coordinators' overrides inside a prepared problem: the pairs whose hard rules are waived
for that pair alone (`Problem.waivers`), the extra slot of an override beyond capacity,
and the waived pairs added to the eligible ones. `prepare` calls these; nothing else
changes for any other pair.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from jet_match.solver import policy
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import CAPACITY, Problem, Waiver

#: Rules no waiver sets aside: a withdrawn participant or a cancelled opening is never placed.
UNWAIVABLE = frozenset({"participant_not_withdrawn", "opening_open"})


def waivable_pairs(
    problem: Problem, p_index: dict[str, int], o_index: dict[str, int]
) -> dict[tuple[int, int], frozenset[str] | None]:
    """The rules each waiver may set aside, by pair (None: whatever the pair breaks)."""
    out: dict[tuple[int, int], frozenset[str] | None] = {}
    for waiver in problem.waivers:
        i, j = p_index.get(waiver.participant, -1), o_index.get(waiver.opening, -1)
        if i >= 0 and j >= 0:
            out[(i, j)] = None if waiver.rules is None else frozenset(waiver.rules) - UNWAIVABLE
    return out


def allows(rules: frozenset[str] | None, rule: str) -> bool:
    return rule not in UNWAIVABLE and (rules is None or rule in rules)


def record_slots(problem: Problem, t: Tables, o_index: dict[str, int]) -> IntArray:
    """Each opening's slots as its record states them: tables reused from an earlier
    instance already carry that instance's places beyond capacity."""
    slots = np.zeros(t.n_openings, dtype=t.o_slots.dtype)
    for opening in problem.openings:
        slots[o_index[opening.external_id]] = opening.slots
    return slots


def waive_capacity(
    problem: Problem,
    t: Tables,
    pin_of: IntArray,
    o_index: dict[str, int],
    p_index: dict[str, int],
) -> tuple[Tables, frozenset[tuple[int, int]]]:
    """The tables with one slot added to an opening for each pinned waiver there that is
    `beyond_capacity` (that pair keeps its place and nobody loses one for it), and those
    pairs. Slots are read from the records, so that tables reused from an earlier
    instance are not widened twice."""
    slots = record_slots(problem, t, o_index)
    widened = {
        (p_index[w.participant], o_index[w.opening])
        for w in problem.waivers
        if w.beyond_capacity
        and w.participant in p_index
        and w.opening in o_index
        and pin_of[p_index[w.participant]] == o_index[w.opening]
    }
    extra = np.bincount(
        np.asarray([j for _, j in widened], dtype=np.int64), minlength=t.n_openings
    ).astype(slots.dtype)
    if not widened and (slots == t.o_slots).all():
        return t, frozenset()
    return replace(t, o_slots=slots + extra), frozenset(widened)


def resolved_waivers(
    t: Tables,
    waivable: dict[tuple[int, int], frozenset[str] | None],
    capacity_waived: frozenset[tuple[int, int]],
    in_run: BoolArray,
    o_scope: BoolArray,
) -> list[Waiver]:
    """Each waiver of the run with the rules it actually sets aside: those the pair
    breaks and the waiver allows (and capacity where it took a slot beyond the opening's)."""
    out = []
    for (i, j), rules in sorted(waivable.items()):
        if not (in_run[i] and o_scope[j]):
            continue
        broken = [r for r in policy.failed_rules(t, i, j) if allows(rules, r)]
        if (i, j) in capacity_waived:
            broken.append(CAPACITY)
        out.append(Waiver(t.participant_ids[i], t.opening_ids[j], tuple(broken)))
    return out


def waived_pairs(
    problem: Problem,
    t: Tables,
    waived: list[Waiver],
    pair_p: npt.NDArray[np.int32],
    pair_o: npt.NDArray[np.int32],
) -> tuple[IntArray, IntArray, IntArray] | None:
    """The waived pairs that every remaining rule allows and the pair arrays lack, with
    their scores (the sum of the terms, as for any pair); None when there are none."""
    p_index = {pid: i for i, pid in enumerate(t.participant_ids)}
    o_index = {oid: j for j, oid in enumerate(t.opening_ids)}
    wanted = [
        (p_index[w.participant], o_index[w.opening])
        for w in waived
        if w.rules
        and not [
            r
            for r in policy.failed_rules(t, p_index[w.participant], o_index[w.opening])
            if r not in (w.rules or ())
        ]
    ]
    if not wanted:
        return None
    p = np.asarray([i for i, _ in wanted], dtype=np.int64)
    o = np.asarray([j for _, j in wanted], dtype=np.int64)
    keys = pair_p.astype(np.int64) * t.n_openings + pair_o
    new = p * t.n_openings + o
    at = np.minimum(np.searchsorted(keys, new), max(len(keys) - 1, 0))
    missing = np.ones(len(new), dtype=np.bool_) if len(keys) == 0 else keys[at] != new
    if not missing.any():
        return None
    p, o = p[missing], o[missing]
    return p, o, policy.score(t, problem.weights, p, o)


def insert_pairs(
    t: Tables,
    arrays: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, BoolArray],
    added: tuple[IntArray, IntArray, IntArray],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, BoolArray]:
    """The pair arrays with `added` pairs inserted in (participant, opening) order; they
    seed the engines' candidates (a waived pair is pinned)."""
    pair_p, pair_o, pair_score, pair_top = arrays
    p, o, score = added
    order = np.argsort(p * t.n_openings + o)
    p, o, score = p[order], o[order], score[order]
    at = np.searchsorted(pair_p.astype(np.int64) * t.n_openings + pair_o, p * t.n_openings + o)
    return (
        np.insert(pair_p, at, p.astype(np.int32)),
        np.insert(pair_o, at, o.astype(np.int32)),
        np.insert(pair_score, at, score),
        np.insert(pair_top, at, True),
    )
