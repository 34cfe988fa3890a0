"""Wire models of host-organization development: the demand report and the prospects."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name100, Name200, UtcDatetime
from jet_match.schemas.records import Email, Slots

# --- demand ---------------------------------------------------------------------------


class DemandCell(BaseModel):
    """One prefecture x area x school level x position of the demand report.

    Applicants count under each prefecture they named, with the area and school level
    they asked for (`any` when they did not mind); openings count under their
    organization's prefecture and area type and their own school level."""

    prefecture: int
    area_type: str = Field(description="An area type, or `any` (applicants who did not mind).")
    school_level: str = Field(description="A school level, or `any`.")
    position: fmt.Position
    preferred: int = Field(description="Applicants of the run who named this prefecture.")
    offered: int = Field(description="Places (open slots) offered here.")
    placed: int = Field(description="Placed here by the working plan.")
    unplaced_no_eligible_opening: int = Field(
        description="Applicants who named this prefecture and are unplaced because no "
        "opening of the run is eligible for them (the solver's rules)."
    )
    unplaced_openings_full: int = Field(
        description="Applicants who named this prefecture, unplaced although eligible for "
        "some opening: all of those were full."
    )
    unserved_countries: list[str] = Field(
        description="Countries the openings here requested that nobody placed here holds."
    )


class PrefectureDemand(BaseModel):
    """A prefecture's row of the demand report (each applicant counted once)."""

    prefecture: int
    preferred: int
    offered: int
    placed: int
    unplaced_no_eligible_opening: int
    unplaced_openings_full: int


class DemandTotals(BaseModel):
    """National figures of the demand report (each applicant counted once)."""

    applicants: int
    offered: int
    placed: int
    unplaced_no_eligible_opening: int
    unplaced_openings_full: int
    unplaced_other: int


class Demand(BaseModel):
    """Where demand for host organizations is unmet: the latest round of a programme year
    per position, its working plan and the records, under the solver's own rules."""

    programme_year: int
    rounds: dict[str, str] = Field(description="Position -> the round whose plan is used.")
    totals: DemandTotals
    prefectures: list[PrefectureDemand]
    cells: list[DemandCell]


# --- prospects --------------------------------------------------------------------------


class ProspectStage(StrEnum):
    """Where a prospective host organization is in the pipeline."""

    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    INTERESTED = "interested"
    REQUEST_SUBMITTED = "request_submitted"
    HOSTING = "hosting"
    DECLINED = "declined"


class ContactChannel(StrEnum):
    """How a contact with a prospect was made."""

    PHONE = "phone"
    EMAIL = "email"
    VISIT = "visit"
    LETTER = "letter"
    MEETING = "meeting"
    OTHER = "other"


Note = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Summary = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class ProspectFields(BaseModel):
    """What a coordinator records of a prospect."""

    model_config = ConfigDict(extra="forbid")

    name: Name200
    name_ja: Name200 | None = None
    prefecture: fmt.PrefectureCode
    kind: fmt.OrganizationKind
    area_type: fmt.AreaType
    contact_name: Name200 | None = None
    contact_email: Email | None = None
    stage: ProspectStage = ProspectStage.IDENTIFIED
    owner: Name100 | None = None
    next_action: Note | None = None
    next_action_on: date | None = None


class ProspectCreate(ProspectFields):
    """A new prospect (coordinators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "PRO-NIKKO",
                    "name": "Nikko City Board of Education",
                    "name_ja": "日光市教育委員会",
                    "prefecture": 9,
                    "kind": "municipality",
                    "area_type": "rural",
                    "contact_name": "Sato Hanako",
                    "owner": "tanaka",
                    "next_action": "call the board",
                    "next_action_on": "2027-01-15",
                }
            ]
        },
    )

    external_id: fmt.ExternalId


class ProspectUpdate(BaseModel):
    """Fields to change on a prospect; absent fields stay, `null` clears optional ones.
    `hosting` is reached by converting the prospect, not by setting the stage."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"stage": "interested"}]}
    )

    name: Name200 | None = None
    name_ja: Name200 | None = None
    prefecture: fmt.PrefectureCode | None = None
    kind: fmt.OrganizationKind | None = None
    area_type: fmt.AreaType | None = None
    contact_name: Name200 | None = None
    contact_email: Email | None = None
    stage: ProspectStage | None = None
    owner: Name100 | None = None
    next_action: Note | None = None
    next_action_on: date | None = None


class ContactCreate(BaseModel):
    """A contact made with a prospect."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"contacted_on": "2026-12-01", "channel": "phone", "summary": "asked for a visit"}
            ]
        },
    )

    contacted_on: date
    channel: ContactChannel
    summary: Summary


class ContactPublic(BaseModel):
    """A dated contact of a prospect's log."""

    contacted_on: date
    channel: ContactChannel
    summary: str
    recorded_by: str
    recorded_at: UtcDatetime


class ProspectPublic(ProspectFields):
    """A prospect as coordinators read it, with its contact log."""

    model_config = ConfigDict(extra="ignore")

    external_id: str
    organization: str | None = Field(
        description="external_id of the organization it became (once converted)."
    )
    places_added: int = Field(description="Slots of the openings created at conversion.")
    contacts: list[ContactPublic]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class FirstOpening(BaseModel):
    """An opening the converted organization starts with."""

    model_config = ConfigDict(extra="forbid")

    external_id: fmt.ExternalId
    position: fmt.Position
    slots: Slots
    school_level: fmt.SchoolLevel
    min_japanese_level: fmt.JapaneseLevel = fmt.JapaneseLevel.NONE
    driving_required: bool = False
    requested_countries: Annotated[list[fmt.CountryCode], Field(max_length=20)] = Field(
        default_factory=list
    )
    country_required: bool = False
    prefers_experience: bool = False
    sport: fmt.Sport | None = None


class ProspectConversion(BaseModel):
    """Turn an agreed prospect into a host organization with its first openings."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organization": "ORG-09-NIKKO",
                    "medical_access": True,
                    "openings": [
                        {
                            "external_id": "OPN-09-NIKKO-1",
                            "position": "ALT",
                            "slots": 2,
                            "school_level": "junior_high",
                        }
                    ],
                }
            ]
        },
    )

    organization: fmt.ExternalId
    medical_access: bool = False
    sister_regions: Annotated[list[fmt.RegionCode], Field(max_length=50)] = Field(
        default_factory=list
    )
    openings: Annotated[list[FirstOpening], Field(min_length=1, max_length=50)]


class PipelineRow(BaseModel):
    """Prospects of one prefecture by stage, and the places converted ones added."""

    prefecture: int
    by_stage: dict[str, int]
    places_added: int


class PipelineReport(BaseModel):
    """The pipeline: prospects by stage and prefecture; places added by conversions."""

    by_stage: dict[str, int]
    places_added: int
    prefectures: list[PipelineRow]


class ProspectImport(BaseModel):
    """What a prospect sheet import did (all or nothing)."""

    created: int
    updated: int
    unchanged: int
