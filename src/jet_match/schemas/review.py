"""Wire models of reviewing a plan: explanations, candidates, comparisons, report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import (
    BaseModel,
    Field,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.plans import ObjectiveChange, PlanItem
from jet_match.schemas.runs import ObjectiveValue, RuleBreak
from jet_match.statuses import RoundStatus


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


class WithdrawalCounts(BaseModel):
    """Withdrawals of the round's positions, counted several ways."""

    total: int
    by_reason: dict[str, int] = Field(
        description="By reason (personal, health, family, other_offer, visa, other; "
        "`unknown` when none was given)."
    )
    by_country: dict[str, int] = Field(description="By sending country (citizenship).")
    by_position: dict[str, int]
    before_publication: int = Field(description="Recorded before the first publication.")
    after_publication: int = Field(description="Recorded after the first publication.")


class ArrivalGroupCount(BaseModel):
    """How many placements of the latest published version an arrival group takes."""

    name: str | None = Field(description="The group; null: the policy defines no groups.")
    date: dt.date | None
    placed: int


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
    withdrawals: WithdrawalCounts
    arrival_groups: list[ArrivalGroupCount] = Field(
        description="Placements of the latest published version per arrival group (empty "
        "before the first publication)."
    )
