"""Wire models of filling vacancies with alternates."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    Field,
)

from jet_match.statuses import RoundStatus


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
