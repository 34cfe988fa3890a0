"""Wire models of withdrawals."""

from __future__ import annotations

from datetime import date

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from jet_match.dataset import format as fmt
from jet_match.statuses import WithdrawalReason


class WithdrawalRequest(BaseModel):
    """Why a participant withdraws (both optional)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "health", "note": "Told us by phone"}]},
    )

    reason: WithdrawalReason | None = Field(
        default=None, description="personal, health, family, other_offer, visa or other."
    )
    note: str | None = Field(
        default=None, min_length=1, max_length=500, description="A note for coordinators."
    )


class FreedPlace(BaseModel):
    """A placement taken out of a round's working plan (a withdrawal, or a record change
    that no longer allows it): the place it freed, who held it and why."""

    round: str
    opening: str
    participant: str = Field(description="Who held the place.")
    reason: str = Field(description="The change that vacated it.")
    published: bool = Field(
        description="The placement was in the round's latest publication: the published "
        "plan no longer holds (the round is now amended)."
    )


class Withdrawal(BaseModel):
    """The outcome of a withdrawal."""

    participant: str
    status: fmt.ParticipantStatus
    already_withdrawn: bool
    reason: WithdrawalReason | None = Field(
        description="The reason recorded with the withdrawal (the first one, if withdrawn twice)."
    )
    withdrawn_on: date | None = Field(
        description="The day the withdrawal was recorded (null for one recorded before "
        "dates were kept)."
    )
    freed: list[FreedPlace]
