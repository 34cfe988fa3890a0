"""A quick synthetic national-scale `Problem` for solver development (not the fixtures).

The recorded benchmarks use `jet-match fixtures generate`; this builds solver inputs
directly, in a second, to iterate on the engines.
"""

from __future__ import annotations

import numpy as np

from jet_match.solver.problem import (
    AreaPreference,
    AreaType,
    Assignment,
    Opening,
    Organization,
    Participant,
    PartnerConstraint,
    Position,
    Problem,
    SchoolLevel,
    SchoolLevelPreference,
)

COUNTRIES = ["US", "GB", "CA", "AU", "NZ", "IE", "ZA", "JM", "PH", "IN", "SG", "TT", "FR", "DE"]
SHARES = [0.45, 0.12, 0.12, 0.07, 0.05, 0.04, 0.03, 0.03, 0.03, 0.02, 0.01, 0.01, 0.01, 0.01]


def national(
    scale: float = 1.0, seed: int = 1, couples: float = 0.0, cap: float | None = None
) -> Problem:
    """About 6,000 x scale participants, 1,000 x scale organizations, 6,500 x scale slots."""
    rng = np.random.default_rng(seed)
    n_org, n_people = int(1000 * scale), int(6000 * scale)
    shares = np.asarray(SHARES) / sum(SHARES)
    orgs = tuple(
        Organization(
            f"ORG-{g:05d}",
            int(rng.integers(1, 48)),
            AreaType(int(rng.integers(0, 4))),
            bool(rng.random() < 0.8),
            tuple(
                sorted(
                    {str(rng.choice(COUNTRIES, p=shares)) for _ in range(int(rng.integers(0, 3)))}
                )
            ),
        )
        for g in range(n_org)
    )
    openings = []
    slots_left = int(6500 * scale)
    j = 0
    while slots_left > 0:
        org = orgs[int(rng.integers(0, n_org))]
        roll = rng.random()
        position = Position.ALT if roll < 0.9 else Position.CIR if roll < 0.99 else Position.SEA
        slots = (
            int(min(slots_left, rng.choice([1, 1, 2, 3, 4, 6]))) if position == Position.ALT else 1
        )
        slots_left -= slots
        openings.append(
            Opening(
                f"OPN-{j:06d}",
                org.external_id,
                position,
                slots,
                SchoolLevel(int(rng.integers(0, 4)))
                if position == Position.ALT
                else SchoolLevel.OFFICE,
                min_japanese_level=int(rng.choice([0, 0, 0, 1, 2]))
                if position == Position.ALT
                else 3,
                driving_required=bool(rng.random() < 0.08),
                requested_countries=tuple(sorted({str(rng.choice(COUNTRIES, p=shares))}))
                if rng.random() < 0.3
                else (),
                country_required=bool(rng.random() < 0.02),
                prefers_experience=bool(rng.random() < 0.2),
                sport="baseball" if position == Position.SEA else None,
            )
        )
        j += 1
    people = []
    for i in range(n_people):
        roll = rng.random()
        position = Position.ALT if roll < 0.9 else Position.CIR if roll < 0.99 else Position.SEA
        people.append(
            Participant(
                f"P-{i:06d}",
                str(rng.choice(COUNTRIES, p=shares)),
                position,
                japanese_level=int(
                    rng.choice([0, 1, 2, 3, 4, 5], p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
                )
                if position == Position.ALT
                else int(rng.integers(3, 6)),
                teaching_experience_years=int(rng.integers(0, 6)),
                can_drive=bool(rng.random() < 0.7),
                preferred_prefectures=tuple(
                    int(x) for x in rng.choice(np.arange(1, 48), 3, replace=False)
                ),
                area_preference=AreaPreference(int(rng.integers(0, 4))),
                school_level_preference=SchoolLevelPreference(int(rng.integers(0, 4))),
                needs_medical_access=bool(rng.random() < 0.03),
                sport="baseball" if position == Position.SEA else None,
            )
        )
    n_couples = int(n_people * couples / 2)
    alts = [i for i, p in enumerate(people) if p.position == Position.ALT]
    chosen = rng.choice(alts, 2 * n_couples, replace=False)
    for k in range(n_couples):
        a, b = int(chosen[2 * k]), int(chosen[2 * k + 1])
        constraint = PartnerConstraint(int(rng.integers(0, 2)))
        people[a] = _with_partner(people[a], people[b].external_id, constraint)
        people[b] = _with_partner(people[b], people[a].external_id, constraint)
    return Problem(orgs, tuple(openings), tuple(people), max_country_share_per_prefecture=cap)


def _with_partner(p: Participant, partner: str, constraint: PartnerConstraint) -> Participant:
    from dataclasses import replace

    return replace(p, partner=partner, partner_constraint=constraint)


def previous_from(problem: Problem, plan: list[tuple[str, str]]) -> Problem:
    """The same problem with `plan` as its previous plan."""
    from dataclasses import replace

    return replace(problem, previous_plan=tuple(Assignment(p, o) for p, o in plan))
