"""Wire models of withdrawals."""

from __future__ import annotations

from pydantic import (
    BaseModel,
)

from jet_match.dataset import format as fmt


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
