"""Wire models of a round's working plan: placements, changes, forbidden pairs."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime
from jet_match.schemas.runs import RuleBreak

# Some text, not only blanks: an override's reason is what the audit trail keeps.
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$")
]


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
