"""Wire models of the career fair: fairs, their employers, and the results feed's changes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name100, Name200, UtcDatetime
from jet_match.schemas.publications import ResultItem
from jet_match.schemas.records import Email

Capacity = Annotated[int, Field(ge=1, le=100_000)]


class FairCreate(BaseModel):
    """A new career fair (coordinators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "FAIR-2027-TOKYO",
                    "name": "JET Career Fair Tokyo",
                    "held_on": "2027-02-20",
                    "venue": "Tokyo International Forum",
                    "capacity": 300,
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    name: Name200
    held_on: date
    venue: Name200 | None = None
    online: bool = False
    capacity: Capacity


class FairUpdate(BaseModel):
    """Fields to change on a fair; absent fields stay, `null` clears the venue."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"capacity": 350}]})

    name: Name200 | None = None
    held_on: date | None = None
    venue: Name200 | None = None
    online: bool | None = None
    capacity: Capacity | None = None


class FairPublic(BaseModel):
    """A fair as coordinators and career-fair tools read it."""

    external_id: str
    name: str
    held_on: date
    venue: str | None
    online: bool
    capacity: int
    employers: int = Field(description="How many employers take part.")
    updated_at: UtcDatetime


class EmployerCreate(BaseModel):
    """An employer taking part in a fair (coordinators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "EMP-ACME",
                    "company": "ACME Translation K.K.",
                    "sector": "translation",
                    "contact_name": "Suzuki Ichiro",
                    "contact_email": "recruit@acme.example",
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    company: Name200
    sector: Name100
    contact_name: Name200 | None = None
    contact_email: Email | None = None


class EmployerPublic(BaseModel):
    """An employer of a fair."""

    external_id: str
    company: str
    sector: str
    contact_name: str | None
    contact_email: str | None


class ResultChanges(BaseModel):
    """What changed in the published results since a sync token: placements added, changed
    (another opening) and removed; pass `sync_token` next time."""

    sync_token: str = Field(description="Give it back as `since` to get the next changes.")
    added: list[ResultItem]
    changed: list[ResultItem]
    removed: list[ResultItem] = Field(
        description="Placements no longer published, as they were last published."
    )


class ResultsPage(BaseModel):
    """A page of published results; `sync_token` names the publications it lists."""

    items: list[ResultItem]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page."
    )
    sync_token: str = Field(
        description="The published versions this listing reads: give it as `since` to "
        "`/results/changes` to get what was added, changed or removed afterwards."
    )


# --- consent, registrations and the roster ------------------------------------------------


class ConsentScope(StrEnum):
    """Which fairs a consent covers."""

    ALL_FAIRS = "all_fairs"
    NAMED_FAIRS = "named_fairs"


Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class ConsentGiven(BaseModel):
    """A leaving JET's consent to appear on career-fair rosters (recorded by a coordinator)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"given_on": "2027-01-10", "scope": "all_fairs", "available_month": "2027-08"}
            ]
        },
    )

    given_on: date
    scope: ConsentScope = ConsentScope.ALL_FAIRS
    fairs: Annotated[list[fmt.ExternalId], Field(max_length=50)] = Field(
        default_factory=list, description="With `named_fairs`: the fairs it covers."
    )
    available_month: Month | None = Field(
        default=None, description="YYYY-MM; default: the month after the contract ends."
    )


class ConsentPublic(BaseModel):
    """A consent as coordinators read it."""

    contract: str
    given_on: date
    scope: ConsentScope
    fairs: list[str]
    available_month: str | None
    active: bool
    withdrawn_at: UtcDatetime | None


class RegistrationCreate(BaseModel):
    """Register a consenting leaving JET (by contract external_id) to a fair."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"contract": "CON-2024-0042"}]}
    )

    contract: fmt.ExternalId


class RegistrationPublic(BaseModel):
    """A registration to a fair."""

    fair: str
    contract: str
    registered_at: UtcDatetime


#: The only fields a roster ever shows of a person (issue 14), in every format.
ROSTER_FIELDS = (
    "name",
    "position",
    "prefecture_served",
    "years_in_programme",
    "japanese_level",
    "field_of_study",
    "month_available",
)


#: Column headings of a roster sheet for people, per language (the same seven columns).
ROSTER_HEADINGS: dict[str, tuple[str, ...]] = {
    "en": (
        "Name",
        "Position",
        "Prefecture served",
        "Years in the programme",
        "Japanese level",
        "Field of study",
        "Month available",
    ),
    "ja": ("氏名", "職種", "任用都道府県", "参加年数", "日本語能力", "専攻分野", "就業可能月"),
}


class RosterEntry(BaseModel):
    """A person on a fair's roster: these fields and nothing else."""

    model_config = ConfigDict(extra="forbid")

    name: str
    position: fmt.Position
    prefecture_served: int
    years_in_programme: int
    japanese_level: fmt.JapaneseLevel
    field_of_study: str | None
    month_available: str = Field(description="YYYY-MM")


class Roster(BaseModel):
    """A fair's roster for employers."""

    fair: str
    items: list[RosterEntry]


class RosterSyncEntry(RosterEntry):
    """A roster entry with its opaque `entry` reference (for syncing tools only)."""

    entry: str = Field(description="Opaque; means nothing outside this fair's roster.")


class RosterChanges(BaseModel):
    """Roster entries added, changed and removed since `updated_since`; pass `as_of` next time."""

    fair: str
    as_of: UtcDatetime
    added: list[RosterSyncEntry]
    changed: list[RosterSyncEntry]
    removed: list[str] = Field(description="`entry` references no longer on the roster.")
