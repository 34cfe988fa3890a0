"""The solver's output (DESIGN.md section 4): placements with breakdowns, reasons, metrics."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from jet_match.solver.instance import Conflict
from jet_match.solver.problem import Problem, Waiver, Weights


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
class CutRow:
    """One row a cut takes, at `weight` (>= 0), by `kind`:

    - "participant" (`id` a participant): 1 on each of their pairs, limit 1;
    - "opening" (`id` an opening): 1 on each of its pairs, limit its free slots;
    - "cap" (`id` "<country>:<prefecture code>"): 1 on each pair of a participant of
      that citizenship at an opening in that prefecture, limit the room under the cap;
    - "couple" (`id` and `partner`, the couple's members; `group` "organization:<id>"
      or "prefecture:<code>"): 1 on `id`'s pairs in the group, -1 on the partner's,
      limit 0 (both or neither are placed there);
    - "cut" (`id` an earlier cut's): that cut's coefficients, limit its `rhs`.
    """

    kind: str
    id: str
    weight: float
    partner: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Cut:
    """A Chvatal-Gomory cut every plan meets: sum over pairs of floor(sum of weight x the
    pair's coefficient in each row) x (pair) <= `rhs` = floor(sum of weight x each row's
    limit); dualised at `price` (>= 0)."""

    id: str
    rows: tuple[CutRow, ...]
    rhs: int
    price: float


@dataclass(frozen=True, slots=True)
class DualPrices:
    """The prices of one Lagrangian bound (docs/scoring.md section 7, "The certificate").

    For any plan of the free (not pinned) participants placing at least `placed_min` of
    them: profit <= sum of slots x opening price + sum of cap room x cap price
    + sum of cut rhs x cut price - placement price x placed_min + each single's best
    (profit - opening price - cap price - sum of cut price x cut coefficient + placement
    price), or 0 when unplaced, and each couple's best sum of such terms over two pairs
    in one group, or 0. Prices not listed are 0. `bound` is that bound, floored to a
    multiple of `unit` (every free participant's pair profit is a multiple of it), over
    the free participants.
    """

    openings: Mapping[str, float]  # opening external id -> price
    caps: Mapping[str, float]  # "<country>:<prefecture code>" -> price
    placement: float
    placed_min: int
    bound: int
    unit: int = 1
    cuts: tuple[Cut, ...] = ()


@dataclass(frozen=True, slots=True)
class Certificate:
    """Prices from which anyone can recompute the bound on every eligible pair.

    `placements` prices unit profits (every pair worth 1): no plan places more free
    participants than its bound. `score` prices the pairs' profits (score, plus the
    disruption weight on a participant's previous pair). `placed_bound` and `score_bound`
    are what the certificate proves in the terms of `Bound` (the pins and
    `score_offset` added: the pinned pairs' profit minus the disruption weight times the
    participants who had a previous opening); None where it proves nothing. A plan
    equal to both is proven optimal by the certificate alone.
    """

    placements: DualPrices | None
    score: DualPrices | None
    pinned: int
    score_offset: int
    placed_bound: int | None
    score_bound: int | None


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

    `excluded_by` (filled when no opening at all is eligible) counts each opening of the
    run of the participant's position once, under the first rule it breaks in
    `jet_match.eligibility.COUNTING_ORDER`, most first (docs/scoring.md section 2).
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
    """The outcome of `solve`. `bound` is None when nothing was proven (infeasible).

    `waived` lists, by pair, the hard rules the problem's waivers set aside in this run
    (coordinators' overrides); every other pair of the plan keeps every rule.
    """

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
    waived: tuple[Waiver, ...] = ()
    certificate: Certificate | None = None


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


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    """What a result was scored under: every weight, and the country cap (None: no cap)."""

    weights: Weights = field(default_factory=Weights)
    max_country_share_per_prefecture: float | None = None

    @classmethod
    def of(cls, problem: Problem) -> ScoringPolicy:
        """The policy of a problem."""
        return cls(problem.weights, problem.max_country_share_per_prefecture)

    def canonical(self) -> dict[str, Any]:
        """Weights (all terms, by name) and cap, the cap as a float."""
        cap = self.max_country_share_per_prefecture
        return {
            "weights": dict(sorted(asdict(self.weights).items())),
            "max_country_share_per_prefecture": None if cap is None else float(cap),
        }


def policy_digest(policy: ScoringPolicy | Problem) -> str:
    """`sha256:<hex>` of the canonical JSON of a policy's weights and cap (sorted keys, no
    spaces, the cap as a float): equal digests, equal policies."""
    if isinstance(policy, Problem):
        policy = ScoringPolicy.of(policy)
    canonical = json.dumps(policy.canonical(), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def policy_document(policy: ScoringPolicy | Problem) -> dict[str, Any]:
    """The `policy` member of a jet-match/result@1 document: weights, cap and digest."""
    if isinstance(policy, Problem):
        policy = ScoringPolicy.of(policy)
    return {**policy.canonical(), "digest": policy_digest(policy)}
