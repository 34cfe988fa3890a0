"""Wire models of programme years: what coordinators set per year of the season."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jet_match.schemas.common import UtcDatetime


class ProgrammeYearSettings(BaseModel):
    """A programme year's settings, sent whole (PUT): absent fields take their defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"intention_deadline": "2026-01-31T15:00:00Z", "undecided_as_leaving": False}
            ]
        },
    )

    intention_deadline: UtcDatetime | None = Field(
        default=None,
        description="Until when host organizations set their contracts' intentions (null: "
        "no deadline). After it, only coordinators change them.",
    )
    undecided_as_leaving: bool = Field(
        default=False,
        description="Count undecided JETs as leaving in the demand (default: as staying).",
    )


class ProgrammeYearPublic(ProgrammeYearSettings):
    """A programme year's settings (the defaults for a year nobody has set yet)."""

    model_config = ConfigDict(extra="forbid")

    programme_year: int = Field(examples=[2026])
    deadline_passed: bool = Field(description="The intention deadline is set and has passed.")
