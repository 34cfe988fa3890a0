"""The interchange dataset `jet-match/dataset@1` (DESIGN.md section 2) as pydantic models.

These models are the single source of truth for the format: the JSON Schema in
`docs/dataset.schema.json` is exported from them, the API's request and response bodies
reuse their field names, and the solver's input is built from them.

Structural rules (types, enumerations, ranges, lengths, code shapes) live here so that
the JSON Schema documents them; rules that relate fields or records to each other
(duplicates, references, partners, pins) live in `jet_match.dataset.rules`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT = "jet-match/dataset@1"

ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
    Field(
        description="The caller's identifier for the record: 1-64 characters, letters, digits, "
        "'.', '_' or '-', starting with a letter or digit. Unique within its kind.",
        examples=["ALT-2026-00042"],
    ),
]
CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code.", examples=["US"]),
]
RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"),
    Field(
        description="ISO 3166-1 alpha-2 country code or ISO 3166-2 subdivision code.",
        examples=["US-WA"],
    ),
]
PrefectureCode = Annotated[
    int, Field(ge=1, le=47, description="JIS X 0401 prefecture code, 1 (Hokkaido) to 47 (Okinawa).")
]
Sport = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_-]*$"),
    Field(description="Sport, lower case (SEA positions).", examples=["baseball"]),
]


class Position(StrEnum):
    """ALT: Assistant Language Teacher, CIR: Coordinator for Intl. Relations, SEA: sports."""

    ALT = "ALT"
    CIR = "CIR"
    SEA = "SEA"


class JapaneseLevel(StrEnum):
    """JLPT level; `none` below N5. Ordered none < N5 < ... < N1."""

    NONE = "none"
    N5 = "N5"
    N4 = "N4"
    N3 = "N3"
    N2 = "N2"
    N1 = "N1"

    @property
    def ordinal(self) -> int:
        """0 (none) to 5 (N1)."""
        return _JAPANESE_ORDINAL[self]


_JAPANESE_ORDINAL = {level: i for i, level in enumerate(JapaneseLevel)}


class AreaType(StrEnum):
    """How urban a host organization is. Ordered urban < semi_urban < rural < remote."""

    URBAN = "urban"
    SEMI_URBAN = "semi_urban"
    RURAL = "rural"
    REMOTE = "remote"

    @property
    def ordinal(self) -> int:
        """0 (urban) to 3 (remote)."""
        return _AREA_ORDINAL[self.value]


class AreaPreference(StrEnum):
    """The kind of area a participant would like; `any` when they have no preference."""

    URBAN = "urban"
    SEMI_URBAN = "semi_urban"
    RURAL = "rural"
    ANY = "any"

    @property
    def ordinal(self) -> int | None:
        """0-2 like `AreaType`, None for `any`."""
        return _AREA_ORDINAL.get(self.value)


_AREA_ORDINAL = {"urban": 0, "semi_urban": 1, "rural": 2, "remote": 3}


class SchoolLevel(StrEnum):
    """Where an opening works; `office` for CIR and SEA desk posts."""

    ELEMENTARY = "elementary"
    JUNIOR_HIGH = "junior_high"
    SENIOR_HIGH = "senior_high"
    MIXED = "mixed"
    OFFICE = "office"


class SchoolLevelPreference(StrEnum):
    """The school level a participant would like to teach."""

    ELEMENTARY = "elementary"
    JUNIOR_HIGH = "junior_high"
    SENIOR_HIGH = "senior_high"
    ANY = "any"


class OrganizationKind(StrEnum):
    """Kind of Contracting Organization."""

    PREFECTURE = "prefecture"
    DESIGNATED_CITY = "designated_city"
    MUNICIPALITY = "municipality"
    PRIVATE_SCHOOL = "private_school"


class OpeningStatus(StrEnum):
    """Only open openings can be filled."""

    OPEN = "open"
    CANCELLED = "cancelled"


class ParticipantStatus(StrEnum):
    """Shortlisted participants are placed by runs; alternates wait for vacancies."""

    SHORTLISTED = "shortlisted"
    ALTERNATE = "alternate"
    WITHDRAWN = "withdrawn"


class PartnerConstraint(StrEnum):
    """How close a couple must be placed."""

    SAME_ORGANIZATION = "same_organization"
    SAME_PREFECTURE = "same_prefecture"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Organization(_Record):
    """A Contracting Organization (host organization)."""

    external_id: ExternalId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Name in English.", examples=["Hokkaido Prefectural Board of Education"]
    )
    name_ja: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Name in Japanese.", examples=["北海道教育委員会"]
    )
    kind: OrganizationKind
    prefecture: PrefectureCode
    area_type: AreaType
    medical_access: bool = Field(
        default=False, description="Specialist medical care is within reach of the posts."
    )
    sister_regions: list[RegionCode] = Field(
        default_factory=list,
        max_length=50,
        description="Sister-city or sister-state ties (countries or subdivisions).",
    )


class Opening(_Record):
    """A position an organization offers; `slots` people can take it."""

    external_id: ExternalId
    organization: ExternalId = Field(description="external_id of the organization.")
    position: Position
    slots: int = Field(ge=1, le=500, description="How many participants the opening takes.")
    school_level: SchoolLevel
    min_japanese_level: JapaneseLevel = JapaneseLevel.NONE
    driving_required: bool = False
    requested_countries: list[CountryCode] = Field(
        default_factory=list, max_length=20, description="Countries the host would like."
    )
    country_required: bool = Field(
        default=False, description="Only citizens of requested_countries are eligible."
    )
    prefers_experience: bool = Field(
        default=False, description="Two or more years of teaching experience score higher."
    )
    sport: Sport | None = Field(default=None, description="Required sport (SEA openings).")
    status: OpeningStatus = OpeningStatus.OPEN
    posts: int | None = Field(
        default=None,
        ge=1,
        le=500,
        description="How many JETs the opening employs in all, in post and new (the season's "
        "demand); absent: as many as `slots`.",
    )


class Partner(_Record):
    """The other half of a couple; both sides name each other with the same constraint."""

    external_id: ExternalId
    constraint: PartnerConstraint


class Participant(_Record):
    """An applicant: shortlisted, alternate or withdrawn."""

    external_id: ExternalId
    family_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    given_name: Annotated[str, StringConstraints(max_length=100)] = Field(
        description="Given name; empty for people with a single name."
    )
    email: Annotated[
        str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] = Field(description="Contact address (personal data: coordinators only).")
    citizenship: CountryCode
    home_region: RegionCode | None = None
    position: Position
    status: ParticipantStatus = ParticipantStatus.SHORTLISTED
    alternate_rank: int | None = Field(
        default=None, ge=1, le=100_000, description="1 = first alternate; only for alternates."
    )
    japanese_level: JapaneseLevel = JapaneseLevel.NONE
    teaching_experience_years: int = Field(default=0, ge=0, le=60)
    can_drive: bool = False
    preferred_prefectures: list[PrefectureCode] = Field(
        default_factory=list,
        max_length=3,
        description="Up to three distinct prefecture codes, most preferred first.",
    )
    area_preference: AreaPreference = AreaPreference.ANY
    school_level_preference: SchoolLevelPreference = SchoolLevelPreference.ANY
    needs_medical_access: bool = Field(
        default=False,
        description="Needs specialist care within reach (special-care data: coordinators only).",
    )
    sport: Sport | None = None
    partner: Partner | None = None


class Intention(StrEnum):
    """What a JET in post intends for the next programme year."""

    REAPPOINTING = "reappointing"
    LEAVING = "leaving"
    UNDECIDED = "undecided"


class Contract(_Record):
    """A JET in post: the contract they hold with an organization, on one of its openings.

    A contract's reappointment year is the year its `ends_on` falls in: the intention says
    whether the JET stays on for the programme year that starts then.
    """

    external_id: ExternalId
    family_name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    given_name: Annotated[str, StringConstraints(max_length=100)] = Field(
        description="Given name; empty for people with a single name."
    )
    citizenship: CountryCode
    position: Position
    organization: ExternalId = Field(description="external_id of the contracting organization.")
    opening: ExternalId = Field(description="external_id of the opening (post) held.")
    started_on: date = Field(description="First day of the contract.")
    ends_on: date = Field(description="Last day of the contract (on or after started_on).")
    year_in_programme: int = Field(ge=1, le=5, description="1 in the first year, up to 5.")
    japanese_level: JapaneseLevel = JapaneseLevel.NONE
    field_of_study: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None, description="What the JET studied, if known."
    )
    intention: Intention = Field(
        default=Intention.UNDECIDED, description="Reappointment intention for the next year."
    )
    intention_set_on: date | None = Field(
        default=None, description="The day the intention was last set (null: never set)."
    )


class Pair(_Record):
    """A participant and an opening, by external_id (pins, forbidden pairs, previous plans)."""

    participant: ExternalId
    opening: ExternalId


class Weights(_Record):
    """Weights of the score terms (DESIGN.md section 3); absent ones keep their defaults."""

    preference_1: int = Field(default=100, ge=0, le=10_000)
    preference_2: int = Field(default=80, ge=0, le=10_000)
    preference_3: int = Field(default=60, ge=0, le=10_000)
    same_region: int = Field(default=20, ge=0, le=10_000)
    area_any: int = Field(default=15, ge=0, le=10_000)
    area_match: int = Field(default=30, ge=0, le=10_000)
    area_adjacent: int = Field(default=10, ge=0, le=10_000)
    school_match: int = Field(default=20, ge=0, le=10_000)
    school_flexible: int = Field(default=10, ge=0, le=10_000)
    requested_country: int = Field(default=40, ge=0, le=10_000)
    sister_region: int = Field(default=25, ge=0, le=10_000)
    experience: int = Field(default=15, ge=0, le=10_000)
    japanese_per_level: int = Field(default=5, ge=0, le=10_000)
    japanese_cap: int = Field(default=20, ge=0, le=10_000)
    disruption: int = Field(
        default=50, ge=0, le=100_000, description="Cost of moving someone from previous_plan."
    )


class Policy(_Record):
    """Weights and caps of a matching problem."""

    weights: Weights = Field(default_factory=Weights)
    max_country_share_per_prefecture: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="In every prefecture, at most max(1, floor(f x slots)) people of one country.",
    )


class Dataset(_Record):
    """A whole matching problem: `{"format": "jet-match/dataset@1", ...}`."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="jet-match dataset",
        json_schema_extra={"$id": "https://jet-match.example/schemas/dataset@1.json"},
    )

    format: Literal["jet-match/dataset@1"] = Field(description="Always `jet-match/dataset@1`.")
    organizations: list[Organization] = Field(default_factory=list)
    openings: list[Opening] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    contracts: list[Contract] = Field(
        default_factory=list, description="JETs in post (the season's reappointment ledger)."
    )
    policy: Policy | None = None
    pins: list[Pair] = Field(
        default_factory=list, description="Placements that every run must keep."
    )
    forbidden: list[Pair] = Field(default_factory=list, description="Pairs that no run may use.")
    previous_plan: list[Pair] = Field(
        default_factory=list,
        description="The plan a re-solve should disturb as little as possible.",
    )


def dataset_to_json(dataset: Dataset, *, pretty: bool = False) -> bytes:
    """The dataset as a JSON document (absent optional values are left out, and so is an
    empty `contracts` list: a dataset without a ledger reads as it did before contracts).

    `parse_dataset(dataset_to_json(d)) == d` for every valid dataset `d`.
    """
    option = orjson.OPT_INDENT_2 if pretty else 0
    data = dataset.model_dump(mode="json", exclude_none=True)
    if not data.get("contracts"):
        data.pop("contracts", None)
    return orjson.dumps(data, option=option | orjson.OPT_APPEND_NEWLINE)


def dataset_counts(dataset: Dataset) -> dict[str, int]:
    """Record counts for summaries: participants by position and status, slots, pairs."""
    counts: dict[str, int] = {
        "organizations": len(dataset.organizations),
        "openings": len(dataset.openings),
        "open_slots": sum(o.slots for o in dataset.openings if o.status is OpeningStatus.OPEN),
        "participants": len(dataset.participants),
    }
    for position in Position:
        counts[f"participants_{position.value}"] = sum(
            1 for p in dataset.participants if p.position is position
        )
    for status in ParticipantStatus:
        counts[status.value] = sum(1 for p in dataset.participants if p.status is status)
    counts["couples"] = sum(1 for p in dataset.participants if p.partner is not None) // 2
    counts["pins"] = len(dataset.pins)
    counts["forbidden"] = len(dataset.forbidden)
    counts["previous_plan"] = len(dataset.previous_plan)
    return counts
