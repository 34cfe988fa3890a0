"""One deadline for a whole run: every phase stops at it and the run still ends well.

`ExpiresAfter(k)` expires at its k-th check, wherever that check is (eligibility blocks,
flow rounds, repair steps, LP rounds, sub-MIPs): running a solve for many k stops it in
each phase in turn, without sleeping.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from solver_builders import couple, opening, org, person, problem

from jet_match.solver import (
    Assignment,
    Deadline,
    PartnerConstraint,
    Problem,
    Result,
    Status,
    check_plan,
    prepare,
    solve,
)
from jet_match.solver.flow import solve_certified
from jet_match.solver.side.mip_process import GRACE_S, MipJob, MipProcess, solve_job


class ExpiresAfter(Deadline):
    """A deadline that expires at its `checks`-th check (counting every caller)."""

    def __init__(self, checks: int) -> None:
        super().__init__(3600.0)
        object.__setattr__(self, "left", [checks])
        object.__setattr__(self, "seen", [0])

    def expired(self) -> bool:
        self.seen[0] += 1  # type: ignore[attr-defined]
        self.left[0] -= 1  # type: ignore[attr-defined]
        return bool(self.left[0] < 0)  # type: ignore[attr-defined]

    def remaining(self) -> float:
        return 0.0 if self.left[0] < 0 else 3600.0  # type: ignore[attr-defined]

    def before(self, reserve_s: float) -> Deadline:
        return self

    def for_first_plan(self) -> Deadline:
        return self


def crowded(seed: int = 0) -> Problem:
    """30 people (four couples, three countries) for 16 openings in four prefectures,
    with a 40 % country cap: every phase of the side engine has work to do."""
    rng = random.Random(seed)
    prefectures = [13, 14, 27, 1]
    orgs = [org(f"G{g}", prefectures[g % 4]) for g in range(8)]
    openings = [opening(f"O{k}", f"G{k % 8}", slots=rng.choice([1, 2])) for k in range(16)]
    people = [
        person(
            f"P{i:02d}",
            citizenship=rng.choice(["US", "GB", "AU"]),
            preferred_prefectures=tuple(rng.sample(prefectures, 2)),
        )
        for i in range(30)
    ]
    for first in (0, 2, 4, 6):
        constraint = (
            PartnerConstraint.SAME_ORGANIZATION if first == 6 else PartnerConstraint.SAME_PREFECTURE
        )
        people[first], people[first + 1] = couple(people[first], people[first + 1], constraint)
    return problem(orgs, openings, people, max_country_share_per_prefecture=0.4)


def assert_ends_well(pb: Problem, result: Result) -> None:
    """A valid status; a plan that keeps every rule; an honest bound when it has a plan."""
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE, Status.TIMEOUT)
    if result.status == Status.TIMEOUT:
        assert result.placements == ()
        return
    plan = [Assignment(p.participant, p.opening) for p in result.placements]
    assert check_plan(pb, plan) == ()
    assert result.bound is not None
    assert result.gap is not None
    assert result.bound.placed >= result.objective.placed


class TestDeadline:
    def test_counts_down_from_its_start(self) -> None:
        started = time.perf_counter()
        deadline = Deadline(10.0, started)
        assert 9.0 < deadline.remaining() <= 10.0
        assert not deadline.expired()
        assert deadline.before(4.0).at == pytest.approx(started + 6.0)
        assert Deadline(0.0).expired()
        assert Deadline(0.0).remaining() == 0.0
        assert Deadline.unlimited().remaining() == float("inf")

    def test_eligibility_may_use_part_of_the_promised_margin(self) -> None:
        deadline = Deadline(10.0, 100.0)
        assert deadline.for_first_plan().at == pytest.approx(100.0 + 12.0)
        assert deadline.for_first_plan().at < 100.0 + 10.0 * 1.1 + 2.0


class TestEachPhaseStops:
    def test_eligibility_stops_and_the_run_times_out_without_a_plan(self) -> None:
        pb = crowded()
        instance = prepare(pb, deadline=ExpiresAfter(0))
        assert instance.out_of_time
        assert len(instance.pair_p) == 0
        result = solve(instance)
        assert result.status == Status.TIMEOUT
        assert result.placements == ()
        # A later prepare does not reuse what the stopped one did not compute.
        again = prepare(pb, base=instance)
        assert not again.out_of_time
        assert len(again.pair_p) > 0

    def test_the_flow_stops_uncertified_after_its_first_round(self) -> None:
        # With one candidate pair each, the first round places one of two people.
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [person("A", preferred_prefectures=(13,)), person("B", preferred_prefectures=(13,))],
        )
        instance = prepare(pb, top_k=1)
        everything = np.ones(len(instance.pair_p), dtype=np.bool_)
        capacity = instance.tables.o_slots.copy()
        stopped = solve_certified(
            instance, everything, capacity, instance.profit(), instance.pair_top, Deadline(0.0)
        )
        assert not stopped.certified
        assert stopped.rounds == 1
        full = solve_certified(instance, everything, capacity, instance.profit(), instance.pair_top)
        assert full.certified
        assert (full.assigned >= 0).sum() == 2

    def test_an_uncertified_flow_plan_is_feasible_with_a_loose_bound(self) -> None:
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [person("A", preferred_prefectures=(13,)), person("B", preferred_prefectures=(13,))],
        )
        result = solve(prepare(pb, top_k=1), deadline=ExpiresAfter(0))
        assert result.engine == "flow"
        assert result.status == Status.FEASIBLE
        assert_ends_well(pb, result)

    def test_the_side_engine_ends_well_wherever_it_stops(self) -> None:
        pb = crowded()
        instance = prepare(pb)
        counting = ExpiresAfter(10**6)
        full = solve(instance, deadline=counting)
        assert full.engine == "mip"
        checks = counting.seen[0]  # type: ignore[attr-defined]
        assert checks > 5
        for k in sorted({0, 1, 2, 3, 4, 6, checks // 4, checks // 2, checks - 1}):
            began = time.perf_counter()
            result = solve(prepare(pb), deadline=ExpiresAfter(k))
            assert time.perf_counter() - began < 30.0  # counted checks, not a clock: a hang
            assert_ends_well(pb, result)
            assert result.status != Status.TIMEOUT or k < 2

    def test_a_real_clock_holds_on_a_run_with_every_phase(self) -> None:
        pb = crowded(seed=1)
        began = time.perf_counter()
        result = solve(pb, time_limit_s=0.05)
        # The limit, and a MIP child's start and stop on a loaded 2-core box.
        assert time.perf_counter() - began < 0.05 * 1.1 + 4.0
        assert_ends_well(pb, result)


def _tiny_job(**changes: object) -> MipJob:
    """max x0 + 2 x1 + 3 x2 with x0 + x1 + x2 <= 2."""
    job = MipJob(
        col_cost=np.array([1.0, 2.0, 3.0]),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([2.0]),
        start=np.array([0, 1, 2, 3], dtype=np.int32),
        index=np.array([0, 0, 0], dtype=np.int32),
        value=np.ones(3),
        start_values=None,
        seed=0,
        time_limit=10.0,
        relative_gap=0.0,
    )
    return replace(job, **changes)  # type: ignore[arg-type]


def _market_split(time_limit: float) -> MipJob:
    """A market split (4 equality rows over 30 binaries, each right-hand side half its
    row's sum): feasible or not, HiGHS searches it for minutes."""
    rng = np.random.default_rng(7)
    rows, columns = 4, 30
    weights = rng.integers(0, 100, size=(rows, columns)).astype(np.float64)
    half = np.floor(weights.sum(axis=1) / 2)
    return MipJob(
        col_cost=np.zeros(columns),
        row_lower=half,
        row_upper=half,
        start=np.arange(0, rows * columns + 1, rows, dtype=np.int32),
        index=np.tile(np.arange(rows, dtype=np.int32), columns),
        value=weights.T.reshape(-1),
        start_values=None,
        seed=0,
        time_limit=time_limit,
        relative_gap=0.0,
    )


class TestMipProcess:
    def test_the_child_answers_like_the_parent(self) -> None:
        mips = MipProcess()
        try:
            answer = mips.solve(_tiny_job(), Deadline(30.0), lambda: False)
        finally:
            mips.close()
        here = solve_job(_tiny_job(), lambda: False)
        assert answer.status == here.status == "optimal"
        assert answer.values is not None
        assert here.values is not None
        assert answer.values.round().tolist() == here.values.round().tolist() == [0, 1, 1]

    def test_past_the_deadline_it_gives_up_within_the_grace(self) -> None:
        mips = MipProcess()
        try:
            began = time.perf_counter()
            answer = mips.solve(_tiny_job(), Deadline(0.0), lambda: False)
            assert time.perf_counter() - began < GRACE_S + 3.0  # + the child's start
            assert answer.status in ("stopped", "optimal")
        finally:
            mips.close()

    def test_killed_from_another_thread_it_answers_stopped_at_once(self) -> None:
        """`kill` (a step run ahead that the search no longer needs) ends the child in
        the middle of its MIP: `solve` sees it die and answers `stopped` then, not at its
        next look at the heartbeat (a second) and the child's next check after it."""
        mips = MipProcess()
        killer = threading.Timer(1.0, mips.kill)
        try:
            mips.start()
            killer.start()
            began = time.perf_counter()
            answer = mips.solve(_market_split(30.0), Deadline(60.0), lambda: False)
            took = time.perf_counter() - began
        finally:
            killer.cancel()
            mips.close()
        assert answer.status == "stopped"
        assert answer.values is None
        assert took < 1.0 + 2.0  # the kill, and a loaded 2-core box; unkilled: 30 s

    def test_a_job_asked_once_stopped_is_not_sent(self) -> None:
        mips = MipProcess()
        try:
            answer = mips.solve(_tiny_job(), Deadline(30.0), lambda: True)
            assert answer.status == "stopped"
            assert mips._child is None  # no child started for it
        finally:
            mips.close()
