"""Wire models: what the HTTP API accepts and answers, besides the dataset records.

Organizations, openings and participants travel exactly as the dataset's records
(`jet_match.dataset.format`): a POST body is a dataset record and so is every answer.
PATCH bodies (`XUpdate`) carry the same fields, all optional, minus `external_id`;
tests/api/test_schemas.py fails if they drift from the dataset's. Every request model
forbids unknown fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from jet_match.dataset import format as fmt

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive timestamps; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Role(StrEnum):
    """What an API key may do (docs/api.md, "Roles")."""

    COORDINATOR = "coordinator"
    HOST_ORG = "host_org"
    CAREER_FAIR = "career_fair"


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page.",
        examples=["eyJrIjoiQUxULTAwMDUwIn0"],
    )


Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Slots = Annotated[int, Field(ge=1, le=500)]
AlternateRank = Annotated[int, Field(ge=1)]
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


class ApiKeyCreate(BaseModel):
    """A new API key: its role, and for `host_org` the organization it acts for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"role": "host_org", "organization": "ORG-01-PREF", "name": "Hokkaido BoE"}
            ]
        },
    )

    role: Role
    organization: fmt.ExternalId | None = Field(
        default=None, description="external_id of the organization; required for host_org only."
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Who or what uses the key (shown in lists and the audit trail)."
    )


class ApiKeyPublic(BaseModel):
    """An API key as listed: never its secret."""

    id: str = Field(description="The key's public prefix, which also starts the key itself.")
    role: Role
    organization: str | None
    name: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class ApiKeyCreated(ApiKeyPublic):
    """A key just created: `key` is shown this once and cannot be recovered."""

    key: str = Field(description="The bearer token. Store it now: it is never shown again.")


class KindCounts(BaseModel):
    """What an import did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportResult(BaseModel):
    """Counts of an all-or-nothing import, per kind of record."""

    organizations: KindCounts = Field(default_factory=KindCounts)
    openings: KindCounts = Field(default_factory=KindCounts)
    participants: KindCounts = Field(default_factory=KindCounts)
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="Parts of the dataset that belong to matching rounds and were not stored "
        "(`pins`, `forbidden`, `previous_plan`, `policy`).",
    )


class AuditEventPublic(BaseModel):
    """One entry of the audit trail."""

    id: int
    occurred_at: UtcDatetime
    actor: str = Field(description="`key:<id>` for an API key, `cli` for the command line.")
    actor_key_id: str | None = Field(description="Prefix of the API key that acted, if any.")
    action: str = Field(examples=["opening.update"])
    resource_type: str = Field(examples=["opening"])
    resource_id: str | None = Field(examples=["OPN-0001"])
    request_id: str | None
    detail: dict[str, Any]


class ProblemItem(BaseModel):
    """One problem, naming the record and the field."""

    record: str = Field(examples=["opening"])
    external_id: str | None = Field(examples=["OPN-0001"])
    field: str | None = Field(examples=["slots"])
    code: str = Field(examples=["greater_than_equal"])
    message: str = Field(examples=["'slots': Input should be greater than or equal to 1"])
    index: int | None = Field(default=None, description="Position in the list it came from.")
    row: int | None = Field(default=None, description="Sheet row (CSV/XLSX imports; 1 = header).")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(examples=["https://jet-match.example/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no opening 'OPN-0001'"])
    instance: str | None = Field(default=None, examples=["/api/v1/openings/OPN-0001"])
    request_id: str | None = None
    errors: list[ProblemItem] = Field(default_factory=list)


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])
