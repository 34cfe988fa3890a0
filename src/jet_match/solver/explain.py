"""Explanations and checks for coordinators: one pair, one participant, a whole plan.

Pure helpers the rounds service uses: `pair_report` (eligibility reasons and score of any
pair), `check_plan` (hard-rule violations of a given plan, each naming its records),
`evaluate_plan` (objective, breakdowns and metrics of a given plan) and `explain` (why a
participant got their placement and not one of their best alternatives).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from jet_match.solver import metrics, policy
from jet_match.solver.caps import split_cap_key
from jet_match.solver.instance import Instance, compatible
from jet_match.solver.prepare import prepare
from jet_match.solver.problem import Assignment, Problem
from jet_match.solver.result import (
    Bound,
    Metrics,
    Objective,
    Placement,
    Result,
    Status,
    Timings,
    Unplaced,
)


@dataclass(frozen=True, slots=True)
class PairReport:
    """Whether a participant may take an opening, which rules fail, and the score."""

    participant: str
    opening: str
    eligible: bool
    failed_rules: tuple[str, ...]
    score: int
    breakdown: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Violation:
    """A hard rule a plan breaks, with the records involved."""

    rule: str
    message: str
    participants: tuple[str, ...] = ()
    openings: tuple[str, ...] = ()
    failed_rules: tuple[str, ...] = ()  # "ineligible": the eligibility rules the pair fails


@dataclass(frozen=True, slots=True)
class Alternative:
    """An opening the participant did not get, and why."""

    opening: str
    score: int
    breakdown: Mapping[str, int]
    eligible: bool
    failed_rules: tuple[str, ...]
    why: str
    taken_by: tuple[tuple[str, int], ...] = ()  # (participant, their score there)
    objective_change: Objective | None = None  # best plan with the participant moved there


@dataclass(frozen=True, slots=True)
class Explanation:
    """A participant's placement (or None) with its breakdown, and the best alternatives."""

    participant: str
    placement: Placement | None
    unplaced: Unplaced | None
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A given plan assessed under the policy."""

    objective: Objective
    placements: tuple[Placement, ...]
    metrics: Metrics
    violations: tuple[Violation, ...]


def _instance(problem: Problem | Instance) -> Instance:
    return problem if isinstance(problem, Instance) else prepare(problem)


def pair_report(problem: Problem | Instance, participant: str, opening: str) -> PairReport:
    """Eligibility (with the failed rules) and score breakdown of any one pair."""
    inst = _instance(problem)
    t = inst.tables
    i, j = t.participant_ids.index(participant), t.opening_ids.index(opening)
    failed = tuple(inst.failed_rules(i, j))
    breakdown = policy.breakdown(t, inst.problem.weights, i, j)
    return PairReport(participant, opening, not failed, failed, sum(breakdown.values()), breakdown)


def plan_array(inst: Instance, plan: Iterable[Assignment]) -> tuple[np.ndarray, list[Violation]]:
    """A plan as an opening index per participant, and the records it cannot place."""
    t = inst.tables
    p_index = {pid: i for i, pid in enumerate(t.participant_ids)}
    o_index = {oid: j for j, oid in enumerate(t.opening_ids)}
    out = np.full(t.n_participants, -1, dtype=np.int64)
    problems: list[Violation] = []
    for pair in sorted(plan, key=lambda a: (a.participant, a.opening)):
        i, j = p_index.get(pair.participant), o_index.get(pair.opening)
        if i is None or j is None:
            problems.append(
                Violation(
                    "unknown_record",
                    "the plan names an unknown record",
                    (pair.participant,),
                    (pair.opening,),
                )
            )
        elif out[i] >= 0:
            problems.append(
                Violation(
                    "placed_twice",
                    "a participant is placed twice",
                    (pair.participant,),
                    (t.opening_ids[out[i]], pair.opening),
                )
            )
        else:
            out[i] = j
    return out, problems


def check_plan(problem: Problem | Instance, plan: Iterable[Assignment]) -> tuple[Violation, ...]:
    """Every hard rule the plan breaks: eligibility, run membership, capacity, pins,
    couples, country caps. Empty when the plan is valid."""
    inst = _instance(problem)
    t = inst.tables
    placed_at, violations = plan_array(inst, plan)
    placed = np.flatnonzero(placed_at >= 0)
    for i in placed:
        j = int(placed_at[i])
        failed = inst.failed_rules(int(i), j)
        if failed:
            violations.append(
                Violation(
                    "ineligible",
                    "the pair breaks: " + ", ".join(failed),
                    (t.participant_ids[i],),
                    (t.opening_ids[j],),
                    tuple(failed),
                )
            )
        if not inst.in_run[i]:
            violations.append(
                Violation(
                    "not_in_run",
                    "the participant is not placed by this run",
                    (t.participant_ids[i],),
                )
            )
        if not inst.in_scope[j]:
            violations.append(
                Violation(
                    "out_of_scope", "the opening is not part of this run", (), (t.opening_ids[j],)
                )
            )
    load = np.bincount(placed_at[placed], minlength=t.n_openings)
    for j in np.flatnonzero(load > t.o_slots).tolist():
        who = tuple(t.participant_ids[i] for i in placed if placed_at[i] == j)
        violations.append(
            Violation(
                "over_capacity",
                f"{int(load[j])} placed on {int(t.o_slots[j])} slots",
                who,
                (t.opening_ids[j],),
            )
        )
    for i in np.flatnonzero((inst.pin_of >= 0) & inst.in_run):
        if placed_at[i] != inst.pin_of[i]:
            violations.append(
                Violation(
                    "pin_not_kept",
                    "a pinned participant is not at their pinned opening",
                    (t.participant_ids[i],),
                    (t.opening_ids[inst.pin_of[i]],),
                )
            )
    for i in np.flatnonzero(inst.partner_of >= 0):
        k = int(inst.partner_of[i])
        if k < i:
            continue
        a, b = placed_at[i], placed_at[k]
        names = (t.participant_ids[i], t.participant_ids[k])
        if (a >= 0) != (b >= 0):
            violations.append(
                Violation("couple_split", "only one half of a couple is placed", names)
            )
        elif a >= 0 and not compatible(inst, int(i), k, int(a), int(b)):
            violations.append(
                Violation(
                    "couple_apart",
                    "a couple is placed apart from what they asked",
                    names,
                    (t.opening_ids[a], t.opening_ids[b]),
                )
            )
    if inst.cap_of_prefecture is not None and len(placed):
        counted = placed[inst.in_run[placed]]
        keys = inst.country_prefecture(counted, placed_at[counted])
        uniq, counts = np.unique(keys, return_counts=True)
        for key, count in zip(uniq.tolist(), counts.tolist(), strict=True):
            country, prefecture = split_cap_key(key)
            limit = int(inst.cap_of_prefecture[prefecture])
            if count > limit:
                who = tuple(
                    t.participant_ids[i] for i, k in zip(counted, keys, strict=True) if k == key
                )
                violations.append(
                    Violation(
                        "country_cap",
                        f"{count} participants of {t.country_codes[country]} in prefecture "
                        f"{prefecture}, over the cap of {limit}",
                        who,
                    )
                )
    return tuple(violations)


def evaluate_plan(problem: Problem | Instance, plan: Iterable[Assignment]) -> Evaluation:
    """Objective, breakdowns, metrics and violations of a given plan (e.g. an adjusted one)."""
    inst = _instance(problem)
    pairs = list(plan)
    placed_at, _ = plan_array(inst, pairs)
    return Evaluation(
        objective=metrics.objective_of(inst, placed_at),
        placements=metrics.placements_of(inst, placed_at),
        metrics=metrics.metrics_of(inst, placed_at),
        violations=check_plan(inst, pairs),
    )


def plan_objective(problem: Problem | Instance, plan: Iterable[Assignment]) -> Objective:
    """The objective of a given plan: `evaluate_plan(...).objective` without the metrics,
    breakdowns and violations (a move's assessment needs the objective alone)."""
    inst = _instance(problem)
    placed_at, _ = plan_array(inst, plan)
    return metrics.objective_of(inst, placed_at)


def result_of_plan(
    problem: Problem | Instance, plan: Iterable[Assignment], *, engine: str
) -> Result:
    """A `Result` for a plan made outside `solve` (status feasible, no bound)."""
    inst = _instance(problem)
    placed_at, _ = plan_array(inst, plan)
    return Result(
        status=Status.FEASIBLE,
        engine=engine,
        objective=metrics.objective_of(inst, placed_at),
        bound=None,
        gap=None,
        placements=metrics.placements_of(inst, placed_at),
        unplaced=metrics.unplaced_of(inst, placed_at),
        metrics=metrics.metrics_of(inst, placed_at),
        timings=Timings(),
    )


def explain(
    problem: Problem | Instance,
    result: Result,
    participant: str,
    *,
    alternatives: int = 5,
    objective_change: bool = True,
    time_limit_s: float = 10.0,
) -> Explanation:
    """Why `participant` got their placement: its breakdown, and their best alternatives.

    Alternatives are the openings of the run that score highest for the participant
    (eligible or not). For each: the rules that exclude it, or who holds it and with what
    score, and (if `objective_change`) the best objective with the participant pinned
    there, solved exactly, to compare with the result's.
    """
    inst = _instance(problem)
    plan_pairs = [Assignment(p.participant, p.opening) for p in result.placements]
    placed_at, _ = plan_array(inst, plan_pairs)
    placement = next((p for p in result.placements if p.participant == participant), None)
    unplaced = next((u for u in result.unplaced if u.participant == participant), None)
    found = _alternatives(
        inst,
        placed_at,
        inst.tables.participant_ids.index(participant),
        alternatives,
        result.objective if objective_change else None,
        time_limit_s,
    )
    return Explanation(participant, placement, unplaced, found)


def explain_plan(
    instance: Instance, plan: Iterable[Assignment], participant: str, *, alternatives: int = 5
) -> Explanation:
    """`explain` of `result_of_plan(instance, plan)`, without objective changes.

    Reads no pairs but the participant's and their partner's (for the reasons they are
    unplaced): an instance prepared with `rows` holding those two (`prepare`) explains
    exactly as the whole problem's, without computing its millions of pairs.
    """
    t = instance.tables
    i = t.participant_ids.index(participant)
    placed_at, _ = plan_array(instance, plan)
    unplaced = metrics.unplaced_of(instance, placed_at, only=np.asarray([i]))
    in_plan = np.where(instance.in_run, placed_at, -1)  # the placements of the result
    placement = None
    if in_plan[i] >= 0:
        only_i = np.where(np.arange(t.n_participants) == i, in_plan, -1)
        placement = metrics.placements_of(instance, only_i)[0]
    found = _alternatives(instance, in_plan, i, alternatives, None, 0.0)
    return Explanation(participant, placement, unplaced[0] if unplaced else None, found)


def _alternatives(
    inst: Instance,
    placed_at: np.ndarray,
    i: int,
    alternatives: int,
    objective: Objective | None,
    time_limit_s: float,
) -> tuple[Alternative, ...]:
    """The best alternatives of participant i in a plan (of the run's participants); with
    `objective` (the plan's), the objective change of moving there, solved exactly."""
    from jet_match.solver.solve import solve  # solve imports this module's siblings

    t = inst.tables
    participant = t.participant_ids[i]
    scope = np.flatnonzero(inst.in_scope & (t.o_position == t.p_position[i]))
    scope = scope[scope != placed_at[i]]
    scores = policy.score(t, inst.problem.weights, np.full(len(scope), i), scope)
    ok = policy.eligible(t, np.full(len(scope), i), scope)
    load = np.bincount(placed_at[placed_at >= 0], minlength=t.n_openings)
    full = load[scope] >= t.o_slots[scope]
    order = _alternatives_order(scope, scores, ok, full, alternatives)
    scores_now = metrics.plan_scores(inst, placed_at)
    counts = metrics.cap_counts(inst, placed_at)
    out = []
    for k in order:
        j = int(scope[k])
        report = pair_report(inst, participant, t.opening_ids[j])
        holders = np.flatnonzero(placed_at == j)
        taken = tuple(
            sorted(
                ((t.participant_ids[h], int(scores_now[h])) for h in holders), key=lambda x: -x[1]
            )
        )
        change = None
        if not report.eligible:
            why = "not eligible: " + ", ".join(policy.RULE_MESSAGES[r] for r in report.failed_rules)
        else:
            if len(holders) >= t.o_slots[j]:
                why = "full: taken by " + ", ".join(f"{who} (score {s})" for who, s in taken)
            else:
                why = _free_slot_why(inst, placed_at, counts, i, j)
            if objective is not None:
                pinned = (*inst.problem.pins, Assignment(participant, t.opening_ids[j]))
                moved = solve(replace(inst.problem, pins=pinned), time_limit_s=time_limit_s)
                if moved.status in (Status.OPTIMAL, Status.FEASIBLE):
                    change = Objective(
                        moved.objective.placed - objective.placed,
                        moved.objective.score - objective.score,
                        moved.objective.disruption - objective.disruption,
                        moved.objective.moved - objective.moved,
                    )
                    why += (
                        f"; moving there changes placements by {change.placed:+d} and the net "
                        f"score by {change.net:+d}"
                    )
                else:
                    why += "; no valid plan places the participant there"
        out.append(
            Alternative(
                t.opening_ids[j],
                report.score,
                report.breakdown,
                report.eligible,
                report.failed_rules,
                why,
                taken,
                change,
            )
        )
    return tuple(out)


def _alternatives_order(
    scope: np.ndarray, scores: np.ndarray, ok: np.ndarray, full: np.ndarray, limit: int
) -> np.ndarray:
    """Positions in `scope` of the alternatives to show: eligible first, best score first,
    an opening with a free slot before a full one of the same score. When the best ones
    are all full, the best eligible opening with a free slot takes the last place shown."""
    ranked = np.lexsort((scope, full, -scores, ~ok))
    chosen = ranked[:limit]
    free = ranked[ok[ranked] & ~full[ranked]]
    if limit > 0 and len(free) and not (ok[chosen] & ~full[chosen]).any():
        chosen = np.append(chosen[:-1], free[0])
        chosen = chosen[np.lexsort((scope[chosen], full[chosen], -scores[chosen], ~ok[chosen]))]
    return chosen


def _move_alone(
    inst: Instance, placed_at: np.ndarray, counts: np.ndarray | None, i: int, j: int
) -> tuple[Objective, tuple[str, ...]]:
    """Objective change (after minus before) of putting participant i at eligible opening j
    with a free slot, everyone else unchanged, and what that breaks besides."""
    t = inst.tables
    k = int(placed_at[i])
    weights = inst.problem.weights
    before = int(policy.score(t, weights, np.asarray([i]), np.asarray([k]))[0]) if k >= 0 else 0
    after = int(policy.score(t, weights, np.asarray([i]), np.asarray([j]))[0])
    previous = int(inst.previous_of[i])
    moved = int(previous >= 0 and j != previous) - int(previous >= 0 and k != previous)
    change = Objective(
        int(k < 0 and bool(inst.in_run[i])), after - before, weights.disruption * moved, moved
    )
    breaks = []
    if not inst.in_run[i]:
        breaks.append("the run does not place them")
    if inst.pin_of[i] >= 0 and inst.pin_of[i] != j:
        breaks.append(f"their pin to {t.opening_ids[inst.pin_of[i]]}")
    partner = int(inst.partner_of[i])
    if partner >= 0 and (
        placed_at[partner] < 0 or not compatible(inst, i, partner, j, int(placed_at[partner]))
    ):
        breaks.append(f"the couple rule (partner {t.participant_ids[partner]})")
    same_prefecture = k >= 0 and t.o_prefecture[k] == t.o_prefecture[j]
    if not same_prefecture and metrics.cap_room(inst, counts, i, np.asarray([j]))[0] <= 0:
        breaks.append(f"the country cap of prefecture {int(t.o_prefecture[j])}")
    return change, tuple(breaks)


def _free_slot_why(
    inst: Instance, placed_at: np.ndarray, counts: np.ndarray | None, i: int, j: int
) -> str:
    """What taking a free slot alone would do, true for any plan (a solver's or not)."""
    change, breaks = _move_alone(inst, placed_at, counts, i, j)
    if breaks:
        return "has a free slot, but taking it alone would break " + ", ".join(breaks)
    figures = f"{change.score:+d} score" + (f", net {change.net:+d}" if change.disruption else "")
    if change.placed > 0:
        return f"has a free slot: placing them here would add a placement ({figures})"
    if change.net >= 0:
        return f"has a free slot: moving them here would not lower the objective ({figures})"
    return "has a free slot, but moving there lowers the objective"


__all__ = [
    "Alternative",
    "Bound",
    "Evaluation",
    "Explanation",
    "PairReport",
    "Violation",
    "check_plan",
    "evaluate_plan",
    "explain",
    "explain_plan",
    "pair_report",
    "plan_objective",
    "result_of_plan",
]
