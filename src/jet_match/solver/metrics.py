"""Objective, metrics and unplaced reasons of a plan, all vectorised over pairs.

A plan is an array giving each participant's opening index (-1: unplaced), in the
canonical order of `Instance.tables`.
"""

from __future__ import annotations

import numpy as np

from jet_match import eligibility
from jet_match.solver import policy
from jet_match.solver.caps import PREFECTURE_CODES, cap_key_count
from jet_match.solver.instance import Instance, couple_group
from jet_match.solver.policy import IntArray
from jet_match.solver.problem import Position
from jet_match.solver.result import Metrics, Objective, Placement, Unplaced

_CHUNK = 1 << 23  # pairs looked at at once (bounds the temporaries at any scale)


def plan_scores(instance: Instance, plan: IntArray) -> IntArray:
    """Score of each participant's placement (0 when unplaced)."""
    placed = np.flatnonzero(plan >= 0)
    out = np.zeros(len(plan), dtype=np.int64)
    if len(placed):
        out[placed] = policy.score(instance.tables, instance.problem.weights, placed, plan[placed])
    return out


def objective_of(instance: Instance, plan: IntArray) -> Objective:
    """Placements, total score and disruption of a plan (participants of the run only)."""
    in_plan = (plan >= 0) & instance.in_run
    scores = plan_scores(instance, plan)
    had = instance.previous_of >= 0
    moved = int((had & (plan != instance.previous_of)).sum())
    weight = instance.problem.weights.disruption
    return Objective(int(in_plan.sum()), int(scores[in_plan].sum()), weight * moved, moved)


def placements_of(instance: Instance, plan: IntArray) -> tuple[Placement, ...]:
    """Placements with their breakdowns, sorted by participant external_id."""
    t = instance.tables
    placed = np.flatnonzero((plan >= 0) & instance.in_run)
    terms = policy.breakdowns(t, instance.problem.weights, placed, plan[placed])
    names = list(terms)
    # Python ints column by column (one conversion per column, not one per value).
    rows = zip(*(terms[name].tolist() for name in names), strict=True)
    openings = plan[placed].tolist()
    pinned = (instance.pin_of[placed] == plan[placed]).tolist()
    out = []
    for i, opening, values, pin in zip(placed.tolist(), openings, rows, pinned, strict=True):
        breakdown = dict(zip(names, values, strict=True))
        out.append(
            Placement(
                t.participant_ids[i],
                t.opening_ids[opening],
                sum(values),
                breakdown,
                pin,
            )
        )
    return tuple(out)


def metrics_of(instance: Instance, plan: IntArray) -> Metrics:
    """Every figure of DESIGN.md section 4 for a plan."""
    t = instance.tables
    run = instance.in_run
    placed = np.flatnonzero((plan >= 0) & run)
    unplaced = np.flatnonzero((plan < 0) & run)
    scores = plan_scores(instance, plan)
    opening = plan[placed]
    prefecture = t.o_prefecture[opening]
    choices = t.p_preferences[placed]
    region = t.p_preferred_regions[placed, t.o_region[opening]]
    first, second, third = (choices[:, k] == prefecture for k in range(3))
    rank_profile = {
        "first": int(first.sum()),
        "second": int(second.sum()),
        "third": int(third.sum()),
        "same_region": int((region & ~(first | second | third)).sum()),
        "elsewhere": int((~region & ~(first | second | third)).sum()),
    }
    area_ok = policy.area_matches(t, placed, opening)
    counted = instance.in_scope & t.o_open
    slots = np.bincount(
        t.o_prefecture[counted], weights=t.o_slots[counted], minlength=PREFECTURE_CODES
    )
    filled = np.bincount(prefecture, minlength=PREFECTURE_CODES)
    countries = {code: index for index, code in enumerate(t.country_codes)}
    in_run_country = np.bincount(t.p_country[run], minlength=len(countries))
    placed_country = np.bincount(t.p_country[placed], minlength=len(countries))
    had = instance.previous_of >= 0
    return Metrics(
        placed_by_position=_by_position(t.p_position[placed]),
        unplaced_by_position=_by_position(t.p_position[unplaced]),
        rank_profile=rank_profile,
        mean_score=float(scores[placed].mean()) if len(placed) else None,
        min_score=int(scores[placed].min()) if len(placed) else None,
        area_match_rate=float(area_ok.mean()) if len(placed) else None,
        fill_rate_by_prefecture={
            int(code): round(float(filled[code] / slots[code]), 4)
            for code in range(1, PREFECTURE_CODES)
            if slots[code] > 0
        },
        fill_rate_by_country={
            code: round(float(placed_country[index] / in_run_country[index]), 4)
            for code, index in sorted(countries.items())
            if in_run_country[index] > 0
        },
        blocking_pairs=blocking_pairs(instance, plan),
        moved=int((had & (plan != instance.previous_of)).sum()),
    )


def blocking_pairs(instance: Instance, plan: IntArray) -> int:
    """Pairs (p, o), p in the run, where p scores o above its placement (or is unplaced)
    and o has a free slot or holds someone who scores lower at o."""
    t = instance.tables
    scores = plan_scores(instance, plan)
    current = np.where(plan >= 0, scores, -1)
    held = np.flatnonzero((plan >= 0) & instance.in_run)
    load = np.bincount(plan[held], minlength=t.n_openings)
    weakest = np.full(t.n_openings, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(weakest, plan[held], scores[held])
    # An opening blocks a score s when it has a free slot or holds someone below s.
    threshold = np.where(load < t.o_slots, np.iinfo(np.int64).min, weakest)
    # Pairs are sorted by participant: each participant's bar is repeated over their run
    # of pairs (a sequential write, about half the time of gathering it by pair_p).
    bounds = instance.participant_bounds()
    count = 0
    for first in range(0, len(instance.pair_p), _CHUNK):
        last = min(first + _CHUNK, len(instance.pair_p))
        edges = np.clip(bounds, first, last)
        o, s = instance.pair_o[first:last], instance.pair_score[first:last]
        at = np.flatnonzero(s > np.repeat(current, edges[1:] - edges[:-1]))
        count += int(np.count_nonzero(threshold[o[at]] < s[at]))
    return count


NOT_PLACED_IN_THIS_PLAN = (
    "not placed in this plan (e.g. unassigned by hand or not solved yet); taking one would "
    "add a placement"
)


def cap_counts(instance: Instance, plan: IntArray) -> IntArray | None:
    """Placed participants of the run per (country, prefecture) cap group; None without caps."""
    if instance.cap_of_prefecture is None:
        return None
    placed = np.flatnonzero((plan >= 0) & instance.in_run)
    keys = instance.country_prefecture(placed, plan[placed])
    return np.bincount(keys, minlength=cap_key_count(len(instance.tables.country_codes)))


def cap_room(instance: Instance, counts: IntArray | None, i: int, openings: np.ndarray) -> IntArray:
    """How many more participants of i's country each opening's prefecture takes under the
    country cap (a large number without caps)."""
    if instance.cap_of_prefecture is None or counts is None:
        return np.full(len(openings), np.iinfo(np.int32).max, dtype=np.int64)
    keys = instance.country_prefecture(np.full(len(openings), i), openings)
    limit = instance.cap_of_prefecture[instance.tables.o_prefecture[openings]]
    return np.asarray(limit - counts[keys], dtype=np.int64)


def _addable(
    instance: Instance,
    plan: IntArray,
    free: IntArray,
    counts: IntArray | None,
    i: int,
    open_now: IntArray,
) -> IntArray:
    """The free eligible openings of unplaced participant i that the plan could simply give
    them (with the partner, if any) breaking no rule, which would add a placement: an
    optimal plan leaves none, a plan changed by hand or not solved yet may."""
    room = cap_room(instance, counts, i, open_now)
    partner = int(instance.partner_of[i])
    if partner < 0:
        return open_now[room > 0]
    group = couple_group(instance, np.full(len(open_now), i), open_now)
    if plan[partner] >= 0:  # a couple split by hand: i can join the partner's place
        there = int(couple_group(instance, np.asarray([partner]), plan[partner : partner + 1])[0])
        joins: IntArray = open_now[(room > 0) & (group == there)]
        return joins
    t = instance.tables
    starts = instance.participant_bounds()
    theirs = instance.pair_o[starts[partner] : starts[partner + 1]].astype(np.int64)
    theirs = theirs[free[theirs] > 0]
    theirs = theirs[cap_room(instance, counts, partner, theirs) > 0]
    their_group = couple_group(instance, np.full(len(theirs), partner), theirs)
    same_country = t.p_country[i] == t.p_country[partner]
    keep = np.zeros(len(open_now), dtype=bool)
    for g in np.intersect1d(group, their_group).tolist():
        mine, other = open_now[(group == g) & (room > 0)], theirs[their_group == g]
        if len(mine) == 0:
            continue
        # A couple shares a prefecture: of one country, they need two places under the cap.
        if same_country and room[group == g].max() < 2:
            continue
        both = np.union1d(mine, other)
        if len(both) >= 2 or free[both[0]] >= 2:
            keep |= group == g
    return open_now[keep & (room > 0)]


def unplaced_of(
    instance: Instance, plan: IntArray, only: IntArray | None = None
) -> tuple[Unplaced, ...]:
    """Each unplaced participant of the run (or of `only`, participant indices) with the
    reasons, sorted by external_id. A participant's reasons read their own pairs and their
    partner's, nobody else's.

    The reasons hold for any plan: a plan made or changed by hand, or a solver's plan."""
    t = instance.tables
    out = []
    free = t.o_slots - np.bincount(plan[plan >= 0], minlength=t.n_openings)
    counts = cap_counts(instance, plan)
    starts = instance.participant_bounds()
    unplaced = (plan < 0) & instance.in_run
    if only is not None:
        unplaced &= np.isin(np.arange(t.n_participants), only)
    for i in np.flatnonzero(unplaced):
        own = instance.pair_o[starts[i] : starts[i + 1]].astype(np.int64)
        partner = int(instance.partner_of[i])
        if len(own) == 0:
            reason, excluded = no_eligible_opening(instance, int(i))
            out.append(Unplaced(t.participant_ids[i], (reason,), excluded))
            continue
        open_now = own[free[own] > 0]
        addable = _addable(instance, plan, free, counts, int(i), open_now)
        if len(addable):
            reason = f"{_free_slots(len(addable))}: {NOT_PLACED_IN_THIS_PLAN}"
            if partner >= 0:
                reason += f" (together with partner {t.participant_ids[partner]})"
            out.append(Unplaced(t.participant_ids[i], (reason,)))
            continue
        reasons = []
        if len(open_now) == 0:
            reasons.append(
                f"all {len(own)} eligible openings are full, taken by participants the "
                "objective ranks first (more placements, then higher total score)"
            )
        if partner >= 0:
            reasons.append(
                f"placed only together with partner {t.participant_ids[partner]}; no pair of "
                "openings kept the couple together at a better objective"
            )
        at_cap = int((cap_room(instance, counts, int(i), open_now) <= 0).sum())
        if at_cap:
            where = "their prefectures are" if at_cap > 1 else "its prefecture is"
            country = t.country_codes[t.p_country[i]]
            reasons.append(f"{_free_slots(at_cap)} but {where} at the country cap for {country}")
        out.append(Unplaced(t.participant_ids[i], tuple(reasons)))
    return tuple(out)


def no_eligible_opening(instance: Instance, i: int) -> tuple[str, dict[str, int]]:
    """Why participant i has no eligible opening, and the openings each rule rules out.

    Each opening of the run of i's position counts once, under the first rule it breaks
    in `eligibility.COUNTING_ORDER`, so the counts add up to those openings; the rule that
    rules out most comes first (ties in that order). Openings of other positions are not
    counted: a run without any of i's position says so instead.
    """
    t = instance.tables
    scope = np.flatnonzero(instance.in_scope)
    position = Position(int(t.p_position[i])).name
    mine = scope[t.o_position[scope] == t.p_position[i]]
    if len(mine) == 0:
        return (
            f"no eligible opening: the run has no {position} opening",
            {"same_position": len(scope)} if len(scope) else {},
        )
    who = np.full(len(mine), i)
    left = np.ones(len(mine), dtype=np.bool_)
    counts: dict[str, int] = {}
    for name in eligibility.COUNTING_ORDER:
        breaks = left & ~policy.RULES[name](t, who, mine)
        if breaks.any():
            counts[name] = int(breaks.sum())
            left &= ~breaks
    ranked = dict(sorted(counts.items(), key=lambda item: -item[1]))
    listed = ", ".join(
        f"{count} by {name} ({policy.RULE_MESSAGES[name]})" for name, count in ranked.items()
    )
    openings = "opening" if len(mine) == 1 else "openings"
    return (
        f"no eligible opening among the {len(mine)} {position} {openings} of this run: {listed}",
        ranked,
    )


def _free_slots(count: int) -> str:
    if count == 1:
        return "1 eligible opening has a free slot"
    return f"{count} eligible openings have free slots"


def _by_position(positions: IntArray) -> dict[str, int]:
    counts = np.bincount(positions, minlength=len(Position))
    return {position.name: int(counts[position]) for position in Position}
