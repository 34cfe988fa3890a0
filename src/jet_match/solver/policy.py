"""The published policy (DESIGN.md section 3): eligibility rules and score terms.

Every hard rule and every score term is one named function over *broadcastable index
arrays*: pass `p[:, None]` and `o[None, :]` to evaluate a whole participant x opening
grid at once, or two equal-length vectors for a list of pairs, or two scalars-as-arrays
for one pair. They read the column arrays of `Tables`, which hold each record's fields as
numpy vectors in canonical (external_id) order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from jet_match import eligibility
from jet_match.solver.problem import (
    AreaPreference,
    AreaType,
    ParticipantStatus,
    Problem,
    SchoolLevel,
    SchoolLevelPreference,
    Weights,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# --- meanings across two enumerations ------------------------------------------------
#
# A participant's preference and an opening's attribute are codes of *different*
# enumerations (`SchoolLevelPreference.ANY` and `SchoolLevel.MIXED` are both 3), so they
# are never compared as integers. These tables relate them by member *name*, indexed
# [preference code, attribute code]; the policy reads them and nothing else.


def _table(
    rows: type[IntEnum], columns: type[IntEnum], holds: Callable[[str, str], bool]
) -> BoolArray:
    """Boolean table [row code, column code] of `holds(row name, column name)`."""
    table = np.zeros((max(rows) + 1, max(columns) + 1), dtype=np.bool_)
    for row in rows:
        for column in columns:
            table[row, column] = holds(row.name, column.name)
    table.setflags(write=False)
    return table


def _area_steps(preference: str, area_type: str) -> int | None:
    """Steps between a preferred area and an area type (None for no preference)."""
    if preference not in AreaType.__members__:
        return None
    return abs(AreaType[preference] - AreaType[area_type])


#: The participant's school-level preference names the opening's school level.
PREFERENCE_MATCHES_LEVEL: BoolArray = _table(
    SchoolLevelPreference, SchoolLevel, lambda preference, level: preference == level
)
#: The participant's area preference names the organization's area type.
PREFERENCE_MATCHES_AREA: BoolArray = _table(
    AreaPreference, AreaType, lambda preference, area: _area_steps(preference, area) == 0
)
#: The organization's area type is one step (urban - semi-urban - rural - remote) from
#: the participant's area preference.
PREFERENCE_NEXT_TO_AREA: BoolArray = _table(
    AreaPreference, AreaType, lambda preference, area: _area_steps(preference, area) == 1
)


@dataclass(frozen=True, eq=False)
class Tables:
    """Column arrays of a problem's records, sorted by external_id.

    Participant columns start with `p_`, opening columns with `o_` (organization fields
    are copied onto their openings). Countries, regions and sports are interned to small
    integers; `-1` means none.
    """

    participant_ids: tuple[str, ...]
    opening_ids: tuple[str, ...]
    organization_ids: tuple[str, ...]
    country_codes: tuple[str, ...]  # interned countries, by index
    p_position: IntArray
    p_status: IntArray
    p_japanese: IntArray
    p_experience: IntArray
    p_can_drive: BoolArray
    p_needs_medical: BoolArray
    p_country: IntArray
    p_home_region: IntArray
    p_sport: IntArray
    p_preferences: IntArray  # (n, 3), prefecture codes, 0 when fewer than three
    p_preferred_regions: BoolArray  # (n, 8): a region of one of the choices
    p_area_preference: IntArray
    p_school_preference: IntArray
    o_position: IntArray
    o_slots: IntArray
    o_school_level: IntArray
    o_min_japanese: IntArray
    o_driving_required: BoolArray
    o_country_required: BoolArray
    o_prefers_experience: BoolArray
    o_sport: IntArray
    o_open: BoolArray
    o_organization: IntArray
    o_prefecture: IntArray
    o_region: IntArray
    o_area_type: IntArray
    o_medical_access: BoolArray
    requested: BoolArray  # (countries, openings): country requested by the opening
    sister: BoolArray  # (region codes, openings): code is a sister region of the organization
    forbidden_keys: IntArray  # sorted p * n_openings + o

    @property
    def n_participants(self) -> int:
        """Number of participants (all statuses)."""
        return len(self.participant_ids)

    @property
    def n_openings(self) -> int:
        """Number of openings (all statuses and positions)."""
        return len(self.opening_ids)


def build_tables(problem: Problem) -> Tables:
    """Columns of `problem` in canonical order (records sorted by external_id)."""
    participants = sorted(problem.participants, key=lambda r: r.external_id)
    openings = sorted(problem.openings, key=lambda r: r.external_id)
    organizations = sorted(problem.organizations, key=lambda r: r.external_id)
    org_index = {org.external_id: i for i, org in enumerate(organizations)}
    countries = _Interner()
    codes = _Interner()
    sports = _Interner()
    for participant in participants:
        countries.add(participant.citizenship)
    for opening in openings:
        for country in opening.requested_countries:
            countries.add(country)

    def ints(values: list[int]) -> IntArray:
        return np.asarray(values, dtype=np.int64).reshape(len(values))

    def bools(values: list[bool]) -> BoolArray:
        return np.asarray(values, dtype=np.bool_).reshape(len(values))

    preferences = np.zeros((len(participants), 3), dtype=np.int64)
    preferred_regions = np.zeros((len(participants), 8), dtype=np.bool_)
    for i, participant in enumerate(participants):
        for rank, code in enumerate(participant.preferred_prefectures[:3]):
            preferences[i, rank] = code
            preferred_regions[i, problem.regions[code]] = True
    org_of_opening = [org_index[o.organization] for o in openings]
    requested = np.zeros((max(len(countries), 1), len(openings)), dtype=np.bool_)
    for j, opening in enumerate(openings):
        for country in opening.requested_countries:
            requested[countries.index[country], j] = True
    p_country = ints([countries.index[p.citizenship] for p in participants])
    p_home = ints([codes.add(p.home_region) if p.home_region else -1 for p in participants])
    p_country_code = ints([codes.add(p.citizenship) for p in participants])
    org_sisters = [[codes.add(code) for code in org.sister_regions] for org in organizations]
    sister = np.zeros((max(len(codes), 1), len(openings)), dtype=np.bool_)
    for j, org in enumerate(org_of_opening):
        sister[org_sisters[org], j] = True
    keys = forbidden_keys(
        problem,
        {p.external_id: i for i, p in enumerate(participants)},
        {o.external_id: j for j, o in enumerate(openings)},
    )
    return Tables(
        participant_ids=tuple(p.external_id for p in participants),
        opening_ids=tuple(o.external_id for o in openings),
        organization_ids=tuple(org.external_id for org in organizations),
        country_codes=tuple(countries.index),
        p_position=ints([int(p.position) for p in participants]),
        p_status=ints([int(p.status) for p in participants]),
        p_japanese=ints([p.japanese_level for p in participants]),
        p_experience=ints([p.teaching_experience_years for p in participants]),
        p_can_drive=bools([p.can_drive for p in participants]),
        p_needs_medical=bools([p.needs_medical_access for p in participants]),
        p_country=p_country,
        p_home_region=np.stack([p_country_code, p_home], axis=1).reshape(len(participants), 2),
        p_sport=ints([sports.add(p.sport) if p.sport else -1 for p in participants]),
        p_preferences=preferences,
        p_preferred_regions=preferred_regions,
        p_area_preference=ints([int(p.area_preference) for p in participants]),
        p_school_preference=ints([int(p.school_level_preference) for p in participants]),
        o_position=ints([int(o.position) for o in openings]),
        o_slots=ints([o.slots for o in openings]),
        o_school_level=ints([int(o.school_level) for o in openings]),
        o_min_japanese=ints([o.min_japanese_level for o in openings]),
        o_driving_required=bools([o.driving_required for o in openings]),
        o_country_required=bools([o.country_required for o in openings]),
        o_prefers_experience=bools([o.prefers_experience for o in openings]),
        o_sport=ints([sports.add(o.sport) if o.sport else -1 for o in openings]),
        o_open=bools([o.is_open for o in openings]),
        o_organization=ints(org_of_opening),
        o_prefecture=ints([organizations[g].prefecture for g in org_of_opening]),
        o_region=ints([problem.regions[organizations[g].prefecture] for g in org_of_opening]),
        o_area_type=ints([int(organizations[g].area_type) for g in org_of_opening]),
        o_medical_access=bools([organizations[g].medical_access for g in org_of_opening]),
        requested=requested,
        sister=sister,
        forbidden_keys=keys,
    )


def forbidden_keys(problem: Problem, p_index: dict[str, int], o_index: dict[str, int]) -> IntArray:
    """Sorted keys p * n_openings + o of the problem's forbidden pairs (known records)."""
    keys = np.asarray(
        sorted(
            {
                p_index[pair.participant] * len(o_index) + o_index[pair.opening]
                for pair in problem.forbidden
                if pair.participant in p_index and pair.opening in o_index
            }
        ),
        dtype=np.int64,
    )
    return keys.reshape(len(keys))


def restatus_tables(tables: Tables, problem: Problem) -> Tables:
    """The tables of `problem`, whose records equal those of `tables` but for statuses and
    forbidden pairs (the cheap path of a re-solve: no column is rebuilt but those two)."""
    p_index = {pid: i for i, pid in enumerate(tables.participant_ids)}
    status = np.empty(len(p_index), dtype=np.int64)
    for record in problem.participants:
        status[p_index[record.external_id]] = int(record.status)
    o_index = {oid: j for j, oid in enumerate(tables.opening_ids)}
    return replace(
        tables, p_status=status, forbidden_keys=forbidden_keys(problem, p_index, o_index)
    )


class _Interner:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, value: str) -> int:
        return self.index.setdefault(value, len(self.index))

    def __len__(self) -> int:
        return len(self.index)


# --- eligibility: each hard rule is a named function; True means the rule holds -------

Rule = Callable[[Tables, IntArray, IntArray], BoolArray]


def same_position(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """The opening is for the participant's position (ALT, CIR, SEA)."""
    return np.asarray(eligibility.same_position(t.p_position[p], t.o_position[o]))


def participant_not_withdrawn(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """The participant has not withdrawn."""
    withdrawn = t.p_status[p] == ParticipantStatus.WITHDRAWN
    return np.broadcast_to(
        eligibility.participant_not_withdrawn(withdrawn), np.broadcast_shapes(p.shape, o.shape)
    )


def japanese_level(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """The participant's Japanese is at least the opening's minimum level."""
    return np.asarray(eligibility.japanese_level(t.p_japanese[p], t.o_min_japanese[o]))


def driving(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """An opening that requires driving gets a participant who can drive."""
    return np.asarray(eligibility.driving(t.o_driving_required[o], t.p_can_drive[p]))


def medical_access(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """A participant who needs specialist care goes where it is within reach."""
    return np.asarray(eligibility.medical_access(t.p_needs_medical[p], t.o_medical_access[o]))


def required_country(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """An opening that requires its requested countries gets a citizen of one of them."""
    citizen = t.requested[t.p_country[p], o]
    return np.asarray(eligibility.required_country(t.o_country_required[o], citizen))


def sport(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """An opening with a sport gets a participant of that sport."""
    return np.asarray(eligibility.sport(t.o_sport[o] >= 0, t.p_sport[p] == t.o_sport[o]))


def opening_open(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """The opening is open (not cancelled)."""
    return np.broadcast_to(
        eligibility.opening_open(t.o_open[o]), np.broadcast_shapes(p.shape, o.shape)
    )


def not_forbidden(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """A coordinator has not forbidden the pair."""
    shape = np.broadcast_shapes(p.shape, o.shape)
    if len(t.forbidden_keys) == 0:
        return np.ones(shape, dtype=np.bool_)
    keys = p * t.n_openings + o
    at = np.minimum(np.searchsorted(t.forbidden_keys, keys), len(t.forbidden_keys) - 1)
    return np.asarray(eligibility.not_forbidden(t.forbidden_keys[at] == keys))


_VECTORISED: dict[str, Rule] = {
    "same_position": same_position,
    "participant_not_withdrawn": participant_not_withdrawn,
    "japanese_level": japanese_level,
    "driving": driving,
    "medical_access": medical_access,
    "required_country": required_country,
    "sport": sport,
    "opening_open": opening_open,
    "not_forbidden": not_forbidden,
}
#: The hard rules in the order they are reported (name -> function); names, order and
#: messages are `jet_match.eligibility`'s, the one statement of the rules.
RULES: dict[str, Rule] = {r.name: _VECTORISED[r.name] for r in eligibility.RULES}
#: One sentence per rule, for reasons shown to coordinators and participants.
RULE_MESSAGES: dict[str, str] = eligibility.MESSAGES


def eligible(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """All hard rules hold."""
    shape = np.broadcast_shapes(p.shape, o.shape)
    result = np.ones(shape, dtype=np.bool_)
    for rule in RULES.values():
        result &= rule(t, p, o)
    return result


def failed_rules(t: Tables, p: int, o: int) -> list[str]:
    """Names of the hard rules one pair breaks (empty when eligible)."""
    pi, oi = np.asarray([p]), np.asarray([o])
    return [name for name, rule in RULES.items() if not bool(rule(t, pi, oi)[0])]


# --- score: each term is a named function returning integer points ------------------

Term = Callable[[Tables, Weights, IntArray, IntArray], IntArray]


def location(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """1st / 2nd / 3rd preferred prefecture, else a preferred prefecture's region."""
    prefecture = t.o_prefecture[o]
    choices = t.p_preferences[p]
    region = t.p_preferred_regions[p, t.o_region[o]]
    return np.where(
        choices[..., 0] == prefecture,
        w.preference_1,
        np.where(
            choices[..., 1] == prefecture,
            w.preference_2,
            np.where(
                choices[..., 2] == prefecture, w.preference_3, np.where(region, w.same_region, 0)
            ),
        ),
    ).astype(np.int64, copy=False)


def area(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """Area preference `any`, the same area type, or one step away."""
    preference = t.p_area_preference[p]
    area_type = t.o_area_type[o]
    return np.where(
        preference == AreaPreference.ANY,
        w.area_any,
        np.where(
            PREFERENCE_MATCHES_AREA[preference, area_type],
            w.area_match,
            np.where(PREFERENCE_NEXT_TO_AREA[preference, area_type], w.area_adjacent, 0),
        ),
    ).astype(np.int64, copy=False)


def area_matches(t: Tables, p: IntArray, o: IntArray) -> BoolArray:
    """The participant has no area preference or the organization's area type is it."""
    preference = t.p_area_preference[p]
    return np.asarray(
        (preference == AreaPreference.ANY) | PREFERENCE_MATCHES_AREA[preference, t.o_area_type[o]]
    )


def school(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """School level as preferred, or flexible (participant `any` or opening `mixed`)."""
    level = t.o_school_level[o]
    preference = t.p_school_preference[p]
    flexible = (preference == SchoolLevelPreference.ANY) | (level == SchoolLevel.MIXED)
    return np.where(
        level == SchoolLevel.OFFICE,
        0,
        np.where(
            PREFERENCE_MATCHES_LEVEL[preference, level],
            w.school_match,
            np.where(flexible, w.school_flexible, 0),
        ),
    ).astype(np.int64, copy=False)


def requested_country(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """The participant is a citizen of a country the opening requested."""
    return np.where(t.requested[t.p_country[p], o], w.requested_country, 0).astype(
        np.int64, copy=False
    )


def sister_region(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """The participant's country or home region is a sister region of the organization."""
    codes = t.p_home_region[p]
    by_country = t.sister[codes[..., 0], o]
    home = codes[..., 1]
    by_home = (home >= 0) & t.sister[np.maximum(home, 0), o]
    return np.where(by_country | by_home, w.sister_region, 0).astype(np.int64, copy=False)


def experience(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """The opening prefers experience and the participant taught two years or more."""
    return np.where(t.o_prefers_experience[o] & (t.p_experience[p] >= 2), w.experience, 0).astype(
        np.int64, copy=False
    )


def japanese(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """Points per JLPT level above the opening's minimum, capped (0 below the minimum: an
    ineligible pair shows no negative term)."""
    above = np.maximum(t.p_japanese[p] - t.o_min_japanese[o], 0)
    capped: IntArray = np.minimum(w.japanese_per_level * above, w.japanese_cap)
    return capped.astype(np.int64, copy=False)


#: The score terms, in the order of the published breakdown (name -> function).
TERMS: dict[str, Term] = {
    "location": location,
    "area": area,
    "school": school,
    "requested_country": requested_country,
    "sister_region": sister_region,
    "experience": experience,
    "japanese": japanese,
}


def score(t: Tables, w: Weights, p: IntArray, o: IntArray) -> IntArray:
    """Sum of all terms."""
    total: IntArray = np.zeros(np.broadcast_shapes(p.shape, o.shape), dtype=np.int64)
    for term in TERMS.values():
        total = total + term(t, w, p, o)
    return total


def breakdown(t: Tables, w: Weights, p: int, o: int) -> dict[str, int]:
    """Points of each term for one pair."""
    pi, oi = np.asarray([p]), np.asarray([o])
    return {name: int(term(t, w, pi, oi)[0]) for name, term in TERMS.items()}


def breakdowns(t: Tables, w: Weights, p: IntArray, o: IntArray) -> dict[str, IntArray]:
    """Points of each term for a list of pairs (vectorised)."""
    return {name: term(t, w, p, o) for name, term in TERMS.items()}
