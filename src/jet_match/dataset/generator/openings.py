"""Openings: each organization's positions and slots, apportioned to the shortlisted
participants of each position."""

from __future__ import annotations

import math
import random
from typing import Any

from jet_match.dataset.format import (
    JapaneseLevel,
    Opening,
    ParticipantStatus,
    Position,
    SchoolLevel,
)
from jet_match.dataset.generator.draws import apportion, weighted_choice, weighted_sample
from jet_match.dataset.generator.organizations import Org
from jet_match.dataset.generator.tables import (
    ALT_MIN_JAPANESE,
    ALT_REQUESTED,
    DRIVING_BY_AREA,
    ENGLISH_SPEAKING,
    SCHOOL_CYCLES,
    SPORTS,
)


def _shortlisted(people: list[dict[str, Any]], position: Position) -> list[dict[str, Any]]:
    return [
        p
        for p in people
        if p["position"] is position and p["status"] is ParticipantStatus.SHORTLISTED
    ]


def draw_openings(
    rng: random.Random,
    orgs: list[Org],
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
    sports += [weighted_choice(rng, SPORTS) for _ in range(slots[Position.SEA] - len(sports))]
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
        alt_orgs = weighted_sample(rng, org_indices, [o.alt_weight for o in orgs], n_alt)
    alt_orgs.sort()
    weights = [orgs[i].alt_weight * rng.uniform(0.6, 1.4) for i in alt_orgs]
    extra = apportion(slots[Position.ALT] - n_alt, weights)
    seen_at_org: dict[int, int] = {}
    for org_index, more in zip(alt_orgs, extra, strict=True):
        org = orgs[org_index]
        nth = seen_at_org.get(org_index, rng.randrange(3))
        seen_at_org[org_index] = nth + 1
        cycle = SCHOOL_CYCLES[org.kind]
        requested: list[str] = []
        if rng.random() < 0.08:
            tie = org.sister_regions[0].split("-")[0] if org.sister_regions else None
            requested = [tie if tie else weighted_choice(rng, ALT_REQUESTED)]
        drafts.append(
            (
                org_index,
                0,
                {
                    "position": Position.ALT,
                    "slots": min(500, 1 + more),
                    "school_level": cycle[nth % len(cycle)],
                    "min_japanese_level": weighted_choice(rng, ALT_MIN_JAPANESE),
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
