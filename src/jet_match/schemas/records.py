"""Wire models of organizations, openings and participants.

Organizations, openings and participants travel exactly as the dataset's records
(`jet_match.dataset.format`): a POST body is a dataset record and so is every answer.
PATCH bodies (`XUpdate`) carry the same fields, all optional, minus `external_id`;
tests/api/test_schemas.py fails if they drift from the dataset's. Every request model
forbids unknown fields.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name100, Name200

Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


Slots = Annotated[int, Field(ge=1, le=500)]


AlternateRank = Annotated[int, Field(ge=1, le=100_000)]


ExperienceYears = Annotated[int, Field(ge=0, le=60)]


class OrganizationUpdate(BaseModel):
    """Fields to change on an organization; absent fields stay, `null` clears optional ones."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"area_type": "rural", "medical_access": True}]},
    )

    name: Name200 | None = None
    name_ja: Name200 | None = None
    kind: fmt.OrganizationKind | None = None
    prefecture: fmt.PrefectureCode | None = None
    area_type: fmt.AreaType | None = None
    medical_access: bool | None = None
    sister_regions: Annotated[list[fmt.RegionCode], Field(max_length=50)] | None = None


class OpeningUpdate(BaseModel):
    """Fields to change on an opening; absent fields stay, `null` clears optional ones."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"slots": 2, "driving_required": False}]}
    )

    organization: fmt.ExternalId | None = None
    position: fmt.Position | None = None
    slots: Slots | None = None
    school_level: fmt.SchoolLevel | None = None
    min_japanese_level: fmt.JapaneseLevel | None = None
    driving_required: bool | None = None
    requested_countries: Annotated[list[fmt.CountryCode], Field(max_length=20)] | None = None
    country_required: bool | None = None
    prefers_experience: bool | None = None
    sport: fmt.Sport | None = None
    status: fmt.OpeningStatus | None = None
    posts: Slots | None = None


class ParticipantUpdate(BaseModel):
    """Fields to change on a participant; absent fields stay, `null` clears optional ones.

    Setting `partner` links both people (the other must be free); `null` unlinks both.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "withdrawn"}]},
    )

    family_name: Name100 | None = None
    given_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    email: Email | None = None
    citizenship: fmt.CountryCode | None = None
    home_region: fmt.RegionCode | None = None
    position: fmt.Position | None = None
    status: fmt.ParticipantStatus | None = None
    alternate_rank: AlternateRank | None = None
    japanese_level: fmt.JapaneseLevel | None = None
    teaching_experience_years: ExperienceYears | None = None
    can_drive: bool | None = None
    preferred_prefectures: Annotated[list[fmt.PrefectureCode], Field(max_length=3)] | None = None
    area_preference: fmt.AreaPreference | None = None
    school_level_preference: fmt.SchoolLevelPreference | None = None
    needs_medical_access: bool | None = None
    sport: fmt.Sport | None = None
    partner: fmt.Partner | None = None
