"""Wire models of publications and the published results."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    Field,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime
from jet_match.schemas.runs import PolicyValue


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
    policy: PolicyValue | None = Field(
        default=None,
        description="The scoring policy of the published plan (weights, cap, digest), kept "
        "with the publication so that anyone can re-score it.",
    )


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
