"""One clock for a whole run: every phase asks the same `Deadline` how long is left.

A run's time limit covers everything from the moment the caller starts it — reading
the dataset, eligibility and scores, the flow relaxation and its certification, the LP
rounds, the sub-MIPs, the repair and the metrics — so the caller creates the deadline
first and hands the same object to each phase (`prepare`, `solve`). Solver calls that
take a time limit (HiGHS's `time_limit`) get `remaining()`; loops check `expired()`
between steps. A phase that finds the deadline expired stops at its next step and
returns what it has: the run then ends `feasible` with its proven gap, or `timeout` when
there is no plan yet. The promise: a run returns by `limit x 1.1 + 2 s`; the eligibility
pass, without which there is no plan, may use part of that margin (`for_first_plan`).
Calls that cannot be interrupted (one min-cost flow, one vectorised pass over the pairs)
are why a run can end a little after its limit; each is short next to the limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Deadline:
    """`limit_s` seconds from `started` (a `time.perf_counter()` value, by default now)."""

    limit_s: float
    started: float = field(default_factory=time.perf_counter)

    @property
    def at(self) -> float:
        """The `time.perf_counter()` value at which the time is up."""
        return self.started + self.limit_s

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.started

    def remaining(self) -> float:
        """Seconds left (0 once expired; inf without a limit)."""
        if math.isinf(self.limit_s):
            return math.inf
        return max(0.0, self.at - time.perf_counter())

    def expired(self) -> bool:
        """The time is up."""
        return time.perf_counter() >= self.at

    def for_first_plan(self) -> Deadline:
        """The clock of the work without which a run has no plan at all (eligibility):
        it may use part of the promised margin (limit x 1.1 + 2 s), up to limit x 1.1 +
        1 s, leaving a second for the first plan and the metrics."""
        return Deadline(self.limit_s * 1.1 + 1.0, self.started)

    def before(self, reserve_s: float) -> Deadline:
        """The same clock, ending `reserve_s` earlier (time kept for the steps after)."""
        return Deadline(max(0.0, self.limit_s - reserve_s), self.started)

    @classmethod
    def unlimited(cls) -> Deadline:
        """A deadline that never expires."""
        return cls(math.inf)


__all__ = ["Deadline"]
