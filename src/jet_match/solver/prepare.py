"""Preparing a problem for solving: `prepare(problem)` builds its `Instance`.

It does the vectorised work once: eligibility and score of every participant x opening
pair of the run, in blocks of participants so that memory stays bounded (the pairs are
computed in eligible_pairs.py); the run's members, pins, the previous plan, couples (the
stricter constraint when the halves disagree), each prefecture's cap and the waivers.
Every pin that cannot hold becomes a `Conflict` instead of an exception, so `solve` can
report an infeasible problem by name. A re-solve's `prepare(base=)` keeps an earlier
instance's pairs and computes only what changed (reuse.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection

import numpy as np

from jet_match.solver import policy, reuse, waivers
from jet_match.solver.caps import PREFECTURE_CODES, split_cap_key
from jet_match.solver.deadline import Deadline
from jet_match.solver.eligible_pairs import eligible_pairs, no_pairs
from jet_match.solver.instance import TOP_K, Conflict, Instance, compatible, couple_group
from jet_match.solver.policy import BoolArray, IntArray, Tables
from jet_match.solver.problem import ParticipantStatus, Problem


def prepare(
    problem: Problem,
    *,
    base: Instance | None = None,
    top_k: int = TOP_K,
    deadline: Deadline | None = None,
    rows: Collection[str] | None = None,
) -> Instance:
    """Eligibility and scores of every pair of the run, pins, couples and caps, checked.

    `top_k` is how many of each participant's best pairs seed the engines' candidate
    sets (the engines are exact whatever it is; a small value only costs more rounds).

    With `base` (an instance of the same records, e.g. before a withdrawal or a few record
    edits), the pairs of participants whose record, status, pins-run membership and
    forbidden pairs did not change are reused, and only the others are computed: the
    edited participants over every opening, the edited openings (or openings of an edited
    organization) for everyone else. A re-solve then costs milliseconds of preparation
    instead of seconds, and keeps what the engines learnt on `base` (candidate sets, side
    columns: seeds only, the engines stay exact). A record added or removed, or another
    policy, scope or waivers, falls back to a full prepare.

    With `deadline`, the eligibility pass stops when its `for_first_plan` clock expires
    (no plan without it, so it may use part of the run's margin): the instance then has
    no pairs and `out_of_time` set (`solve` returns `timeout`; no later prepare reuses it).

    With `rows` (participant external_ids), only those participants' pairs are computed
    (and the waived pairs): everything else (tables, run membership, pins, couples, caps)
    is the whole problem's, and those rows' pairs are the whole problem's, since
    eligibility and scores are per pair. Enough to explain one participant
    (`explain_plan`) without the whole problem's pairs; not an instance to solve.
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    started = time.perf_counter()
    changes = (
        reuse.record_changes(base.problem, problem)
        if base is not None and not base.out_of_time
        else None
    )
    same = changes is not None and not (changes[0].any() or changes[1].any())
    if changes is None or base is None:
        t = policy.build_tables(problem)
    elif same:
        t = policy.restatus_tables(base.tables, problem)
    else:
        t = reuse.edited_tables(base.tables, base.problem, problem, changes)
    scope = problem.positions
    p_scope = np.ones(t.n_participants, dtype=np.bool_)
    o_scope = np.ones(t.n_openings, dtype=np.bool_)
    if scope is not None:
        positions = np.asarray(sorted(int(x) for x in scope), dtype=np.int64)
        p_scope = np.isin(t.p_position, positions)
        o_scope = np.isin(t.o_position, positions)
    p_index = {pid: i for i, pid in enumerate(t.participant_ids)}
    o_index = {oid: j for j, oid in enumerate(t.opening_ids)}
    conflicts: list[Conflict] = []
    pin_of = np.full(t.n_participants, -1, dtype=np.int64)
    for pin in sorted(problem.pins, key=lambda a: (a.participant, a.opening)):
        if pin.participant not in p_index or pin.opening not in o_index:
            conflicts.append(
                Conflict(
                    "unknown_pin",
                    "a pin names an unknown record",
                    (pin.participant,),
                    (pin.opening,),
                )
            )
            continue
        i, j = p_index[pin.participant], o_index[pin.opening]
        if not (p_scope[i] or o_scope[j]):
            continue  # a pin of another position's run
        if pin_of[i] >= 0 and pin_of[i] != j:
            conflicts.append(
                Conflict(
                    "pinned_twice",
                    "a participant is pinned to two openings",
                    (pin.participant,),
                    (t.opening_ids[pin_of[i]], pin.opening),
                )
            )
            continue
        pin_of[i] = j
    pinned_alternate = (pin_of >= 0) & (t.p_status == ParticipantStatus.ALTERNATE)
    in_run = p_scope & ((t.p_status == ParticipantStatus.SHORTLISTED) | pinned_alternate)
    waivable = waivers.waivable_pairs(problem, p_index, o_index)
    for pinned_index in np.flatnonzero(pin_of >= 0).tolist():
        i = int(pinned_index)
        j = int(pin_of[i])
        reasons = [
            r
            for r in policy.failed_rules(t, i, j)
            if (i, j) not in waivable or not waivers.allows(waivable[(i, j)], r)
        ]
        if reasons or not o_scope[j]:
            conflicts.append(
                Conflict(
                    "ineligible_pin",
                    "a pinned pair breaks a hard rule: " + ", ".join(reasons or ["out of scope"]),
                    (t.participant_ids[i],),
                    (t.opening_ids[j],),
                    tuple(reasons),
                )
            )
            pin_of[i] = -1
        elif not in_run[i]:
            pin_of[i] = -1
    previous_of = np.full(t.n_participants, -1, dtype=np.int64)
    for pair in problem.previous_plan:
        i, j = p_index.get(pair.participant, -1), o_index.get(pair.opening, -1)
        if i >= 0 and j >= 0 and in_run[i]:
            previous_of[i] = j
    partner_of = np.full(t.n_participants, -1, dtype=np.int64)
    constraint = np.full(t.n_participants, -1, dtype=np.int64)
    for record in problem.participants:
        i = p_index[record.external_id]
        k = p_index.get(record.partner or "", -1)
        if in_run[i] and k >= 0 and in_run[k] and record.partner_constraint is not None:
            partner_of[i] = k
            constraint[i] = int(record.partner_constraint)
    # A couple whose two halves disagree on the constraint keeps the stricter one.
    both = partner_of >= 0
    stricter = np.minimum(constraint, np.where(both, constraint[np.maximum(partner_of, 0)], 99))
    constraint = np.where(both, stricter, -1)
    cap = _caps(problem, t, o_scope, o_index)
    t, capacity_waived = waivers.waive_capacity(problem, t, pin_of, o_index, p_index)
    reused = (
        reuse.reuse_pairs(base, problem, t, in_run, top_k, changes, base.candidate_mask())
        if changes is not None and base is not None and rows is None
        else None
    )
    computed_for = in_run
    if rows is not None:
        wanted = set(rows)
        asked = np.fromiter((pid in wanted for pid in t.participant_ids), dtype=np.bool_)
        computed_for = in_run & asked
    bounds = None
    computed = None
    carried = None
    if reused is not None:
        pair_p, pair_o, pair_score, pair_top, bounds, carried = reused
    else:
        computed = eligible_pairs(
            problem,
            t,
            computed_for,
            o_scope,
            top_k,
            deadline.for_first_plan() if deadline else None,
        )
        pair_p, pair_o, pair_score, pair_top = computed or no_pairs()
    waived = waivers.resolved_waivers(t, waivable, capacity_waived, in_run, o_scope)
    if reused is not None or computed is not None:
        added = waivers.waived_pairs(problem, t, waived, pair_p, pair_o)
        if added is not None:
            pair_p, pair_o, pair_score, pair_top = waivers.insert_pairs(
                t, (pair_p, pair_o, pair_score, pair_top), added
            )
            bounds = carried = None
    instance = Instance(
        problem=problem,
        tables=t,
        in_run=in_run,
        in_scope=o_scope,
        pair_p=pair_p,
        pair_o=pair_o,
        pair_score=pair_score,
        pair_top=pair_top,
        pin_of=pin_of,
        previous_of=previous_of,
        partner_of=partner_of,
        partner_constraint=constraint,
        cap_of_prefecture=cap,
        conflicts=(),
        model_s=0.0,
        top_k=top_k,
        out_of_time=reused is None and computed is None,
        waived=tuple(w for w in waived if w.rules),
        edits=changes if reused is not None else None,
    )
    if bounds is not None:
        instance.keep_participant_bounds(bounds)
    if reused is not None and base is not None:
        instance.learn_from(base, carried)
    if not instance.out_of_time:  # without pairs, pins would look unkeepable
        conflicts.extend(_pin_conflicts(instance))
    instance.conflicts = tuple(conflicts)
    instance.model_s = time.perf_counter() - started
    return instance


def _caps(
    problem: Problem, t: Tables, o_scope: BoolArray, o_index: dict[str, int]
) -> IntArray | None:
    """Each prefecture's cap: max(1, floor(share x its open slots of the run's positions)),
    the slots the records state (no override's place beyond capacity counts)."""
    share = problem.max_country_share_per_prefecture
    if share is None:
        return None
    counted = o_scope & t.o_open
    slots = np.bincount(
        t.o_prefecture[counted],
        weights=waivers.record_slots(problem, t, o_index)[counted],
        minlength=PREFECTURE_CODES,
    )
    # floor(f x slots) computed with a tolerance so that 0.29 x 100 gives 29, not 28.
    floors = np.asarray([math.floor(share * s + 1e-9) for s in slots], dtype=np.int64)
    return np.maximum(1, floors)


def _pin_conflicts(instance: Instance) -> list[Conflict]:
    t = instance.tables
    out: list[Conflict] = []
    pinned = np.flatnonzero(instance.pin_of >= 0)
    load = np.bincount(instance.pin_of[pinned], minlength=t.n_openings)
    for j in np.flatnonzero(load > t.o_slots):
        who = tuple(t.participant_ids[i] for i in pinned if instance.pin_of[i] == j)
        out.append(
            Conflict(
                "pins_over_capacity",
                f"{int(load[j])} participants are pinned to an opening "
                f"with {int(t.o_slots[j])} slots",
                who,
                (t.opening_ids[j],),
            )
        )
    for i in pinned:
        k = int(instance.partner_of[i])
        if k < 0 or (k < i and instance.pin_of[k] >= 0):
            continue
        if instance.pin_of[k] >= 0:
            if not compatible(
                instance, int(i), k, int(instance.pin_of[i]), int(instance.pin_of[k])
            ):
                out.append(
                    Conflict(
                        "couple_pinned_apart",
                        "a couple is pinned to openings that break their partner constraint",
                        (t.participant_ids[i], t.participant_ids[k]),
                        (t.opening_ids[instance.pin_of[i]], t.opening_ids[instance.pin_of[k]]),
                    )
                )
            continue
        group = couple_group(instance, np.asarray([i]), instance.pin_of[[i]])[0]
        own = np.flatnonzero(instance.pair_p == k)
        groups = couple_group(instance, np.full(len(own), k), instance.pair_o[own].astype(np.int64))
        if not (groups == group).any():
            out.append(
                Conflict(
                    "partner_has_no_opening",
                    "the partner of a pinned participant has no eligible opening "
                    "that keeps the couple together",
                    (t.participant_ids[i], t.participant_ids[k]),
                    (t.opening_ids[instance.pin_of[i]],),
                )
            )
    if instance.cap_of_prefecture is not None and len(pinned):
        keys = instance.country_prefecture(pinned, instance.pin_of[pinned])
        uniq, counts = np.unique(keys, return_counts=True)
        for key, count in zip(uniq, counts, strict=True):
            _, prefecture = split_cap_key(int(key))
            limit = int(instance.cap_of_prefecture[prefecture])
            if count > limit:
                who = tuple(
                    t.participant_ids[i] for i, k in zip(pinned, keys, strict=True) if k == key
                )
                out.append(
                    Conflict(
                        "pins_over_country_cap",
                        f"{int(count)} participants of one country are pinned in prefecture "
                        f"{prefecture}, over its cap of {limit}",
                        who,
                        tuple(
                            sorted(
                                {
                                    t.opening_ids[instance.pin_of[i]]
                                    for i, k in zip(pinned, keys, strict=True)
                                    if k == key
                                }
                            )
                        ),
                    )
                )
    return out
