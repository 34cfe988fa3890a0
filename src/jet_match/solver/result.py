"""The solver's output (DESIGN.md section 4): placements with breakdowns, reasons, metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from jet_match.solver.instance import Conflict


class Status(StrEnum):
    """How a solve ended: proven optimal, a plan with a gap, no plan exists, or no plan in time."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Objective:
    """Value of a plan: placements first, then `score - disruption`.

    `disruption` is the penalty (the `disruption` weight times `moved`, the participants of
    the previous plan, still in the run, whose opening changed or who became unplaced).
    """

    placed: int
    score: int
    disruption: int = 0
    moved: int = 0

    @property
    def net(self) -> int:
        """The second level of the objective: score minus disruption."""
        return self.score - self.disruption


@dataclass(frozen=True, slots=True)
class Bound:
    """A proven lexicographic upper bound.

    No plan places more people, nor as many with a higher net score.
    """

    placed: int
    score: int


@dataclass(frozen=True, slots=True)
class Placement:
    """One participant placed at one opening, with the score and its breakdown by term."""

    participant: str
    opening: str
    score: int
    breakdown: Mapping[str, int]
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A participant of the run left unplaced, and why.

    `excluded_by` counts, per hard rule, the openings of the run that the rule rules out
    (filled when no opening at all is eligible).
    """

    participant: str
    reasons: tuple[str, ...]
    excluded_by: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Metrics:
    """Summary figures of a plan (DESIGN.md section 4)."""

    placed_by_position: Mapping[str, int]
    unplaced_by_position: Mapping[str, int]
    rank_profile: Mapping[str, int]
    mean_score: float | None
    min_score: int | None
    area_match_rate: float | None
    fill_rate_by_prefecture: Mapping[int, float]
    fill_rate_by_country: Mapping[str, float]
    blocking_pairs: int
    moved: int


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds spent reading the input, building the model (eligibility, scores), solving."""

    read_s: float = 0.0
    model_s: float = 0.0
    solve_s: float = 0.0
    total_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of `solve`. `bound` is None when nothing was proven (infeasible)."""

    status: Status
    engine: str
    objective: Objective
    bound: Bound | None
    gap: float | None
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    metrics: Metrics
    timings: Timings
    conflicts: tuple[Conflict, ...] = ()
    stats: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report during a long solve (best plan so far and the proven bound)."""

    elapsed_s: float
    placed: int | None
    score: int | None
    bound_placed: int | None
    bound_score: int | None
    gap: float | None


#: Called with progress reports; returning True asks the solver to stop early.
ProgressCallback = Callable[[Progress], bool | None]


def gap_between(objective: Objective, bound: Bound | None) -> float | None:
    """Relative gap: on the net score when the placements are proven, else on placements."""
    if bound is None:
        return None
    if bound.placed > objective.placed:
        return (bound.placed - objective.placed) / bound.placed
    return max(0.0, (bound.score - objective.net) / max(1, abs(bound.score)))
