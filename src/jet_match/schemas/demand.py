"""Wire models of the demand: the new places of a programme year that the reappointment
ledger leaves, per opening, organization and prefecture, and what applying them did."""

from __future__ import annotations

from pydantic import BaseModel, Field

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime
from jet_match.schemas.withdrawals import FreedPlace


class DemandCounts(BaseModel):
    """JETs employed and how the ledger splits them; `new_places` is what stays to fill."""

    posts: int = Field(description="JETs employed in all (an opening's `posts`, or `slots`).")
    continuing: int = Field(description="JETs whose contracts run past the year's start.")
    reappointing: int
    leaving: int
    undecided: int
    new_places: int = Field(
        description="posts - continuing - reappointing - undecided (undecided not taken off "
        "when the year counts them as leaving), at least 0; 0 for a cancelled opening."
    )


class OpeningDemand(DemandCounts):
    """One opening's demand."""

    opening: str
    organization: str
    prefecture: int
    position: fmt.Position
    status: fmt.OpeningStatus
    slots: int = Field(description="The opening's slots now (apply sets them to new_places).")


class OrganizationDemand(DemandCounts):
    """An organization's demand: the sum over its openings."""

    organization: str
    prefecture: int


class PrefectureDemand(DemandCounts):
    """A prefecture's demand: the sum over its organizations' openings."""

    prefecture: int


class Demand(BaseModel):
    """The demand of a programme year, in external_id and prefecture order."""

    programme_year: int
    intention_deadline: UtcDatetime | None
    undecided_as_leaving: bool
    openings: list[OpeningDemand]
    organizations: list[OrganizationDemand]
    prefectures: list[PrefectureDemand]
    total: DemandCounts


class SlotsChange(BaseModel):
    """What applying the demand does to one opening."""

    opening: str
    organization: str
    slots_before: int
    slots_after: int = Field(description="The new places (unchanged when there are none).")
    posts: int = Field(description="The opening's posts, kept from now on.")
    status_after: fmt.OpeningStatus = Field(
        description="`cancelled` when the opening has no new places left."
    )


class DemandApplied(BaseModel):
    """The outcome of applying (or, with dry_run, previewing) a year's demand."""

    programme_year: int
    dry_run: bool
    changes: list[SlotsChange]
    unchanged: int = Field(description="Open openings whose slots already were their places.")
    vacated: list[FreedPlace] = Field(
        description="Placements of working plans the lost slots no longer allow."
    )
