"""Wire models of record changes that follow into the plans: the record as changed, and
the placements the change vacated (`vacated`), so that the caller learns it from the
answer itself, not only from the rounds' status and the audit trail."""

from __future__ import annotations

from pydantic import Field

from jet_match.dataset import format as fmt
from jet_match.schemas.withdrawals import FreedPlace

_VACATED = (
    "Placements of working plans this change vacated (rounds not closed): the round, the "
    "participant and opening, the reason, and whether it was published. Empty when none."
)


class OrganizationChanged(fmt.Organization):
    """An organization as changed, with the placements the change vacated."""

    vacated: list[FreedPlace] = Field(default_factory=list, description=_VACATED)


class OpeningChanged(fmt.Opening):
    """An opening as changed (or cancelled), with the placements the change vacated."""

    vacated: list[FreedPlace] = Field(default_factory=list, description=_VACATED)


class ParticipantChanged(fmt.Participant):
    """A participant as changed, with the placements the change vacated."""

    vacated: list[FreedPlace] = Field(default_factory=list, description=_VACATED)
