"""Wire models: what the HTTP API accepts and answers, besides the dataset records.

Organizations, openings and participants travel exactly as the dataset's records
(`jet_match.dataset.format`): a POST body is a dataset record and so is every answer.
PATCH bodies (`XUpdate`) carry the same fields, all optional, minus `external_id`;
tests/api/test_schemas.py fails if they drift from the dataset's. Every request model
forbids unknown fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from jet_match.dataset import format as fmt

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive timestamps; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Role(StrEnum):
    """What an API key may do (docs/api.md, "Roles")."""

    COORDINATOR = "coordinator"
    HOST_ORG = "host_org"
    CAREER_FAIR = "career_fair"


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page.",
        examples=["eyJrIjoiQUxULTAwMDUwIn0"],
    )


Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Slots = Annotated[int, Field(ge=1, le=500)]
AlternateRank = Annotated[int, Field(ge=1, le=100_000)]
ExperienceYears = Annotated[int, Field(ge=0, le=60)]


class OrganizationUpdate(BaseModel):
    """Fields to change on an organization; absent fields stay, `null` clears optional ones."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"area_type": "rural", "medical_access": True}]},
    )

    name: Name200 | None = None
    name_ja: Name200 | None = None
    kind: fmt.OrganizationKind | None = None
    prefecture: fmt.PrefectureCode | None = None
    area_type: fmt.AreaType | None = None
    medical_access: bool | None = None
    sister_regions: Annotated[list[fmt.RegionCode], Field(max_length=50)] | None = None


class OpeningUpdate(BaseModel):
    """Fields to change on an opening; absent fields stay, `null` clears optional ones."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"slots": 2, "driving_required": False}]}
    )

    organization: fmt.ExternalId | None = None
    position: fmt.Position | None = None
    slots: Slots | None = None
    school_level: fmt.SchoolLevel | None = None
    min_japanese_level: fmt.JapaneseLevel | None = None
    driving_required: bool | None = None
    requested_countries: Annotated[list[fmt.CountryCode], Field(max_length=20)] | None = None
    country_required: bool | None = None
    prefers_experience: bool | None = None
    sport: fmt.Sport | None = None
    status: fmt.OpeningStatus | None = None


class ParticipantUpdate(BaseModel):
    """Fields to change on a participant; absent fields stay, `null` clears optional ones.

    Setting `partner` links both people (the other must be free); `null` unlinks both.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "withdrawn"}]},
    )

    family_name: Name100 | None = None
    given_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    email: Email | None = None
    citizenship: fmt.CountryCode | None = None
    home_region: fmt.RegionCode | None = None
    position: fmt.Position | None = None
    status: fmt.ParticipantStatus | None = None
    alternate_rank: AlternateRank | None = None
    japanese_level: fmt.JapaneseLevel | None = None
    teaching_experience_years: ExperienceYears | None = None
    can_drive: bool | None = None
    preferred_prefectures: Annotated[list[fmt.PrefectureCode], Field(max_length=3)] | None = None
    area_preference: fmt.AreaPreference | None = None
    school_level_preference: fmt.SchoolLevelPreference | None = None
    needs_medical_access: bool | None = None
    sport: fmt.Sport | None = None
    partner: fmt.Partner | None = None


class ApiKeyCreate(BaseModel):
    """A new API key: its role, and for `host_org` the organization it acts for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"role": "host_org", "organization": "ORG-01-PREF", "name": "Hokkaido BoE"}
            ]
        },
    )

    role: Role
    organization: fmt.ExternalId | None = Field(
        default=None, description="external_id of the organization; required for host_org only."
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Who or what uses the key (shown in lists and the audit trail)."
    )


class ApiKeyPublic(BaseModel):
    """An API key as listed: never its secret."""

    id: str = Field(description="The key's public prefix, which also starts the key itself.")
    role: Role
    organization: str | None
    name: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class ApiKeyCreated(ApiKeyPublic):
    """A key just created: `key` is shown this once and cannot be recovered."""

    key: str = Field(description="The bearer token. Store it now: it is never shown again.")


class KindCounts(BaseModel):
    """What an import did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportResult(BaseModel):
    """Counts of an all-or-nothing import, per kind of record."""

    organizations: KindCounts = Field(default_factory=KindCounts)
    openings: KindCounts = Field(default_factory=KindCounts)
    participants: KindCounts = Field(default_factory=KindCounts)
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="Parts of the dataset that belong to matching rounds and were not stored "
        "(`pins`, `forbidden`, `previous_plan`, `policy`).",
    )


class AuditEventPublic(BaseModel):
    """One entry of the audit trail."""

    id: int
    occurred_at: UtcDatetime
    actor: str = Field(description="`key:<id>` for an API key, `cli` for the command line.")
    actor_key_id: str | None = Field(description="Prefix of the API key that acted, if any.")
    action: str = Field(examples=["opening.update"])
    resource_type: str = Field(examples=["opening"])
    resource_id: str | None = Field(examples=["OPN-0001"])
    request_id: str | None
    detail: dict[str, Any]


class ProblemItem(BaseModel):
    """One problem, naming the record and the field."""

    record: str = Field(examples=["opening"])
    external_id: str | None = Field(examples=["OPN-0001"])
    field: str | None = Field(examples=["slots"])
    code: str = Field(examples=["greater_than_equal"])
    message: str = Field(examples=["'slots': Input should be greater than or equal to 1"])
    index: int | None = Field(default=None, description="Position in the list it came from.")
    row: int | None = Field(default=None, description="Sheet row (CSV/XLSX imports; 1 = header).")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(examples=["https://jet-match.example/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no opening 'OPN-0001'"])
    instance: str | None = Field(default=None, examples=["/api/v1/openings/OPN-0001"])
    request_id: str | None = None
    errors: list[ProblemItem] = Field(default_factory=list)


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])


# --- matching rounds (issue 5) ------------------------------------------------------------


class RoundStatus(StrEnum):
    """Lifecycle of a round: draft -> solved -> published -> amended -> published ... -> closed."""

    DRAFT = "draft"
    SOLVED = "solved"
    PUBLISHED = "published"
    AMENDED = "amended"
    CLOSED = "closed"


class RunStatus(StrEnum):
    """Where a run is: waiting for a worker, solving, or finished one of four ways."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


TimeLimit = Annotated[float, Field(ge=1, le=3600, description="Seconds the solver may search.")]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Seed of the solver's randomness.")]
# Some text, not only blanks: an override's reason is what the audit trail keeps.
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$")
]


class RoundPolicy(BaseModel):
    """How a round scores and solves (docs/scoring.md): weights, country cap, time limit."""

    model_config = ConfigDict(extra="forbid")

    weights: fmt.Weights = Field(
        default_factory=fmt.Weights,
        description="Every score weight, and `disruption`: the cost of moving someone from "
        "the current plan in a re-solve. Absent weights keep their defaults.",
    )
    max_country_share_per_prefecture: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="In every prefecture, at most max(1, floor(f x slots)) people of one "
        "country; null: no cap.",
    )
    time_limit_s: TimeLimit = 60.0
    seed: Seed = 0


class RoundCreate(BaseModel):
    """A new matching round."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "R2026-MAIN",
                    "name": "2026 main round",
                    "programme_year": 2026,
                    "positions": ["ALT", "CIR", "SEA"],
                    "policy": {"weights": {"disruption": 80}, "time_limit_s": 60},
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    name: Name200
    programme_year: int = Field(ge=1987, le=2100, description="The JET year the round places.")
    positions: Annotated[list[fmt.Position], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list(fmt.Position),
        description="Positions the round places (its runs cover these only).",
    )
    policy: RoundPolicy = Field(default_factory=RoundPolicy)


Weight = Annotated[int, Field(ge=0, le=10_000)]


class WeightsUpdate(BaseModel):
    """Weights to change (docs/scoring.md); absent ones keep the round's current values.

    tests/api/test_schemas.py checks that it carries every field of the dataset's
    `Weights` with the same constraints.
    """

    model_config = ConfigDict(extra="forbid")

    preference_1: Weight | None = None
    preference_2: Weight | None = None
    preference_3: Weight | None = None
    same_region: Weight | None = None
    area_any: Weight | None = None
    area_match: Weight | None = None
    area_adjacent: Weight | None = None
    school_match: Weight | None = None
    school_flexible: Weight | None = None
    requested_country: Weight | None = None
    sister_region: Weight | None = None
    experience: Weight | None = None
    japanese_per_level: Weight | None = None
    japanese_cap: Weight | None = None
    disruption: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        default=None, description="Cost of moving someone from previous_plan."
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> WeightsUpdate:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"a weight cannot be null: {', '.join(nulls)}")
        return self


class RoundPolicyUpdate(BaseModel):
    """Policy fields to change; absent ones (and absent weights) keep their current values."""

    model_config = ConfigDict(extra="forbid")

    weights: WeightsUpdate | None = Field(
        default=None, description="Only the weights given change, one by one."
    )
    max_country_share_per_prefecture: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="A new country cap; `null` removes the cap; absent: unchanged.",
    )
    time_limit_s: TimeLimit | None = None
    seed: Seed | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> RoundPolicyUpdate:
        nulls = sorted(
            name
            for name in ("weights", "time_limit_s", "seed")
            if name in self.model_fields_set and getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"cannot be null: {', '.join(nulls)} (leave it out to keep it)")
        return self


class RoundUpdate(BaseModel):
    """Fields to change on a round (absent: unchanged). Positions only before the first plan.

    `policy` is merged into the round's policy: only the fields sent change (so
    `{"policy": {"time_limit_s": 30}}` keeps the weights, the cap and the seed).
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"policy": {"time_limit_s": 30}}]}
    )

    name: Name200 | None = None
    positions: Annotated[list[fmt.Position], Field(min_length=1, max_length=3)] | None = None
    policy: RoundPolicyUpdate | None = None


class RoundPublic(BaseModel):
    """A round, its lifecycle status and the state of its working plan."""

    external_id: str
    name: str
    programme_year: int
    positions: list[fmt.Position]
    policy: RoundPolicy
    status: RoundStatus
    published_version: int | None = Field(
        description="Latest published version (1, 2, ...); null before the first publication."
    )
    active_run: int | None = Field(description="The run queued or running now, if any.")
    placed: int = Field(description="Participants placed in the working plan.")
    pinned: int = Field(description="Placements pinned by coordinators.")
    forbidden: int = Field(description="Forbidden pairs of the round.")
    open_vacancies: int = Field(
        description="Places the latest publication filled that the working plan no longer "
        "fills, at open openings of the round (0 before the first publication): what "
        "fill-vacancies offers to alternates."
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime


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


class RunOutcome(BaseModel):
    """What the solver answered, once a run has finished solving."""

    status: str = Field(
        description="optimal, feasible, infeasible or timeout (infeasible with engine none: "
        "refused before solving, see conflicts)."
    )
    engine: str = Field(description="flow, mip or none.")
    objective: ObjectiveValue
    bound: BoundValue | None
    gap: float | None
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


class PlanItem(BaseModel):
    """One placement of a plan, with its score and the score's breakdown by term."""

    participant: str = Field(description="external_id of the participant.")
    opening: str = Field(description="external_id of the opening.")
    organization: str = Field(description="external_id of the opening's organization.")
    prefecture: int
    position: fmt.Position
    score: int
    breakdown: dict[str, int] = Field(
        description="location, area, school, requested_country, sister_region, experience, "
        "japanese."
    )
    pinned: bool = Field(description="Every re-solve keeps it.")
    source: str = Field(description="run, adjustment or vacancy: what put it there.")
    override_reason: str | None = Field(description="Why a coordinator broke a hard rule.")


class PlanChange(BaseModel):
    """Where a participant should be: an opening (pinned or not), or nowhere (`null`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"opening": "OPN-0001", "pinned": True, "override_reason": None},
                {"opening": None, "pinned": False},
            ]
        },
    )

    opening: fmt.ExternalId | None = Field(description="external_id, or null to unassign.")
    pinned: bool = Field(default=False, description="Pin it: every re-solve keeps it.")
    override_reason: Reason | None = Field(
        default=None,
        description="Accept a move that breaks a hard rule, for this reason (audited).",
    )


class ObjectiveChange(BaseModel):
    """How the objective changes: after minus before (disruption: a move costs its weight)."""

    placed: int
    score: int
    disruption: int
    net: int = Field(description="score - disruption.")


class Adjustment(BaseModel):
    """The answer to a plan change: before, after, the objective change, overridden rules."""

    participant: str
    before: PlanItem | None
    after: PlanItem | None
    objective_change: ObjectiveChange
    overridden: list[RuleBreak] = Field(
        description="Hard rules the change breaks, accepted because of `override_reason`."
    )


class ForbiddenCreate(BaseModel):
    """A pair no run of the round may use."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"participant": "ALT-2026-00042", "opening": "OPN-1"}]},
    )

    participant: fmt.ExternalId
    opening: fmt.ExternalId


class ForbiddenItem(BaseModel):
    """A pair that no run of the round may use."""

    participant: str = Field(description="external_id of the participant.")
    opening: str = Field(description="external_id of the opening.")
    created_at: UtcDatetime = Field(description="When it was forbidden.")


class ForbiddenPublic(ForbiddenItem):
    """A pair just forbidden; `unassigned` when forbidding it took the participant out of it."""

    unassigned: bool = False


class TakenBy(BaseModel):
    """Someone holding a place at an opening, with their score there."""

    participant: str
    score: int


class AlternativeItem(BaseModel):
    """An opening a participant did not get, and why."""

    opening: str
    organization: str
    score: int
    breakdown: dict[str, int]
    eligible: bool
    failed_rules: list[str] = Field(description="The hard rules that exclude the pair.")
    why: str = Field(description="In words: not eligible, full (taken by ...), or free.")
    taken_by: list[TakenBy]
    objective_change: ObjectiveChange | None = Field(
        description="Moving the participant there, everything else unchanged (eligible only)."
    )
    breaks: list[RuleBreak] = Field(
        description="Hard rules that move would break (a full opening: over_capacity)."
    )


class Explanation(BaseModel):
    """Why a participant has their placement: its breakdown, and their best alternatives."""

    participant: str
    placement: PlanItem | None
    unplaced_reasons: list[str] = Field(description="Set when the participant is unplaced.")
    alternatives: list[AlternativeItem]


class Candidate(BaseModel):
    """An eligible participant for an opening, with what assigning them there would do."""

    participant: str
    score: int
    breakdown: dict[str, int]
    current_opening: str | None
    current_score: int | None
    pinned: bool = Field(description="Pinned where they are now.")
    objective_change: ObjectiveChange
    breaks: list[RuleBreak] = Field(description="Hard rules the move would break.")


class Candidates(BaseModel):
    """Eligible participants for one opening, best score first (ties by external_id)."""

    opening: str
    slots: int
    taken_by: list[TakenBy]
    items: list[Candidate]
    next_cursor: str | None = Field(
        default=None, description="Send as `cursor` for the next candidates; null at the end."
    )


class Kpis(BaseModel):
    """Key figures of a plan, evaluated on the round's current records and policy."""

    placed: int
    unplaced: int
    score: int
    mean_score: float | None
    min_score: int | None
    rank_profile: dict[str, int]
    area_match_rate: float | None
    blocking_pairs: int


class MovedItem(BaseModel):
    """A participant placed differently in the two plans compared (null: unplaced)."""

    participant: str
    a: str | None
    b: str | None


class Comparison(BaseModel):
    """Two plans side by side: key figures, their difference (b - a) and who moved."""

    a: str = Field(description="What `a` names: `run:<id>`, `version:<n>` or `current`.")
    b: str
    kpis_a: Kpis
    kpis_b: Kpis
    difference: dict[str, float] = Field(description="b - a for every numeric figure.")
    moved_count: int
    moved: list[MovedItem]


class UnplacedItem(BaseModel):
    """A participant of the round the plan leaves unplaced, and why."""

    participant: str
    position: fmt.Position
    reasons: list[str]


class RoundReport(BaseModel):
    """The round report: objective, metrics, unplaced with reasons, rule breaks."""

    round: str
    round_version: int
    status: RoundStatus
    published_version: int | None
    objective: ObjectiveValue
    metrics: dict[str, Any] = Field(
        description="placed/unplaced by position, rank_profile, mean/min score, "
        "area_match_rate, fill_rate_by_prefecture, fill_rate_by_country, blocking_pairs."
    )
    changed_since_publication: int | None = Field(
        description="Placements that differ from the latest published version."
    )
    unplaced: list[UnplacedItem]
    violations: list[RuleBreak] = Field(description="Hard rules the plan breaks (overrides).")


class PublicationPublic(BaseModel):
    """A published version of a round's plan."""

    round: str
    version: int
    published_at: UtcDatetime
    published_by: str
    placed: int
    added: int = Field(description="Participants placed now, not in the previous version.")
    removed: int = Field(description="Participants of the previous version no longer placed.")
    moved: int = Field(description="Participants at another opening than in the previous one.")


class HostPlacement(BaseModel):
    """A participant published to one of the host organization's openings (no contact or
    special-care data)."""

    round: str
    version: int
    opening: str
    participant: str
    family_name: str
    given_name: str
    citizenship: str
    position: fmt.Position
    japanese_level: fmt.JapaneseLevel


class ResultItem(BaseModel):
    """A published placement for career-fair and reporting tools (minimum personal data)."""

    round: str
    version: int
    participant: str = Field(description="external_id only: no names, no contact data.")
    position: fmt.Position
    opening: str
    organization: str
    organization_name: str
    prefecture: int


class FreedPlace(BaseModel):
    """A place a withdrawal freed in a round's working plan."""

    round: str
    opening: str


class Withdrawal(BaseModel):
    """The outcome of a withdrawal."""

    participant: str
    status: fmt.ParticipantStatus
    already_withdrawn: bool
    freed: list[FreedPlace]


class AmendmentChange(BaseModel):
    """An alternate upgraded into a vacancy."""

    participant: str = Field(description="The alternate, now shortlisted.")
    alternate_rank: int | None = Field(description="Their rank as an alternate, before.")
    opening: str
    score: int
    replaces: str | None = Field(
        description="Whose place it was: someone the latest publication placed at this "
        "opening and the plan no longer does (withdrawn, moved, vacated)."
    )


class OpenVacancy(BaseModel):
    """Vacant places at an opening that no alternate could take."""

    opening: str
    places: int = Field(description="How many places stay vacant there.")
    vacated_by: list[str] = Field(
        description="Who the latest publication placed there and the plan no longer does."
    )


class Amendment(BaseModel):
    """What fill-vacancies changed; publish to make it version N+1."""

    round: str
    status: RoundStatus
    changes: list[AmendmentChange]
    unfilled: list[OpenVacancy]
