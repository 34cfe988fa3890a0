"""`solve`: choose the engine by the problem, build the result.

- no couples and no country caps: the certified min-cost flow (exact, `engine="flow"`);
- couples or caps: the side-constrained engine (`engine="mip"`, see `side/`): the flow
  relaxation bounds placements, column generation on the LP with a Lagrangian bound
  bounds the score over every pair, HiGHS MIPs find plans; `optimal` only when the
  bound proven on the full problem is reached, `feasible` with the gap otherwise.
Pins are pre-assigned (their capacity, caps and couple partners are taken into account),
forbidden pairs are not eligible, and the disruption weight is folded into the profit of
each participant's previous pair.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from jet_match.solver import metrics
from jet_match.solver.caps import cap_key_count
from jet_match.solver.certificate import certificate_of
from jet_match.solver.deadline import Deadline
from jet_match.solver.flow import best_pair_profits, lexicographic_weight, solve_certified
from jet_match.solver.instance import Conflict, Instance, couple_group
from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.prepare import prepare
from jet_match.solver.problem import Problem
from jet_match.solver.result import (
    Bound,
    Certificate,
    Objective,
    Progress,
    ProgressCallback,
    Result,
    Status,
    Timings,
    gap_between,
)
from jet_match.solver.side import build_side, solve_side


def solve(
    problem: Problem | Instance,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    target_gap: float = 0.0,
    deadline: Deadline | None = None,
) -> Result:
    """Place the run's participants; never raises for an infeasible or hard problem.

    `deadline` is the run's clock when the caller started it earlier (reading the
    dataset, preparing the instance); otherwise the `time_limit_s` starts now. Every
    phase checks it, and the run returns by then (plus a fraction of a second; at most
    limit x 1.1 + 2 s when the eligibility pass alone overruns): with the best plan and
    its proven gap (`feasible`), or `timeout` when it has no plan. Past the deadline the
    engines still make their first plan (one flow round, the repair of its plan), which
    is cheap next to the eligibility pass.

    `problem` may be an `Instance` from `prepare` (reused by re-solves and explanations).
    Both engines run single-threaded, which keeps runs deterministic. `progress`
    receives `Progress` reports; returning True stops the search early (the best plan so
    far is returned, status `feasible`). `target_gap` (couples and caps only) stops the
    search once the best plan places as many as the proven bound and its net score is
    within that relative gap of the bound (0, the default, searches until optimal or the
    time limit).
    """
    started = time.perf_counter()
    clock = deadline if deadline is not None else Deadline(time_limit_s, started)
    instance = problem if isinstance(problem, Instance) else prepare(problem, deadline=clock)
    model_s = instance.model_s if not isinstance(problem, Instance) else 0.0
    if instance.conflicts:
        return _infeasible(instance, instance.conflicts, model_s, started)
    if instance.out_of_time:
        return _timed_out(instance, model_s, started)
    solve_started = time.perf_counter()
    run = _Run.of(instance)
    # The engines stop early enough for the result's metrics to fit in the limit.
    engine_clock = clock.before(_finish_reserve_s(instance, clock))
    if not instance.has_couples and not instance.has_caps:
        solved = _solve_flow(run, engine_clock)
    else:
        solved = _solve_side(
            run,
            deadline=engine_clock,
            seed=seed,
            progress=progress,
            target_gap=target_gap,
            started=started,
        )
    solve_s = time.perf_counter() - solve_started
    result = _result(
        instance,
        solved.plan,
        solved.status,
        solved.engine,
        solved.bound,
        solved.stats,
        model_s,
        solve_s,
        started,
        certificate=solved.certificate,
    )
    if progress is not None:
        bound = solved.bound
        progress(
            Progress(
                result.timings.total_s,
                result.objective.placed,
                result.objective.net,
                bound.placed if bound else None,
                bound.score if bound else None,
                result.gap,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _Run:
    """What both engines start from: pins pre-assigned, the slots and pairs left."""

    instance: Instance
    pinned: IntArray  # pinned participants of the run
    capacity: IntArray  # free slots per opening once the pins are placed
    admissible: BoolArray  # pairs the run may choose
    must_place: BoolArray  # partners of pinned participants
    profit: IntArray

    @classmethod
    def of(cls, instance: Instance) -> _Run:
        t = instance.tables
        pinned = np.flatnonzero((instance.pin_of >= 0) & instance.in_run)
        capacity = np.where(instance.in_scope & t.o_open, t.o_slots, 0)
        capacity = capacity - np.bincount(instance.pin_of[pinned], minlength=t.n_openings)
        admissible, must_place = _admissible(instance)
        return cls(instance, pinned, capacity, admissible, must_place, instance.profit())

    def plan_with(self, assigned: IntArray) -> IntArray:
        """Opening per participant: the pins, and the engine's pairs (pair indices)."""
        instance = self.instance
        plan = np.full(instance.tables.n_participants, -1, dtype=np.int64)
        plan[self.pinned] = instance.pin_of[self.pinned]
        chosen = assigned[assigned >= 0]
        plan[instance.pair_p[chosen]] = instance.pair_o[chosen]
        return plan


@dataclass(frozen=True, slots=True)
class _Solved:
    plan: IntArray
    status: Status
    engine: str
    bound: Bound | None
    stats: dict[str, float]
    certificate: Certificate | None = None


def _solve_flow(run: _Run, deadline: Deadline) -> _Solved:
    """No couples, no caps: the certified min-cost flow, optimal (`feasible` when the
    deadline stopped it before the certificate, with a bound that holds anyway)."""
    instance = run.instance
    outcome = solve_certified(
        instance, run.admissible, run.capacity, run.profit, instance.seed_candidates(), deadline
    )
    instance.remember_candidates(outcome.to_remember(instance, run.profit), outcome.potentials)
    plan = run.plan_with(outcome.assigned)
    stats = {"rounds": float(outcome.rounds), "arcs": float(outcome.arcs)}
    if not outcome.certified:
        return _Solved(plan, Status.FEASIBLE, "flow", _loose_bound(run), stats)
    objective = metrics.objective_of(instance, plan)
    return _Solved(plan, Status.OPTIMAL, "flow", Bound(objective.placed, objective.net), stats)


def _loose_bound(run: _Run) -> Bound:
    """What no plan exceeds: everyone with an admissible pair placed (at most the free
    slots), each at their best pair; the pins as they are."""
    instance = run.instance
    best = best_pair_profits(instance, run.admissible, run.profit)
    pinned = run.pinned
    pinned_profit = int(run.profit[instance.pair_index(pinned, instance.pin_of[pinned])].sum())
    offset = instance.problem.weights.disruption * instance.disruption_base()
    placed = min(len(best), int(run.capacity.clip(0).sum()))
    return Bound(placed + len(pinned), int(best.clip(0).sum()) + pinned_profit - offset)


def _finish_reserve_s(instance: Instance, deadline: Deadline) -> float:
    """Time kept after the engines for the result and its metrics (which read every pair,
    like the eligibility pass): about 0.3 s at national size on an idle machine, more on
    a busy one (a quarter of the eligibility pass's time, as measured in this run); a
    tenth of the limit at most."""
    by_size = 2e-7 * len(instance.pair_p)
    by_load = 0.25 * instance.model_s
    return min(0.1 * deadline.limit_s, 0.25 + max(by_size, by_load))


def _solve_side(
    run: _Run,
    *,
    deadline: Deadline,
    seed: int,
    progress: ProgressCallback | None,
    target_gap: float,
    started: float,
) -> _Solved:
    """Couples or caps: the side-constrained engine, `optimal` only at its proven bound."""
    instance, pinned = run.instance, run.pinned
    cap_left = _cap_left(instance, pinned)
    side = build_side(instance, run.admissible, run.capacity, run.profit, cap_left, run.must_place)
    pinned_profit = int(run.profit[instance.pair_index(pinned, instance.pin_of[pinned])].sum())
    offset = instance.problem.weights.disruption * instance.disruption_base()

    def report(placed: int, score: int, bound_placed: int, bound_score: float) -> bool:
        if progress is None:
            return False
        best = Objective(placed + len(pinned), score + pinned_profit - offset)
        net_bound = (
            math.floor(bound_score) + pinned_profit - offset if math.isfinite(bound_score) else None
        )
        gap = (
            gap_between(best, Bound(bound_placed + len(pinned), net_bound))
            if placed >= 0 and net_bound is not None
            else None
        )
        return bool(
            progress(
                Progress(
                    time.perf_counter() - started,
                    best.placed if placed >= 0 else None,
                    best.net if placed >= 0 else None,
                    bound_placed + len(pinned),
                    net_bound,
                    gap,
                )
            )
        )

    outcome = solve_side(side, deadline=deadline, seed=seed, report=report, target_gap=target_gap)
    bound = Bound(outcome.placed_bound + len(pinned), outcome.score_bound + pinned_profit - offset)
    if not outcome.feasible:
        status = Status.TIMEOUT
    elif outcome.optimal:
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
    certificate = certificate_of(instance, outcome.certificate, len(pinned), pinned_profit - offset)
    plan = run.plan_with(outcome.assigned)
    return _Solved(plan, status, "mip", bound, outcome.stats, certificate)


def _admissible(instance: Instance) -> tuple[BoolArray, BoolArray]:
    """Pairs a run may choose (not pinned; a pinned person's partner only where they fit)."""
    p = instance.pair_p
    pin = instance.pin_of
    partner = instance.partner_of
    if (pin < 0).all():
        everything = np.ones(len(p), dtype=np.bool_)
        return everything, np.zeros(len(pin), dtype=np.bool_)
    free = pin[p] < 0
    partner_pin = np.where(partner >= 0, pin[np.maximum(partner, 0)], -1)
    tied = partner_pin[p] >= 0
    admissible = free.copy()
    if tied.any():
        index = np.flatnonzero(tied)
        own = couple_group(
            instance, p[index].astype(np.int64), instance.pair_o[index].astype(np.int64)
        )
        anchor = couple_group(instance, p[index].astype(np.int64), partner_pin[p[index]])
        admissible[index] &= own == anchor
    must_place = (partner_pin >= 0) & (pin < 0) & instance.in_run
    return admissible, must_place


def _cap_left(instance: Instance, pinned: IntArray) -> IntArray | None:
    """Room under each cap key once the pins are placed; None without caps."""
    if instance.cap_of_prefecture is None:
        return None
    # One key more than the countries: the keys of an unknown country stay in range.
    countries = len(instance.tables.country_codes) + 1
    n_keys = cap_key_count(countries)
    caps = np.tile(instance.cap_of_prefecture, countries)
    used = np.bincount(
        instance.country_prefecture(pinned, instance.pin_of[pinned]), minlength=n_keys
    )
    return np.asarray(caps - used[:n_keys], dtype=np.int64)


def _result(
    instance: Instance,
    plan: IntArray,
    status: Status,
    engine: str,
    bound: Bound | None,
    stats: dict[str, float],
    model_s: float,
    solve_s: float,
    started: float,
    *,
    reasons: bool = True,
    certificate: Certificate | None = None,
) -> Result:
    objective = metrics.objective_of(instance, plan)
    return Result(
        status=status,
        engine=engine,
        objective=objective,
        bound=bound,
        gap=gap_between(objective, bound) if status != Status.TIMEOUT else None,
        placements=metrics.placements_of(instance, plan),
        unplaced=metrics.unplaced_of(instance, plan) if reasons else (),
        metrics=metrics.metrics_of(instance, plan),
        timings=Timings(0.0, model_s, solve_s, time.perf_counter() - started),
        stats=stats,
        waived=instance.waived,
        certificate=certificate,
    )


def _timed_out(instance: Instance, model_s: float, started: float) -> Result:
    """The deadline came before any plan (while reading or computing eligibility): no
    placements but the pins, and no reasons (they would need the eligibility pass)."""
    run = _Run.of(instance)
    plan = run.plan_with(np.zeros(0, dtype=np.int64))
    return _result(
        instance, plan, Status.TIMEOUT, "none", None, {}, model_s, 0.0, started, reasons=False
    )


def _infeasible(
    instance: Instance, conflicts: tuple[Conflict, ...], model_s: float, started: float
) -> Result:
    plan = np.full(instance.tables.n_participants, -1, dtype=np.int64)
    result = _result(instance, plan, Status.INFEASIBLE, "none", None, {}, model_s, 0.0, started)
    return Result(
        status=result.status,
        engine=result.engine,
        objective=result.objective,
        bound=None,
        gap=None,
        placements=(),
        unplaced=(),
        metrics=result.metrics,
        timings=result.timings,
        conflicts=conflicts,
        waived=result.waived,
    )


__all__ = ["lexicographic_weight", "solve"]
