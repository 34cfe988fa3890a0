"""Participants: citizenships, positions, statuses, names, home regions, preferences, and
the couples among them."""

from __future__ import annotations

import random
from typing import Any

from jet_match.dataset.format import (
    ParticipantStatus,
    PartnerConstraint,
    Position,
    SchoolLevelPreference,
)
from jet_match.dataset.generator.draws import (
    apportion,
    ascii_slug,
    weighted_choice,
    weighted_sample,
)
from jet_match.dataset.generator.tables import (
    ALT_SCHOOL_PREFERENCES,
    ALTERNATE_SHARE,
    AREA_PREFERENCES,
    CIR_SHARE,
    COUNTRY_COUNTS,
    COUPLED_SHARE,
    DEFAULT_POPULARITY,
    DRIVING_COUNTRIES,
    ENGLISH_SPEAKING,
    EXPERIENCE_YEARS,
    HOME_REGIONS,
    JAPANESE_BY_POSITION,
    NAME_MIX,
    NAME_POOLS,
    POOL_BY_COUNTRY,
    POPULARITY,
    PREFERENCE_COUNTS,
    SEA_SHARE,
    SINGLE_NAME_COUNTRIES,
    SPORTS,
    WITHDRAWN_SHARE,
)
from jet_match.dataset.reference import PREFECTURES


def draw_citizenships(rng: random.Random, count: int) -> list[str]:
    per_country = apportion(count, [float(n) for _, n in COUNTRY_COUNTS])
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
    for index in weighted_sample(rng, range(count), cir_weights, round(count * CIR_SHARE)):
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


def draw_name(rng: random.Random, citizenship: str) -> tuple[str, str]:
    mix = NAME_MIX.get(citizenship)
    pool_name = weighted_choice(rng, mix) if mix else POOL_BY_COUNTRY.get(citizenship, "anglo")
    families, givens = NAME_POOLS[pool_name]
    family = rng.choice(families)
    if citizenship in SINGLE_NAME_COUNTRIES and rng.random() < 0.3:
        return family, ""
    return family, rng.choice(givens)


def _home_region(rng: random.Random, citizenship: str) -> str | None:
    regions = HOME_REGIONS.get(citizenship)
    if regions is not None and rng.random() < 0.9:
        return weighted_choice(rng, regions)
    return citizenship if rng.random() < 0.3 else None


def _preferred_prefectures(rng: random.Random) -> list[int]:
    codes = [p.code for p in PREFECTURES]
    weights = [POPULARITY.get(code, DEFAULT_POPULARITY) for code in codes]
    return weighted_sample(rng, codes, weights, weighted_choice(rng, PREFERENCE_COUNTS))


def draw_participants(
    rng: random.Random, count: int, couple_share: float = COUPLED_SHARE
) -> list[dict[str, Any]]:
    citizenships = draw_citizenships(rng, count)
    positions = _positions(rng, citizenships)
    statuses, ranks = _statuses(rng, positions)
    people: list[dict[str, Any]] = []
    for index, (citizenship, position) in enumerate(zip(citizenships, positions, strict=True)):
        family, given = draw_name(rng, citizenship)
        number = index + 1
        local = ".".join(part for part in (ascii_slug(given), ascii_slug(family)) if part)
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
                "japanese_level": weighted_choice(rng, JAPANESE_BY_POSITION[position]),
                "teaching_experience_years": weighted_choice(rng, EXPERIENCE_YEARS),
                "can_drive": rng.random() < drive_chance,
                "preferred_prefectures": _preferred_prefectures(rng),
                "area_preference": weighted_choice(rng, AREA_PREFERENCES),
                "school_level_preference": (
                    weighted_choice(rng, ALT_SCHOOL_PREFERENCES)
                    if position is Position.ALT
                    else SchoolLevelPreference.ANY
                ),
                "needs_medical_access": rng.random() < 0.02,
                "sport": weighted_choice(rng, SPORTS) if position is Position.SEA else None,
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
