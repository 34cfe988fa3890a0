"""Preparing again after a few changes: which records changed since an earlier instance
of the same records, and that instance's pairs kept, with only the changed
participants' rows and the changed openings' columns computed anew (`prepare(base=)`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from jet_match.solver.eligible_pairs import eligible_pairs, search_pairs
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import ParticipantStatus, Problem

#: A re-solve copies the pairs between leaving participants when they are at most this many.
COPY_RUNS = 64
_Item = TypeVar("_Item", bound=np.generic)


class Prepared(Protocol):
    """What `reuse_pairs` reads of an earlier instance (solver/instance.py's `Instance`)."""

    @property
    def tables(self) -> Tables: ...
    @property
    def top_k(self) -> int: ...
    @property
    def in_run(self) -> BoolArray: ...
    @property
    def in_scope(self) -> BoolArray: ...
    @property
    def pair_p(self) -> npt.NDArray[np.int32]: ...
    @property
    def pair_o(self) -> npt.NDArray[np.int32]: ...
    @property
    def pair_score(self) -> IntArray: ...
    @property
    def pair_top(self) -> BoolArray: ...

    def participant_bounds(self) -> IntArray: ...


def record_changes(a: Problem, b: Problem) -> tuple[BoolArray, BoolArray] | None:
    """Which participants and openings of `b` differ from `a` (table order, by external
    id); None when they are not the same records (a record added or removed, another
    policy, scope or waivers). A participant whose status alone changed is not counted
    (its run membership is `reuse_pairs`'s); an opening counts when its organization changed."""
    if (a.weights, a.positions, a.regions, a.waivers) != (
        b.weights,
        b.positions,
        b.regions,
        b.waivers,
    ):
        return None
    orgs_a = {r.external_id: r for r in a.organizations}
    orgs_b = {r.external_id: r for r in b.organizations}
    openings_a = {r.external_id: r for r in a.openings}
    openings_b = {r.external_id: r for r in b.openings}
    people_a = {r.external_id: r for r in a.participants}
    people_b = {r.external_id: r for r in b.participants}
    if (
        orgs_a.keys() != orgs_b.keys()
        or openings_a.keys() != openings_b.keys()
        or people_a.keys() != people_b.keys()
        or len(orgs_b) != len(b.organizations)
        or len(openings_b) != len(b.openings)
        or len(people_b) != len(b.participants)
    ):
        return None
    moved = {key for key, org in orgs_b.items() if orgs_a[key] != org}
    settled = ParticipantStatus.SHORTLISTED
    people = sorted(people_b)
    openings = sorted(openings_b)
    p_changed = np.fromiter(
        (
            people_a[k] != people_b[k]
            and replace(people_a[k], status=settled) != replace(people_b[k], status=settled)
            for k in people
        ),
        dtype=np.bool_,
        count=len(people),
    )
    o_changed = np.fromiter(
        (openings_a[k] != openings_b[k] or openings_b[k].organization in moved for k in openings),
        dtype=np.bool_,
        count=len(openings),
    )
    return p_changed, o_changed


def reuse_pairs(
    base: Prepared,
    problem: Problem,
    t: Tables,
    in_run: BoolArray,
    top_k: int,
    changes: tuple[BoolArray, BoolArray],
    remembered: BoolArray | None,
) -> (
    tuple[
        npt.NDArray[np.int32],
        npt.NDArray[np.int32],
        IntArray,
        BoolArray,
        IntArray,
        BoolArray | None,
    ]
    | None
):
    """The pairs of `base` kept, with those of the participants and openings to redo
    computed, the first pair of each participant, and base's remembered candidates at
    the new positions when no pair was computed anew (else None); None when the records
    are not indexed alike. `changes` (`record_changes`): the participants redone over
    every opening, and the openings (columns) redone for every other participant;
    `remembered`: base's candidate mask, if any."""
    if (
        base.tables.participant_ids != t.participant_ids
        or base.tables.opening_ids != t.opening_ids
        or base.top_k != top_k
    ):
        return None
    edited, columns = changes
    n_o = t.n_openings
    old_forbidden, new_forbidden = base.tables.forbidden_keys, t.forbidden_keys
    changed = np.setxor1d(old_forbidden, new_forbidden)
    touched = edited.copy()
    touched[changed // n_o] = True
    redo = in_run & (~base.in_run | touched)
    kept = in_run & ~touched
    counts = np.diff(base.participant_bounds())
    dropped = np.flatnonzero(~kept & (counts > 0))
    if not columns.any() and len(dropped) <= COPY_RUNS:
        # A few participants leave (a withdrawal): copy the runs of pairs between them.
        bounds = base.participant_bounds()
        begins, ends = np.r_[0, bounds[dropped + 1]], np.r_[bounds[dropped], len(base.pair_p)]
        runs = list(zip(begins.tolist(), ends.tolist(), strict=True))

        def take(values: npt.NDArray[_Item]) -> npt.NDArray[_Item]:
            return np.concatenate([values[a:b] for a, b in runs])
    else:
        keep = np.repeat(kept, counts) & ~columns[base.pair_o]

        def take(values: npt.NDArray[_Item]) -> npt.NDArray[_Item]:
            return values[keep]

    pair_p, pair_o = take(base.pair_p), take(base.pair_o)
    score, top = take(base.pair_score), take(base.pair_top)
    o_scope = base.in_scope
    pieces = [eligible_pairs(problem, t, redo, o_scope, top_k) if redo.any() else None]
    others = kept & ~redo  # newly in the run: redone over every opening already
    if columns.any() and others.any():  # the edited openings, for everyone else
        pieces.append(eligible_pairs(problem, t, others, o_scope & columns, top_k))
    found = [piece for piece in pieces if piece is not None and len(piece[0])]
    carried = take(remembered) if remembered is not None and not found else None
    if found:
        new_p, new_o, new_s, new_t = (np.concatenate(arrays) for arrays in zip(*found, strict=True))
        order = np.argsort(new_p.astype(np.int64) * n_o + new_o, kind="stable")
        new_p, new_o, new_s, new_t = new_p[order], new_o[order], new_s[order], new_t[order]
        # In the pairs' own dtype: a wider one would copy all of them first (10 ms).
        everyone = np.arange(t.n_participants + 1, dtype=pair_p.dtype)
        at, _ = search_pairs(pair_o, np.searchsorted(pair_p, everyone), new_p, new_o)
        pair_p, pair_o = np.insert(pair_p, at, new_p), np.insert(pair_o, at, new_o)
        score, top = np.insert(score, at, new_s), np.insert(top, at, new_t)
    everyone = np.arange(t.n_participants + 1, dtype=pair_p.dtype)
    bounds = np.searchsorted(pair_p, everyone).astype(np.int64)
    return pair_p, pair_o, score, top, bounds, carried
