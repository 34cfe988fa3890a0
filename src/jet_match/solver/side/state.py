"""The state of one search: the proven bounds, the best plan, the clock and the stats."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from jet_match.solver.deadline import Deadline
from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE, LagrangianBound
from jet_match.solver.side.certificate import PricedBound, floored
from jet_match.solver.side.mip_process import MipProcess
from jet_match.solver.side.pairs import UsablePairs
from jet_match.solver.side.prices import Prices
from jet_match.solver.side.problem import SideProblem

#: Called with (placed, score, placed bound, score bound) of the best plan so far, in
#: profit units of the free participants; returning True stops the search.
Reporter = Callable[[int, int, int, float], bool]


def profit_unit(side: SideProblem) -> int:
    """The greatest common divisor of the profits (1 when all are 0): every plan's value
    is a multiple of it, so a bound rounds down to one (scores of docs/scoring.md are
    multiples of 5)."""
    if len(side.profit) == 0:
        return 1
    return max(1, int(np.gcd.reduce(np.abs(side.profit))))


def add_stat(stats: dict[str, float], name: str, amount: float) -> None:
    """Accumulate `amount` into the named stat."""
    stats[name] = stats.get(name, 0.0) + amount


@dataclass
class SearchState:
    """State of one solve: the bounds, the best plan, what was spent where."""

    side: SideProblem
    pairs: UsablePairs
    deadline: Deadline
    seed: int
    report: Reporter | None
    target_gap: float
    placed_bound: int
    score_bound: float  # over plans placing placed_bound (inf: not known yet)
    best: IntArray
    best_value: tuple[int, int]  # (placed, score); placed -1 when best is not feasible
    stats: dict[str, float] = field(default_factory=dict)
    mips: MipProcess = field(default_factory=MipProcess)  # where large MIPs run
    stopped: bool = False
    last_report: float = 0.0
    #: The certificate: prices proving the placements bound and the score bound.
    placement_prices: PricedBound | None = None
    score_prices: PricedBound | None = None
    #: The bound and losses of the LP with cuts priced over every pair, and the count it
    #: assumed (`descent._priced_by_cuts`): a later proof at that count starts from them.
    priced: tuple[int, LagrangianBound] | None = None

    def offer(self, assigned: IntArray | None) -> None:
        """Keep `assigned` if it is feasible and better than the best plan."""
        if assigned is None or not self.side.feasible(assigned):
            return
        value = self.side.value(assigned)
        if value > self.best_value:
            self.best, self.best_value = assigned, value
            self.notify()

    def tighten(self, score_bound: float) -> None:
        """Lower the score bound to a newly proven one."""
        if score_bound < self.score_bound:
            self.score_bound = score_bound
            self.notify()

    def take_proof_step(
        self, assigned: IntArray | None, mip_bound: float, proven: bool, target: int
    ) -> bool:
        """Take the answer of a proof MIP over every pair a plan worth `target` may use
        (cut off a unit below it): keep its plan, lower the bound by what it proves.
        True when the descent of targets ends there (optimal, or stopped early)."""
        self.offer(assigned)
        if not proven:
            # Stopped early: a plan reaching the target uses only the MIP's pairs and is
            # worth at most the MIP's bound (over plans reaching the cutoff).
            self.tighten(max(float(target - self.unit), mip_bound))
            return True
        if self.best_value >= (self.placed_bound, target):
            # Optimal over the MIP's pairs, which hold every plan worth more than it.
            self.tighten(float(self.best_value[1]))
            return True
        self.tighten(float(target - self.unit))  # no plan reaches the target
        return False

    def certify_score(self, prices: Prices | None, bound: float, placed_min: int) -> None:
        """Keep the prices of a score bound (their Lagrangian `bound`) if they prove more
        than the kept ones (the bound floored to a multiple of the profit unit). Priced at
        the placements bound, what they prove bounds the search too: a proof step's
        prices over every pair (`priced_cuts.Certifying`) may prove more than its MIP
        did (national, generator seed 5: 740,405 where the search stood at 740,430)."""
        if prices is None or not math.isfinite(bound):
            return
        if placed_min == self.placed_bound:
            self.tighten(float(self._to_unit(bound)))
        if self.proves_more(bound):
            self.score_prices = PricedBound(prices, placed_min, self._to_unit(bound), self.unit)

    def proves_more(self, bound: float) -> bool:
        """A score bound that, floored to the unit, is below what the certificate proves."""
        return self.score_prices is None or self._to_unit(bound) < self.score_prices.bound

    def _to_unit(self, bound: float) -> int:
        """The bound floored to a multiple of the profit unit (what it proves)."""
        value = floored(bound)
        return value - value % self.unit

    def certify_placements(self, lagrange: LagrangianBound) -> None:
        """Keep the prices of a placements bound (unit profits) if they prove more."""
        if lagrange.prices is None or not math.isfinite(lagrange.bound):
            return
        value = floored(lagrange.bound)
        if self.placement_prices is None or value < self.placement_prices.bound:
            self.placement_prices = PricedBound(lagrange.prices, 0, value)

    def notify(self) -> None:
        """Report the best plan and the bounds (the reporter may ask to stop)."""
        if self.report is not None and not self.stopped:
            placed, score = self.best_value
            self.last_report = time.perf_counter()
            self.stopped = bool(self.report(placed, score, self.placed_bound, self.score_bound))

    def report_now(self) -> bool:
        """A heartbeat during long MIPs (at most once a second); True asks to stop."""
        if time.perf_counter() - self.last_report >= 1.0:
            self.notify()
        return self.stopped

    @cached_property
    def unit(self) -> int:
        """Every profit is a multiple of it, and so is every plan's value (`profit_unit`;
        a pass over every pair, ~35 ms at national scale: computed when first needed)."""
        return profit_unit(self.side)

    def score_ceiling(self) -> float:
        """The score bound as a multiple of the profit unit (no plan is worth anything in
        between), inf when unknown."""
        if not math.isfinite(self.score_bound):
            return math.inf
        ceiling = math.floor(self.score_bound + BOUND_TOLERANCE)
        if self.best_value[1] >= ceiling:  # the best plan is there: rounding changes nothing
            return float(ceiling)
        return float(ceiling - ceiling % self.unit)

    def out_of_time(self) -> bool:
        """Stopped by the reporter, or past the deadline."""
        return self.stopped or self.deadline.expired()

    def reached(self) -> bool:
        """The best plan places placed_bound and is within the target gap of the bound."""
        placed, score = self.best_value
        if placed < self.placed_bound:
            return False
        ceiling = self.score_ceiling()
        return score >= ceiling or (ceiling - score) <= self.target_gap * max(1.0, abs(ceiling))
