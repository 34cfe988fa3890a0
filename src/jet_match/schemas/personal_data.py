"""Wire model of a person's complete record, for a disclosure request (APPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime


class PlanEntry(BaseModel):
    """Where a round's working plan places the person."""

    round: str
    opening: str
    organization: str
    pinned: bool
    score: int


class PublishedEntry(BaseModel):
    """A published version that placed the person."""

    round: str
    version: int
    published_at: UtcDatetime
    opening: str
    organization: str


class AccessEntry(BaseModel):
    """Who read or changed the person's record, and when (the audit trail)."""

    occurred_at: UtcDatetime
    actor: str
    action: str


class PersonalData(BaseModel):
    """Everything the service holds about one participant."""

    participant: fmt.Participant = Field(description="The record, every field included.")
    plans: list[PlanEntry] = Field(description="Working plans that place the person.")
    publications: list[PublishedEntry] = Field(description="Published placements.")
    accesses: list[AccessEntry] = Field(
        description="Reads and changes of the record (this request included)."
    )
