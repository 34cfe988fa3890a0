"""Wire models of withdrawals."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    Field,
)

from jet_match.dataset import format as fmt


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
    freed: list[FreedPlace]
