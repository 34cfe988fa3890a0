"""Realistic, deterministic datasets shaped like a JET Programme placement year.

`generate_dataset(participants=..., organizations=..., openings=..., seed=...)` builds a
valid `Dataset` of any size; `generate_scale("demo" | "national", seed=...)` the two named
sizes. Everything is drawn from one `random.Random(seed)` in a fixed order (lists, never
set or dict-hash order), so a seed always gives the same dataset. The figures the
generator is grounded in, and which of them are approximations, are in docs/fixtures.md.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from jet_match.dataset.format import (
    AreaType,
    Contract,
    Dataset,
    Intention,
    JapaneseLevel,
    Opening,
    Organization,
    OrganizationKind,
    Participant,
    ParticipantStatus,
    PartnerConstraint,
    Position,
    SchoolLevel,
    SchoolLevelPreference,
)
from jet_match.dataset.generator_tables import (
    ALT_MIN_JAPANESE,
    ALT_REQUESTED,
    ALT_SCHOOL_PREFERENCES,
    ALTERNATE_SHARE,
    AREA_PREFERENCES,
    CIR_SHARE,
    COUNTRY_COUNTS,
    COUPLED_SHARE,
    DEFAULT_POPULARITY,
    DRIVING_BY_AREA,
    DRIVING_COUNTRIES,
    ENGLISH_SPEAKING,
    EXPERIENCE_YEARS,
    HOME_REGIONS,
    JAPANESE_BY_POSITION,
    MEDICAL_BY_AREA,
    NAME_MIX,
    NAME_POOLS,
    POOL_BY_COUNTRY,
    POPULARITY,
    PREFECTURE_SISTER_REGIONS,
    PREFERENCE_COUNTS,
    PRIVATE_SCHOOL_KINDS,
    PRIVATE_SCHOOL_WORDS,
    SCHOOL_CYCLES,
    SEA_SHARE,
    SEMI_URBAN_PREFECTURES,
    SINGLE_NAME_COUNTRIES,
    SISTER_COUNTRIES,
    SPORTS,
    URBAN_PREFECTURES,
    WITHDRAWN_SHARE,
)
from jet_match.dataset.places import DESIGNATED_CITIES, MunicipalityKind, municipalities
from jet_match.dataset.reference import PREFECTURES

_T = TypeVar("_T")


class ScaleName(StrEnum):
    """The named sizes of `SCALES`."""

    DEMO = "demo"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Scale:
    """The size of a generated dataset."""

    participants: int
    organizations: int
    openings: int
    #: Open slots per shortlisted participant of each position (a little above 1).
    slot_ratio: float = 1.17


#: Named sizes: `demo` for the demo and tests, `national` for a whole placement year.
SCALES: dict[ScaleName, Scale] = {
    ScaleName.DEMO: Scale(participants=300, organizations=60, openings=110),
    ScaleName.NATIONAL: Scale(participants=5_933, organizations=1_000, openings=2_000),
}
#: The seed fixtures/demo.json was generated with (and the CLI's default seed).
DEMO_SEED = 1
#: The programme year the named scales' contracts in post decide for.
PROGRAMME_YEAR = 2026


# --- drawing helpers ------------------------------------------------------------------


def _weighted(rng: random.Random, items: Sequence[tuple[_T, float]]) -> _T:
    values = [item for item, _ in items]
    weights = [weight for _, weight in items]
    return rng.choices(values, weights=weights, k=1)[0]


def _weighted_sample(
    rng: random.Random, values: Sequence[_T], weights: Sequence[float], k: int
) -> list[_T]:
    """k distinct values, each drawn with probability proportional to its weight."""
    keyed = sorted(
        ((rng.random() ** (1.0 / weight), index) for index, weight in enumerate(weights)),
        reverse=True,
    )
    return [values[index] for _, index in keyed[:k]]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; ties by position)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))
    return "-".join(kept.lower().replace("-", " ").split())


# --- organizations --------------------------------------------------------------------


@dataclass(slots=True)
class _Org:
    """An organization while it is being built, with what openings need to know."""

    external_id: str
    name: str
    name_ja: str | None
    kind: OrganizationKind
    prefecture: int
    area_type: AreaType
    medical_access: bool
    sister_regions: list[str]
    alt_weight: float
    cir_weight: float

    def record(self) -> Organization:
        return Organization(
            external_id=self.external_id,
            name=self.name,
            name_ja=self.name_ja,
            kind=self.kind,
            prefecture=self.prefecture,
            area_type=self.area_type,
            medical_access=self.medical_access,
            sister_regions=self.sister_regions,
        )


def _sister_regions(rng: random.Random, chance: float) -> list[str]:
    if rng.random() >= chance:
        return []
    country = _weighted(rng, SISTER_COUNTRIES)
    regions = HOME_REGIONS.get(country)
    return [_weighted(rng, regions) if regions else country]


def _prefecture_board_name(code: int, romaji: str) -> str:
    if code == 1:
        return "Hokkaido Board of Education"
    if code == 13:
        return "Tokyo Metropolitan Board of Education"
    return f"{romaji} Prefectural Board of Education"


def _organizations(rng: random.Random, count: int) -> list[_Org]:
    if count >= 200:
        n_prefectures, n_cities = len(PREFECTURES), len(DESIGNATED_CITIES)
    else:
        n_prefectures = max(1, count // 6)
        n_cities = min(len(DESIGNATED_CITIES), count // 12)
    n_private = round(count * 0.03)
    n_municipalities = max(0, count - n_prefectures - n_cities - n_private)

    orgs: list[_Org] = []

    def add(**fields: Any) -> None:
        area: AreaType = fields["area_type"]
        orgs.append(
            _Org(
                external_id=f"CO-{len(orgs) + 1:04d}",
                medical_access=rng.random() < MEDICAL_BY_AREA[area],
                **fields,
            )
        )

    # A small dataset keeps the prefectures people ask for most, so its preferences bite.
    weights = [POPULARITY.get(p.code, DEFAULT_POPULARITY) for p in PREFECTURES]
    chosen_prefectures = _weighted_sample(rng, PREFECTURES, weights, n_prefectures)
    for pref in sorted(chosen_prefectures, key=lambda p: p.code):
        area = (
            AreaType.URBAN
            if pref.code in URBAN_PREFECTURES
            else AreaType.SEMI_URBAN
            if pref.code in SEMI_URBAN_PREFECTURES
            else AreaType.RURAL
        )
        ties = list(PREFECTURE_SISTER_REGIONS.get(pref.code, ())) or _sister_regions(rng, 0.4)
        add(
            name=_prefecture_board_name(pref.code, pref.romaji),
            name_ja=f"{pref.kanji}教育委員会",
            kind=OrganizationKind.PREFECTURE,
            prefecture=pref.code,
            area_type=area,
            sister_regions=ties,
            alt_weight=7.0,
            cir_weight=6.0,
        )
    for city in sorted(rng.sample(DESIGNATED_CITIES, n_cities), key=lambda c: c.prefecture):
        add(
            name=f"{city.romaji} City",
            name_ja=city.kanji,
            kind=OrganizationKind.DESIGNATED_CITY,
            prefecture=city.prefecture,
            area_type=AreaType.URBAN,
            sister_regions=_sister_regions(rng, 0.6),
            alt_weight=9.0,
            cir_weight=3.0,
        )
    places = list(municipalities())
    chosen = sorted(rng.sample(range(len(places)), min(n_municipalities, len(places))))
    for index in chosen:
        place = places[index]
        if place.island:
            area, alt_weight, cir_weight = AreaType.REMOTE, 0.5, 0.05
        elif place.large or place.kind is MunicipalityKind.WARD:
            area, alt_weight, cir_weight = AreaType.URBAN, 3.0, 0.8
        elif place.kind is MunicipalityKind.CITY:
            area, alt_weight, cir_weight = AreaType.SEMI_URBAN, 1.5, 0.3
        elif place.kind is MunicipalityKind.TOWN:
            area, alt_weight, cir_weight = AreaType.RURAL, 0.8, 0.1
        else:
            area, alt_weight, cir_weight = AreaType.REMOTE, 0.5, 0.05
        add(
            name=place.english_name,
            name_ja=place.kanji,
            kind=OrganizationKind.MUNICIPALITY,
            prefecture=place.prefecture,
            area_type=area,
            sister_regions=_sister_regions(rng, 0.1 if area is AreaType.REMOTE else 0.35),
            alt_weight=alt_weight,
            cir_weight=cir_weight,
        )
    for number in range(n_private):
        pref = rng.choice(PREFECTURES)
        word = PRIVATE_SCHOOL_WORDS[number % len(PRIVATE_SCHOOL_WORDS)]
        add(
            name=f"{word} {rng.choice(PRIVATE_SCHOOL_KINDS)} ({pref.romaji})",
            name_ja=None,
            kind=OrganizationKind.PRIVATE_SCHOOL,
            prefecture=pref.code,
            area_type=rng.choice((AreaType.URBAN, AreaType.SEMI_URBAN)),
            sister_regions=_sister_regions(rng, 0.2),
            alt_weight=0.3,
            cir_weight=0.0,
        )
    return orgs


# --- participants ---------------------------------------------------------------------


def _citizenships(rng: random.Random, count: int) -> list[str]:
    per_country = _apportion(count, [float(n) for _, n in COUNTRY_COUNTS])
    citizenships = [
        code for (code, _), n in zip(COUNTRY_COUNTS, per_country, strict=True) for _ in range(n)
    ]
    rng.shuffle(citizenships)
    return citizenships


def _positions(rng: random.Random, citizenships: list[str]) -> list[Position]:
    count = len(citizenships)
    positions = [Position.ALT] * count
    # CIRs come disproportionately from countries whose language is not English.
    cir_weights = [1.0 if c in ENGLISH_SPEAKING else 12.0 for c in citizenships]
    for index in _weighted_sample(rng, range(count), cir_weights, round(count * CIR_SHARE)):
        positions[index] = Position.CIR
    rest = [i for i in range(count) if positions[i] is Position.ALT]
    for index in rng.sample(rest, min(len(rest), round(count * SEA_SHARE))):
        positions[index] = Position.SEA
    return positions


def _statuses(
    rng: random.Random, positions: list[Position]
) -> tuple[list[ParticipantStatus], list[int | None]]:
    statuses = [ParticipantStatus.SHORTLISTED] * len(positions)
    ranks: list[int | None] = [None] * len(positions)
    for position in Position:
        members = [i for i, p in enumerate(positions) if p is position]
        n_withdrawn = round(len(members) * WITHDRAWN_SHARE)
        n_alternates = round(len(members) * ALTERNATE_SHARE)
        picked = rng.sample(members, n_withdrawn + n_alternates)
        for index in picked[:n_withdrawn]:
            statuses[index] = ParticipantStatus.WITHDRAWN
        for rank, index in enumerate(picked[n_withdrawn:], start=1):
            statuses[index] = ParticipantStatus.ALTERNATE
            ranks[index] = rank
    return statuses, ranks


def _name(rng: random.Random, citizenship: str) -> tuple[str, str]:
    mix = NAME_MIX.get(citizenship)
    pool_name = _weighted(rng, mix) if mix else POOL_BY_COUNTRY.get(citizenship, "anglo")
    families, givens = NAME_POOLS[pool_name]
    family = rng.choice(families)
    if citizenship in SINGLE_NAME_COUNTRIES and rng.random() < 0.3:
        return family, ""
    return family, rng.choice(givens)


def _home_region(rng: random.Random, citizenship: str) -> str | None:
    regions = HOME_REGIONS.get(citizenship)
    if regions is not None and rng.random() < 0.9:
        return _weighted(rng, regions)
    return citizenship if rng.random() < 0.3 else None


def _preferred_prefectures(rng: random.Random) -> list[int]:
    codes = [p.code for p in PREFECTURES]
    weights = [POPULARITY.get(code, DEFAULT_POPULARITY) for code in codes]
    return _weighted_sample(rng, codes, weights, _weighted(rng, PREFERENCE_COUNTS))


def _participants(
    rng: random.Random, count: int, couple_share: float = COUPLED_SHARE
) -> list[dict[str, Any]]:
    citizenships = _citizenships(rng, count)
    positions = _positions(rng, citizenships)
    statuses, ranks = _statuses(rng, positions)
    people: list[dict[str, Any]] = []
    for index, (citizenship, position) in enumerate(zip(citizenships, positions, strict=True)):
        family, given = _name(rng, citizenship)
        number = index + 1
        local = ".".join(part for part in (_ascii_slug(given), _ascii_slug(family)) if part)
        domain = rng.choice(("example.org", "example.com"))
        drive_chance = 0.8 if citizenship in DRIVING_COUNTRIES else 0.6
        people.append(
            {
                "external_id": f"P-{number:05d}",
                "family_name": family,
                "given_name": given,
                "email": f"{local or 'applicant'}.{number}@{domain}",
                "citizenship": citizenship,
                "home_region": _home_region(rng, citizenship),
                "position": position,
                "status": statuses[index],
                "alternate_rank": ranks[index],
                "japanese_level": _weighted(rng, JAPANESE_BY_POSITION[position]),
                "teaching_experience_years": _weighted(rng, EXPERIENCE_YEARS),
                "can_drive": rng.random() < drive_chance,
                "preferred_prefectures": _preferred_prefectures(rng),
                "area_preference": _weighted(rng, AREA_PREFERENCES),
                "school_level_preference": (
                    _weighted(rng, ALT_SCHOOL_PREFERENCES)
                    if position is Position.ALT
                    else SchoolLevelPreference.ANY
                ),
                "needs_medical_access": rng.random() < 0.02,
                "sport": _weighted(rng, SPORTS) if position is Position.SEA else None,
                "partner": None,
            }
        )
    _form_couples(rng, people, round(count * couple_share / 2))
    return people


def _form_couples(rng: random.Random, people: list[dict[str, Any]], couples: int) -> None:
    """Pair shortlisted ALTs and CIRs into mutual couples who apply together."""
    free = [
        person
        for person in people
        if person["status"] is ParticipantStatus.SHORTLISTED
        and person["position"] is not Position.SEA
    ]
    for _ in range(couples):
        if len(free) < 2:
            return
        first = free.pop(rng.randrange(len(free)))
        same_position = [p for p in free if p["position"] is first["position"]]
        candidates = same_position if same_position and rng.random() < 0.85 else free
        second = candidates[rng.randrange(len(candidates))]
        free.remove(second)
        constraint = (
            PartnerConstraint.SAME_ORGANIZATION
            if rng.random() < 0.4
            else PartnerConstraint.SAME_PREFECTURE
        )
        # Couples apply together: same wishes, and often the same country.
        second["preferred_prefectures"] = list(first["preferred_prefectures"])
        second["area_preference"] = first["area_preference"]
        first["partner"] = {"external_id": second["external_id"], "constraint": constraint}
        second["partner"] = {"external_id": first["external_id"], "constraint": constraint}


# --- openings -------------------------------------------------------------------------


def _shortlisted(people: list[dict[str, Any]], position: Position) -> list[dict[str, Any]]:
    return [
        p
        for p in people
        if p["position"] is position and p["status"] is ParticipantStatus.SHORTLISTED
    ]


def _openings(
    rng: random.Random,
    orgs: list[_Org],
    people: list[dict[str, Any]],
    count: int,
    slot_ratio: float,
) -> list[Opening]:
    drafts: list[tuple[int, int, dict[str, Any]]] = []  # (org index, position order, fields)
    sea = _shortlisted(people, Position.SEA)
    cir = _shortlisted(people, Position.CIR)
    alt = _shortlisted(people, Position.ALT)
    slots = {pos: math.ceil(len(group) * slot_ratio) for pos, group in
             ((Position.ALT, alt), (Position.CIR, cir), (Position.SEA, sea))}  # fmt: skip
    org_indices = list(range(len(orgs)))
    host_weights = [org.cir_weight for org in orgs]
    has_hosts = any(weight > 0 for weight in host_weights)

    # SEA: one slot per opening, one sport each; every shortlisted SEA's sport is offered.
    sports = [p["sport"] for p in sea]
    sports += [_weighted(rng, SPORTS) for _ in range(slots[Position.SEA] - len(sports))]
    for sport in sports if has_hosts else []:
        host = rng.choices(org_indices, weights=host_weights, k=1)[0]
        drafts.append((host, 2, _office_opening(Position.SEA, 1, JapaneseLevel.NONE) | {
            "sport": sport,
        }))  # fmt: skip

    # CIR: mostly one slot, N2-N1 Japanese, some asking for one country's language.
    n_cir = min(slots[Position.CIR], max(1, round(slots[Position.CIR] / 1.1)))
    cir_slots = [1] * n_cir if slots[Position.CIR] and has_hosts else []
    for _ in range(slots[Position.CIR] - len(cir_slots) if cir_slots else 0):
        cir_slots[rng.randrange(len(cir_slots))] += 1
    for n in cir_slots:
        host = rng.choices(org_indices, weights=host_weights, k=1)[0]
        level = JapaneseLevel.N1 if rng.random() < 0.35 else JapaneseLevel.N2
        fields = _office_opening(Position.CIR, n, level)
        if cir and rng.random() < 0.45:
            country = rng.choice(cir)["citizenship"]
            fields["requested_countries"] = [country]
            fields["country_required"] = rng.random() < (
                0.15 if country in ENGLISH_SPEAKING else 0.6
            )
        drafts.append((host, 1, fields))

    # ALT: every organization takes ALTs; big ones have several openings and many slots.
    n_alt = max(0, min(slots[Position.ALT], count - len(drafts)))
    if n_alt >= len(orgs):
        alt_orgs = org_indices + rng.choices(
            org_indices, weights=[o.alt_weight for o in orgs], k=n_alt - len(orgs)
        )
    else:
        alt_orgs = _weighted_sample(rng, org_indices, [o.alt_weight for o in orgs], n_alt)
    alt_orgs.sort()
    weights = [orgs[i].alt_weight * rng.uniform(0.6, 1.4) for i in alt_orgs]
    extra = _apportion(slots[Position.ALT] - n_alt, weights)
    seen_at_org: dict[int, int] = {}
    for org_index, more in zip(alt_orgs, extra, strict=True):
        org = orgs[org_index]
        nth = seen_at_org.get(org_index, rng.randrange(3))
        seen_at_org[org_index] = nth + 1
        cycle = SCHOOL_CYCLES[org.kind]
        requested: list[str] = []
        if rng.random() < 0.08:
            tie = org.sister_regions[0].split("-")[0] if org.sister_regions else None
            requested = [tie if tie else _weighted(rng, ALT_REQUESTED)]
        drafts.append(
            (
                org_index,
                0,
                {
                    "position": Position.ALT,
                    "slots": min(500, 1 + more),
                    "school_level": cycle[nth % len(cycle)],
                    "min_japanese_level": _weighted(rng, ALT_MIN_JAPANESE),
                    "driving_required": rng.random() < DRIVING_BY_AREA[org.area_type],
                    "requested_countries": requested,
                    "prefers_experience": rng.random() < 0.2,
                    "status": "cancelled" if rng.random() < 0.01 else "open",
                },
            )
        )

    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    return [
        Opening(external_id=f"OP-{n:05d}", organization=orgs[org].external_id, **fields)
        for n, (org, _, fields) in enumerate(drafts, start=1)
    ]


def _office_opening(position: Position, slots: int, level: JapaneseLevel) -> dict[str, Any]:
    return {
        "position": position,
        "slots": slots,
        "school_level": SchoolLevel.OFFICE,
        "min_japanese_level": level,
    }


# --- contracts in post (the season) -----------------------------------------------------

#: The share of JETs in post in each year of the programme (1-5), and how many of them
#: reappoint: about six in ten overall; nobody stays past the fifth year.
YEARS_IN_PROGRAMME: tuple[tuple[int, float, float], ...] = (
    (1, 35, 0.72),
    (2, 28, 0.65),
    (3, 20, 0.55),
    (4, 10, 0.45),
    (5, 7, 0.0),
)
#: The share of JETs who have not decided yet when the ledger is read.
UNDECIDED_SHARE = 0.06
FIELDS_OF_STUDY: tuple[tuple[str | None, float], ...] = (
    ("English Literature", 14), ("Education", 14), ("Linguistics", 10),
    ("Japanese Studies", 10), ("History", 8), ("International Relations", 8),
    ("Psychology", 6), ("Business", 6), ("Biology", 4), ("Music", 3), (None, 17),
)  # fmt: skip


def _contracts(
    rng: random.Random, openings: list[Opening], programme_year: int
) -> tuple[list[Opening], list[Contract]]:
    """The JETs in post at every open opening, deciding for `programme_year`, and the
    openings with their `posts`: each opening's slots are exactly the places the ledger
    leaves (posts - reappointing - undecided), so applying the demand changes nothing."""
    citizenships = _citizenships(rng, sum(math.ceil(o.slots * 2.6) for o in openings))
    years = [(year, weight) for year, weight, _ in YEARS_IN_PROGRAMME]
    stay_chance = {year: chance for year, _, chance in YEARS_IN_PROGRAMME}
    with_posts: list[Opening] = []
    contracts: list[Contract] = []
    for opening in openings:
        if opening.status != "open":
            with_posts.append(opening)
            continue
        in_post = max(1, round(opening.slots * rng.uniform(1.8, 3.2)))
        staying = 0
        for _ in range(in_post):
            year = _weighted(rng, years)
            draw = rng.random()
            if draw < stay_chance[year]:
                intention = Intention.REAPPOINTING
            elif year < 5 and draw < stay_chance[year] + UNDECIDED_SHARE:
                intention = Intention.UNDECIDED
            else:
                intention = Intention.LEAVING
            staying += intention is not Intention.LEAVING
            citizenship = citizenships.pop() if citizenships else "US"
            family, given = _name(rng, citizenship)
            started = date(programme_year - 1, 7, 24) + timedelta(days=rng.randrange(0, 40))
            contracts.append(
                Contract(
                    external_id=f"C-{len(contracts) + 1:05d}",
                    family_name=family,
                    given_name=given,
                    citizenship=citizenship,
                    position=opening.position,
                    organization=opening.organization,
                    opening=opening.external_id,
                    started_on=started,
                    ends_on=date(programme_year, started.month, started.day) - timedelta(days=1),
                    year_in_programme=year,
                    japanese_level=_weighted(rng, JAPANESE_BY_POSITION[opening.position]),
                    field_of_study=_weighted(rng, FIELDS_OF_STUDY),
                    intention=intention,
                    intention_set_on=(
                        None
                        if intention is Intention.UNDECIDED
                        else date(programme_year - 1, 12, 1) + timedelta(days=rng.randrange(60))
                    ),
                )
            )
        posts = min(500, opening.slots + staying)
        with_posts.append(opening.model_copy(update={"posts": posts}))
    return with_posts, contracts


# --- the dataset ----------------------------------------------------------------------


def generate_dataset(
    *,
    participants: int,
    organizations: int,
    openings: int,
    seed: int,
    slot_ratio: float = 1.17,
    couple_share: float = COUPLED_SHARE,
    programme_year: int | None = None,
) -> Dataset:
    """A valid, realistic dataset of the given size; the same arguments give the same one.

    `couple_share` is the share of participants who apply as a couple (2 % by default;
    the solver benchmarks use 3 %). With `programme_year`, the dataset also holds the JETs
    in post (`contracts`, deciding for that year) and the openings' `posts`, drawn after
    everything else so that the other records stay the same.
    """
    if participants < 0 or organizations < 1 or openings < 0:
        raise ValueError("need participants >= 0, organizations >= 1 and openings >= 0")
    if not 0.0 <= couple_share <= 1.0:
        raise ValueError("need 0 <= couple_share <= 1")
    rng = random.Random(seed)  # noqa: S311 (reproducible fixtures, not secrets)
    orgs = _organizations(rng, organizations)
    people = _participants(rng, participants, couple_share)
    opening_records = _openings(rng, orgs, people, openings, slot_ratio)
    contracts: list[Contract] = []
    if programme_year is not None:
        opening_records, contracts = _contracts(rng, opening_records, programme_year)
    return Dataset(
        format="jet-match/dataset@1",
        organizations=[org.record() for org in orgs],
        openings=opening_records,
        participants=[Participant.model_validate(person) for person in people],
        contracts=contracts,
    )


def generate_scale(scale: ScaleName | str, *, seed: int) -> Dataset:
    """The `demo` or `national` dataset for a seed."""
    size = SCALES[ScaleName(scale)]
    return generate_dataset(
        participants=size.participants,
        organizations=size.organizations,
        openings=size.openings,
        seed=seed,
        slot_ratio=size.slot_ratio,
        programme_year=PROGRAMME_YEAR,
    )
