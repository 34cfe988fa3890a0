"""Preparing again after a few changes: which records changed since an earlier instance
of the same records, and that instance's pairs kept, with only the changed
participants' rows and the changed openings' columns computed anew (`prepare(base=)`).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from jet_match.solver import policy
from jet_match.solver.eligible_pairs import eligible_pairs, no_pairs, search_pairs
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import ParticipantStatus, Problem
from jet_match.solver.splice import Splice


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


#: Columns whose values are indices into the whole problem's interned codes (countries,
#: regions, sports): `edited_tables` copies them only when no edit changes those codes.
INTERNED = frozenset({"p_country", "p_home_region", "p_sport", "o_sport"})


def edited_tables(
    base: Tables, a: Problem, b: Problem, changes: tuple[BoolArray, BoolArray]
) -> Tables:
    """The tables of `b` from `base` (those of `a`, the same records) with only the rows
    `changes` names built again, when no edit changes a citizenship, home region, sport,
    requested country, opening's organization or sister region (the interned codes, and
    so every other row, stay as a full build gives them); else a full build."""
    edited, columns = changes
    people = [base.participant_ids[i] for i in np.flatnonzero(edited)]
    openings = [base.opening_ids[j] for j in np.flatnonzero(columns)]
    people_a = {r.external_id: r for r in a.participants}
    people_b = {r.external_id: r for r in b.participants}
    openings_a = {r.external_id: r for r in a.openings}
    openings_b = {r.external_id: r for r in b.openings}
    orgs_a = {r.external_id: r.sister_regions for r in a.organizations}
    if (
        any(
            (people_a[k].citizenship, people_a[k].home_region, people_a[k].sport)
            != (people_b[k].citizenship, people_b[k].home_region, people_b[k].sport)
            for k in people
        )
        or any(
            (openings_a[k].requested_countries, openings_a[k].sport, openings_a[k].organization)
            != (openings_b[k].requested_countries, openings_b[k].sport, openings_b[k].organization)
            for k in openings
        )
        or any(orgs_a[r.external_id] != r.sister_regions for r in b.organizations)
    ):
        return policy.build_tables(b)
    rows = policy.build_tables(
        replace(
            b,
            participants=tuple(people_b[k] for k in people),
            openings=tuple(openings_b[k] for k in openings),
            forbidden=(),
        )
    )
    t = policy.restatus_tables(base, b)
    patched: dict[str, Any] = {}
    for name, at in (("p_", np.flatnonzero(edited)), ("o_", np.flatnonzero(columns))):
        for column in fields(t):
            if column.name.startswith(name) and column.name not in INTERNED:
                values = getattr(t, column.name).copy()
                values[at] = getattr(rows, column.name)
                patched[column.name] = values
    return replace(t, **patched)


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
    the new positions (None without `remembered`); None when the records are not indexed
    alike. `changes` (`record_changes`): the participants redone over every opening, and
    the openings (columns) redone for every other participant; `remembered`: base's
    candidate mask, if any.

    A pair computed anew that base had (most of an edited row or column) stays where it
    was with its new score, and keeps whether it was remembered; the others are removed
    or inserted (`Splice`), so that a re-solve copies runs of pairs, not every pair."""
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
    bounds = base.participant_bounds()
    had = np.diff(bounds) > 0
    o_scope = base.in_scope
    pieces = [eligible_pairs(problem, t, redo, o_scope, top_k) if redo.any() else None]
    others = kept & ~redo  # newly in the run: redone over every opening already
    old_columns = np.zeros(0, dtype=np.int64)
    if columns.any():  # the edited openings, for everyone else
        edited_openings = np.flatnonzero(columns)
        hit = (  # one opening (most edits): a comparison, 4x faster than `isin`
            base.pair_o == edited_openings[0]
            if len(edited_openings) == 1
            else np.isin(base.pair_o, edited_openings)
        )
        old_columns = np.flatnonzero(hit)
        old_columns = old_columns[kept[base.pair_p[old_columns]]]
        if others.any():
            pieces.append(eligible_pairs(problem, t, others, o_scope & columns, top_k))
    found = [piece for piece in pieces if piece is not None and len(piece[0])]
    if found:
        new_p, new_o, new_s, new_t = (np.concatenate(arrays) for arrays in zip(*found, strict=True))
        order = np.argsort(new_p.astype(np.int64) * n_o + new_o, kind="stable")
        new_p, new_o, new_s, new_t = new_p[order], new_o[order], new_s[order], new_t[order]
    else:
        new_p, new_o, new_s, new_t = no_pairs()
    # Base's pairs computed anew, and those of participants leaving the run.
    again = np.union1d(_rows(bounds, had & in_run & touched), old_columns)
    leaving = _rows(bounds, had & ~in_run)
    new_keys = new_p.astype(np.int64) * n_o + new_o
    old_keys = base.pair_p[again].astype(np.int64) * n_o + base.pair_o[again]
    where = np.minimum(np.searchsorted(old_keys, new_keys), max(len(again) - 1, 0))
    same = old_keys[where] == new_keys if len(again) else np.zeros(len(new_keys), np.bool_)
    still = np.zeros(len(again), dtype=np.bool_)
    still[where[same]] = True
    fresh = ~same
    at, _ = search_pairs(base.pair_o, bounds, new_p[fresh], new_o[fresh])
    splice = Splice(len(base.pair_p), np.union1d(leaving, again[~still]), at)
    pair_p, pair_o = (
        splice.apply(base.pair_p, new_p[fresh]),
        splice.apply(base.pair_o, new_o[fresh]),
    )
    score, top = (
        splice.apply(base.pair_score, new_s[fresh]),
        splice.apply(base.pair_top, new_t[fresh]),
    )
    updated = splice.moved(again[where[same]])
    score[updated], top[updated] = new_s[same], new_t[same]
    carried = (
        splice.apply(remembered, np.zeros(int(fresh.sum()), dtype=np.bool_))
        if remembered is not None
        else None
    )
    # In the pairs' own dtype: a wider one would copy all of them first (10 ms).
    everyone = np.arange(t.n_participants + 1, dtype=pair_p.dtype)
    new_bounds = np.searchsorted(pair_p, everyone).astype(np.int64)
    return pair_p, pair_o, score, top, new_bounds, carried


def _rows(bounds: IntArray, rows: BoolArray) -> IntArray:
    """The positions of the pairs of `rows` (participants), in order."""
    which = np.flatnonzero(rows)
    starts, sizes = bounds[which], bounds[which + 1] - bounds[which]
    offsets = np.cumsum(sizes) - sizes
    return np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
