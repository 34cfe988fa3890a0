"""Host organizations: prefectures, designated cities, municipalities and private schools,
each with its sister regions and what it asks of its openings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from jet_match.dataset.format import AreaType, Organization, OrganizationKind
from jet_match.dataset.generator.draws import weighted_choice, weighted_sample
from jet_match.dataset.generator.tables import (
    DEFAULT_POPULARITY,
    HOME_REGIONS,
    MEDICAL_BY_AREA,
    POPULARITY,
    PREFECTURE_SISTER_REGIONS,
    PRIVATE_SCHOOL_KINDS,
    PRIVATE_SCHOOL_WORDS,
    SEMI_URBAN_PREFECTURES,
    SISTER_COUNTRIES,
    URBAN_PREFECTURES,
)
from jet_match.dataset.places import DESIGNATED_CITIES, MunicipalityKind, municipalities
from jet_match.dataset.reference import PREFECTURES


@dataclass(slots=True)
class Org:
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
    country = weighted_choice(rng, SISTER_COUNTRIES)
    regions = HOME_REGIONS.get(country)
    return [weighted_choice(rng, regions) if regions else country]


def _prefecture_board_name(code: int, romaji: str) -> str:
    if code == 1:
        return "Hokkaido Board of Education"
    if code == 13:
        return "Tokyo Metropolitan Board of Education"
    return f"{romaji} Prefectural Board of Education"


def draw_organizations(rng: random.Random, count: int) -> list[Org]:
    if count >= 200:
        n_prefectures, n_cities = len(PREFECTURES), len(DESIGNATED_CITIES)
    else:
        n_prefectures = max(1, count // 6)
        n_cities = min(len(DESIGNATED_CITIES), count // 12)
    n_private = round(count * 0.03)
    n_municipalities = max(0, count - n_prefectures - n_cities - n_private)

    orgs: list[Org] = []

    def add(**fields: Any) -> None:
        area: AreaType = fields["area_type"]
        orgs.append(
            Org(
                external_id=f"CO-{len(orgs) + 1:04d}",
                medical_access=rng.random() < MEDICAL_BY_AREA[area],
                **fields,
            )
        )

    # A small dataset keeps the prefectures people ask for most, so its preferences bite.
    weights = [POPULARITY.get(p.code, DEFAULT_POPULARITY) for p in PREFECTURES]
    chosen_prefectures = weighted_sample(rng, PREFECTURES, weights, n_prefectures)
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
