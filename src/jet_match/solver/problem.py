"""The solver's input: frozen dataclasses with the solver's own small enumerations.

The solver does not read the interchange dataset or anything stored: the service layer
translates a dataset into a `Problem` explicitly. Records are identified by their external_id;
every list is sorted canonically by external_id when the problem is prepared, so the
order in which the caller lists records never changes the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from jet_match.solver.caps import PREFECTURE_CODES


class Position(IntEnum):
    """ALT, CIR or SEA."""

    ALT = 0
    CIR = 1
    SEA = 2


class ParticipantStatus(IntEnum):
    """Only shortlisted participants are placed by a run (and pinned alternates)."""

    SHORTLISTED = 0
    ALTERNATE = 1
    WITHDRAWN = 2


class AreaType(IntEnum):
    """How urban an organization is; the value is the ordinal of DESIGN.md section 2."""

    URBAN = 0
    SEMI_URBAN = 1
    RURAL = 2
    REMOTE = 3


class AreaPreference(IntEnum):
    """The area a participant would like.

    Its codes are not `AreaType`'s: relate the two by name, never by code (the policy's
    `PREFERENCE_MATCHES_AREA` and `PREFERENCE_NEXT_TO_AREA` tables do).
    """

    URBAN = 0
    SEMI_URBAN = 1
    RURAL = 2
    ANY = 3


class SchoolLevel(IntEnum):
    """Where an opening works."""

    ELEMENTARY = 0
    JUNIOR_HIGH = 1
    SENIOR_HIGH = 2
    MIXED = 3
    OFFICE = 4


class SchoolLevelPreference(IntEnum):
    """The school level a participant would like.

    Its codes are not `SchoolLevel`'s (`ANY` and `SchoolLevel.MIXED` are both 3): relate
    the two by name, never by code (the policy's `PREFERENCE_MATCHES_LEVEL` table does).
    """

    ELEMENTARY = 0
    JUNIOR_HIGH = 1
    SENIOR_HIGH = 2
    ANY = 3


class PartnerConstraint(IntEnum):
    """How close a couple must be placed."""

    SAME_ORGANIZATION = 0
    SAME_PREFECTURE = 1


#: Region index (0-7) per prefecture code 1-47 (index 0 unused): Hokkaido 1; Tohoku 2-7;
#: Kanto 8-14; Chubu 15-23; Kinki 24-30; Chugoku 31-35; Shikoku 36-39; Kyushu-Okinawa 40-47.
_REGION_FIRST_PREFECTURE = (1, 2, 8, 15, 24, 31, 36, 40)
STANDARD_REGIONS: tuple[int, ...] = (
    -1,
    *(
        sum(code >= first for first in _REGION_FIRST_PREFECTURE) - 1
        for code in range(1, PREFECTURE_CODES)
    ),
)


@dataclass(frozen=True, slots=True)
class Weights:
    """The weight of every score term (DESIGN.md section 3), with the published defaults."""

    preference_1: int = 100
    preference_2: int = 80
    preference_3: int = 60
    same_region: int = 20
    area_any: int = 15
    area_match: int = 30
    area_adjacent: int = 10
    school_match: int = 20
    school_flexible: int = 10
    requested_country: int = 40
    sister_region: int = 25
    experience: int = 15
    japanese_per_level: int = 5
    japanese_cap: int = 20
    disruption: int = 50


@dataclass(frozen=True, slots=True)
class Organization:
    """A host organization."""

    external_id: str
    prefecture: int
    area_type: AreaType
    medical_access: bool = False
    sister_regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Opening:
    """A position an organization offers; `slots` people can take it."""

    external_id: str
    organization: str
    position: Position
    slots: int
    school_level: SchoolLevel
    min_japanese_level: int = 0
    driving_required: bool = False
    requested_countries: tuple[str, ...] = ()
    country_required: bool = False
    prefers_experience: bool = False
    sport: str | None = None
    is_open: bool = True


@dataclass(frozen=True, slots=True)
class Participant:
    """An applicant; `partner` is the other half's external_id when they apply as a couple."""

    external_id: str
    citizenship: str
    position: Position
    status: ParticipantStatus = ParticipantStatus.SHORTLISTED
    japanese_level: int = 0
    teaching_experience_years: int = 0
    can_drive: bool = False
    preferred_prefectures: tuple[int, ...] = ()
    area_preference: AreaPreference = AreaPreference.ANY
    school_level_preference: SchoolLevelPreference = SchoolLevelPreference.ANY
    needs_medical_access: bool = False
    sport: str | None = None
    home_region: str | None = None
    partner: str | None = None
    partner_constraint: PartnerConstraint | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """A participant and an opening, by external_id (pins, forbidden pairs, plans)."""

    participant: str
    opening: str


#: The rule name a waiver uses for an opening's capacity (its `slots`).
CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Waiver:
    """Hard rules a coordinator set aside for one pair alone (an override).

    The pair's eligibility is judged by every rule except the waived ones, and its score
    is the sum of its terms as for any pair (no term is negative). `rules` names rules of
    `jet_match.eligibility.RULES`; None waives whichever the pair breaks. With
    `beyond_capacity` the pair, when pinned, takes a place beyond the opening's slots (it
    was placed over capacity): the opening gets one more slot for it alone, listed as the
    rule `CAPACITY`. A waiver never makes a withdrawn participant or a cancelled opening
    placeable, and it does not pin the pair: the caller pins it (`Problem.pins`) to keep it.
    """

    participant: str
    opening: str
    rules: tuple[str, ...] | None = None
    beyond_capacity: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A whole matching problem for one run.

    `positions` limits the run to some positions (None: all). `regions` maps prefecture
    code to region index (the service passes its reference table). Participants placed by
    the run are the shortlisted ones of the run's positions, plus pinned alternates.
    `waivers` set rules aside for single pairs (coordinators' overrides, `Waiver`).
    """

    organizations: tuple[Organization, ...]
    openings: tuple[Opening, ...]
    participants: tuple[Participant, ...]
    weights: Weights = field(default_factory=Weights)
    max_country_share_per_prefecture: float | None = None
    pins: tuple[Assignment, ...] = ()
    forbidden: tuple[Assignment, ...] = ()
    previous_plan: tuple[Assignment, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    positions: frozenset[Position] | None = None
    regions: tuple[int, ...] = STANDARD_REGIONS
