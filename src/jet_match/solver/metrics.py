"""Objective, metrics and unplaced reasons of a plan, all vectorised over pairs.

A plan is an array giving each participant's opening index (-1: unplaced), in the
canonical order of `Instance.tables`.
"""

from __future__ import annotations

import numpy as np

from jet_match.solver import policy
from jet_match.solver.instance import Instance
from jet_match.solver.policy import IntArray
from jet_match.solver.problem import AreaPreference, Position
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
    out = []
    for k, i in enumerate(placed):
        breakdown = {name: int(values[k]) for name, values in terms.items()}
        out.append(
            Placement(
                t.participant_ids[i],
                t.opening_ids[plan[i]],
                sum(breakdown.values()),
                breakdown,
                bool(instance.pin_of[i] == plan[i]),
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
    preference = t.p_area_preference[placed]
    area_ok = (preference == AreaPreference.ANY) | (preference == t.o_area_type[opening])
    counted = instance.in_scope & t.o_open
    slots = np.bincount(t.o_prefecture[counted], weights=t.o_slots[counted], minlength=48)
    filled = np.bincount(prefecture, minlength=48)
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
            for code in range(1, 48)
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
    count = 0
    for first in range(0, len(instance.pair_p), _CHUNK):
        part = slice(first, first + _CHUNK)
        p, o, s = instance.pair_p[part], instance.pair_o[part], instance.pair_score[part]
        at = np.flatnonzero(s > current[p])
        count += int((threshold[o[at]] < s[at]).sum())
    return count


def unplaced_of(instance: Instance, plan: IntArray) -> tuple[Unplaced, ...]:
    """Each unplaced participant of the run with the reasons, sorted by external_id."""
    t = instance.tables
    out = []
    free = t.o_slots - np.bincount(plan[plan >= 0], minlength=t.n_openings)
    scope = np.flatnonzero(instance.in_scope)
    starts = instance._participant_bounds()
    for i in np.flatnonzero((plan < 0) & instance.in_run):
        own = instance.pair_o[starts[i] : starts[i + 1]]
        partner = int(instance.partner_of[i])
        if len(own) == 0:
            excluded = {
                name: int((~rule(t, np.asarray([i]), scope)).sum())
                for name, rule in policy.RULES.items()
            }
            excluded = {name: count for name, count in excluded.items() if count}
            listed = ", ".join(f"{name} ({count})" for name, count in excluded.items())
            out.append(
                Unplaced(
                    t.participant_ids[i],
                    (f"no eligible opening: ruled out by {listed}",),
                    excluded,
                )
            )
            continue
        reasons = []
        open_now = own[free[own] > 0]
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
        if instance.cap_of_prefecture is not None and len(open_now):
            reasons.append(
                f"{len(open_now)} eligible openings have free slots but their prefectures are "
                "at the country cap or taking one would cost a placement elsewhere"
            )
        if not reasons:
            reasons.append(
                f"{len(open_now)} eligible openings have free slots; placing this participant "
                "would cost a placement elsewhere"
            )
        out.append(Unplaced(t.participant_ids[i], tuple(reasons)))
    return tuple(out)


def _by_position(positions: IntArray) -> dict[str, int]:
    counts = np.bincount(positions, minlength=len(Position))
    return {position.name: int(counts[position]) for position in Position}
