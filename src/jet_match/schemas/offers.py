"""Wire models of offers: vacancies after publication offered to alternates."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime
from jet_match.statuses import OfferStatus, RoundStatus


class OfferCreate(BaseModel):
    """Offer a vacant opening to the next eligible alternate."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"opening": "OPN-0042"}]}
    )

    opening: fmt.ExternalId = Field(description="The vacant opening to offer.")
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Days the alternate has to answer; absent: the round's policy "
        "(`offers.expiry_days`, 7 unless set).",
    )


class OfferPublic(BaseModel):
    """An offer of a vacancy to an alternate (or to a couple of alternates)."""

    id: int | None = Field(description="The offer's id; null in a dry run's proposal.")
    round: str
    opening: str
    organization: str
    participant: str = Field(description="The alternate offered the place.")
    alternate_rank: int | None = Field(description="Their alternate_rank when offered.")
    partner: str | None = Field(
        description="A partner offered a place with them (a couple of alternates)."
    )
    partner_opening: str | None
    score: int = Field(description="The score of the participant at the opening.")
    status: OfferStatus
    automatic: bool = Field(
        description="Made by the service (the round's policy, or passed on after a decline "
        "or an expiry), not by a coordinator's request."
    )
    expires_at: UtcDatetime
    made_by: str
    created_at: UtcDatetime
    decided_by: str | None
    decided_at: UtcDatetime | None
    follows: int | None = Field(description="The declined or expired offer this one passes on.")


class OfferDecision(BaseModel):
    """The offer after an answer, and what followed from it."""

    offer: OfferPublic
    next_offer: OfferPublic | None = Field(
        description="After a decline: the offer passed on to the next eligible alternate "
        "(null when nobody is eligible)."
    )
    round_status: RoundStatus = Field(
        description="After an acceptance the round is `amended`: publish it."
    )
