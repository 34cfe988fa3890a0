"""Wire models of runs: options, progress and the solver's outcome."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from jet_match.schemas.common import UtcDatetime
from jet_match.schemas.rounds import Seed, TimeLimit
from jet_match.statuses import RunStatus


class RunCreate(BaseModel):
    """Options of a run; every field may be left out."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"minimise_disruption": True}]}
    )

    minimise_disruption: bool = Field(
        default=True,
        description="Use the current plan as `previous_plan`, so that a re-solve moves only "
        "those who must move (each move costs the round's `disruption` weight). Pins and "
        "forbidden pairs are always kept.",
    )
    time_limit_s: TimeLimit | None = Field(default=None, description="Default: the round's.")
    seed: Seed | None = Field(default=None, description="Default: the round's.")


class ObjectiveValue(BaseModel):
    """A plan's objective: placements first, then `score - disruption` (docs/scoring.md)."""

    placed: int
    score: int
    disruption: int = Field(description="Penalty points: `disruption` weight x `moved`.")
    moved: int = Field(description="People of the previous plan whose placement changed.")
    net: int = Field(description="score - disruption.")


class BoundValue(BaseModel):
    """A proven upper bound: no plan places more, nor as many with a higher net score."""

    placed: int
    score: int


class CutRowValue(BaseModel):
    """One row a cut takes, at a weight (docs/scoring.md section 7, "The certificate")."""

    kind: Literal["participant", "opening", "cap", "couple", "cut"] = Field(
        description="participant (limit 1), opening (its free slots), cap (the room under "
        "it), couple (+1 on `id`'s pairs in `group`, -1 on `partner`'s; limit 0) or an "
        "earlier cut (its coefficients; limit its `rhs`)."
    )
    id: str = Field(
        description="The participant, opening, `<country>:<prefecture code>` cap group, "
        "couple member or earlier cut."
    )
    weight: float = Field(ge=0, description="The row's multiplier in the cut.")
    partner: str | None = Field(default=None, description="A couple row's other member.")
    group: str | None = Field(
        default=None,
        description="A couple row's group: `organization:<id>` or `prefecture:<code>`.",
    )


class CutValue(BaseModel):
    """A Chvatal-Gomory cut every plan meets, dualised at `price`: over every pair,
    floor(sum of weight x the pair's coefficient in each row) x (pair) <= `rhs`."""

    id: str
    rows: list[CutRowValue]
    rhs: int = Field(description="floor(sum of weight x each row's limit).")
    price: float = Field(ge=0)


class DualPricesValue(BaseModel):
    """The prices of one Lagrangian bound; prices not listed are 0 (docs/scoring.md
    section 7, "The certificate")."""

    openings: dict[str, float] = Field(description="Opening external id -> price.")
    caps: dict[str, float] = Field(
        description="`<country>:<prefecture code>` of a country cap group -> price."
    )
    placement: float = Field(description="Price of the row `placed >= placed_min`.")
    placed_min: int = Field(description="Free (not pinned) participants the bound assumes placed.")
    bound: int = Field(
        description="The bound these prices give, floored to a multiple of `unit`, over "
        "the free participants."
    )
    unit: int = Field(
        default=1,
        description="Every free participant's pair profit is a multiple of it (1 for placements).",
    )
    cuts: list[CutValue] = Field(
        default_factory=list,
        description="Cuts dualised too: each cut's price times its coefficient comes off a "
        "pair's profit, its price times `rhs` is added to the bound.",
    )


class CertificateValue(BaseModel):
    """Prices from which anyone can recompute the proven bound on every eligible pair."""

    placements: DualPricesValue | None = Field(description="Unit profits: bounds placements.")
    score: DualPricesValue | None = Field(description="The pairs' profits: bounds the score.")
    pinned: int = Field(description="Pinned placements, added to the placements bound.")
    score_offset: int = Field(
        description="Pinned pairs' profit minus the disruption base, added to the score bound."
    )
    placed_bound: int | None = Field(description="Placements bound the certificate proves.")
    score_bound: int | None = Field(description="Net score bound the certificate proves.")


class RuleBreak(BaseModel):
    """A hard rule a plan breaks (or would break), with the records involved."""

    rule: str = Field(
        examples=["over_capacity"],
        description="ineligible, over_capacity, couple_split, couple_apart, country_cap, "
        "pin_not_kept, not_in_run, out_of_scope, placed_twice, unknown_record, or a pin "
        "conflict (pins_over_capacity, ineligible_pin, pin_outside_run: a pin outside the "
        "round's positions, of a withdrawn participant or at a cancelled opening, ...).",
    )
    message: str
    participants: list[str] = Field(default_factory=list)
    openings: list[str] = Field(default_factory=list)
    failed_rules: list[str] = Field(
        default_factory=list,
        examples=[["japanese_level", "driving"]],
        description="For `ineligible` and `ineligible_pin`: the eligibility rules the pair "
        "fails (same_position, participant_not_withdrawn, japanese_level, driving, "
        "medical_access, required_country, sport, opening_open, not_forbidden), in the "
        "order they are reported; empty for other rules.",
    )


class RunProgress(BaseModel):
    """The latest progress report of a run (written by the worker about once a second);
    once the solver has answered, its final figures (the same as `outcome`'s)."""

    phase: str | None = Field(
        default=None,
        description="queued, loading (the records), preparing (eligibility and scores), "
        "solving, done.",
        examples=["solving"],
    )
    elapsed_s: float | None = Field(default=None, description="Seconds since the worker began.")
    placed: int | None = Field(
        default=None,
        description="The best plan so far (the final plan once done): participants placed "
        "(`outcome.objective.placed`).",
    )
    score: int | None = Field(
        default=None,
        description="The same plan's net score: the sum of its placements' scores minus its "
        "disruption penalty (`outcome.objective.net`), not the plain `score`.",
    )
    bound_placed: int | None = Field(
        default=None,
        description="Proven upper bound on placements: no plan places more "
        "(`outcome.bound.placed`).",
    )
    bound_score: int | None = Field(
        default=None,
        description="Proven upper bound on the net score of any plan placing `bound_placed` "
        "(`outcome.bound.score`).",
    )
    gap: float | None = Field(
        default=None,
        description="Relative gap between the plan and the bound: on placements while the "
        "bound places more, else on the net score; 0 is proven optimal (docs/scoring.md).",
    )


class PolicyValue(BaseModel):
    """The scoring policy a plan was scored under: every weight, the country cap and their
    digest (`sha256:` of the canonical JSON), so that anyone can re-score it
    (docs/scoring.md; the `policy` of a jet-match/result@1 document)."""

    weights: dict[str, int]
    max_country_share_per_prefecture: float | None
    digest: str = Field(examples=["sha256:3f5a..."])


class WaivedRules(BaseModel):
    """Hard rules set aside for one pair alone: a coordinator's override, which every run
    keeps until a coordinator unpins, moves or unassigns it."""

    participant: str
    opening: str
    rules: list[str] = Field(
        examples=[["driving"]],
        description="Eligibility rules (docs/scoring.md section 2) and `capacity` (the "
        "pair holds a place beyond the opening's slots).",
    )


class RunOutcome(BaseModel):
    """What the solver answered, once a run has finished solving."""

    status: str = Field(
        description="optimal, feasible, infeasible or timeout (infeasible with engine none: "
        "refused before solving, see conflicts)."
    )
    engine: str = Field(description="flow, mip or none.")
    objective: ObjectiveValue | None = Field(
        description="The plan's objective; null when the run wrote no plan (failed, "
        "infeasible, timed out, cancelled)."
    )
    bound: BoundValue | None
    gap: float | None
    certificate: CertificateValue | None = Field(
        default=None,
        description="The bound's certificate (couples and caps): dual prices from which "
        "anyone can recompute it; the plan is proven optimal by it alone when it equals "
        "`placed_bound` and `score_bound`.",
    )
    unplaced: int = Field(description="Participants of the run left unplaced.")
    changed: int | None = Field(
        default=None,
        description="Participants whose placement in the working plan this run changed.",
    )
    conflicts: list[RuleBreak] = Field(
        default_factory=list,
        description="Why the run wrote no plan: the conflicting pins or constraints of an "
        "infeasible problem, or the pins it could not keep (pin_outside_run, pin_not_kept).",
    )
    metrics: dict[str, Any] = Field(description="docs/scoring.md: rank profile, fill rates ...")
    timings: dict[str, float] = Field(
        description="Seconds: load_s (reading the round), prepare_s (eligibility and scores), "
        "model_s and solve_s (the solver's), total_s (the solver's whole call), save_s "
        "(writing the plan)."
    )
    policy: PolicyValue | None = Field(
        default=None, description="The scoring policy of the run (weights, cap, digest)."
    )
    waived: list[WaivedRules] = Field(
        default_factory=list,
        description="The rules this run set aside, by pair: the round's overrides.",
    )


class RunPublic(BaseModel):
    """A run of a round: queued, running or finished, with its progress and outcome."""

    id: int
    round: str = Field(description="external_id of the round.")
    status: RunStatus
    minimise_disruption: bool
    time_limit_s: float
    seed: int
    requested_by: str = Field(description="Who started it (`key:<id>` or `cli`).")
    cancel_requested: bool
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    progress: RunProgress
    outcome: RunOutcome | None = Field(description="Set when the solver has answered.")
    error: str | None = Field(description="Why a run failed or was interrupted.")
    attempts: int = Field(
        default=0,
        description="How many times a worker took the run up: a solve cut by a database "
        "outage is queued again, up to the service's `run_max_attempts` (docs/operations.md).",
    )
