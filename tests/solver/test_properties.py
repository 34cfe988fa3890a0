"""Invariants on random tiny problems, and optimality against an independent brute force.

The brute force re-implements the published policy from DESIGN.md section 3 with plain
Python on one pair at a time (no numpy, no solver code), enumerates every plan, and
keeps the lexicographic best: most placed, then the highest score minus disruption.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jet_match.solver import (
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
    Status,
    check_plan,
    solve,
)
from jet_match.solver.problem import STANDARD_REGIONS

COUNTRIES = ("US", "GB")


@st.composite
def problems(draw: st.DrawFn, max_people: int = 6) -> Problem:
    orgs = tuple(
        Organization(
            f"G{g}",
            draw(st.sampled_from((13, 14, 1))),
            draw(st.sampled_from(list(AreaType))),
            draw(st.booleans()),
            draw(st.sampled_from(((), ("US",), ("GB", "US-WA")))),
        )
        for g in range(draw(st.integers(1, 3)))
    )
    openings = tuple(
        Opening(
            f"O{j}",
            draw(st.sampled_from([o.external_id for o in orgs])),
            Position.ALT,
            draw(st.integers(1, 2)),
            draw(st.sampled_from(list(SchoolLevel))),
            min_japanese_level=draw(st.integers(0, 2)),
            driving_required=draw(st.booleans()),
            requested_countries=draw(st.sampled_from(((), ("US",), ("GB",)))),
            country_required=draw(st.booleans()),
            prefers_experience=draw(st.booleans()),
        )
        for j in range(draw(st.integers(1, 3)))
    )
    people = [
        Participant(
            f"P{i}",
            draw(st.sampled_from(COUNTRIES)),
            Position.ALT,
            japanese_level=draw(st.integers(0, 5)),
            teaching_experience_years=draw(st.integers(0, 3)),
            can_drive=draw(st.booleans()),
            preferred_prefectures=tuple(
                draw(st.lists(st.sampled_from((13, 14, 1, 47)), max_size=3, unique=True))
            ),
            area_preference=draw(st.sampled_from(list(AreaPreference))),
            school_level_preference=draw(st.sampled_from(list(SchoolLevelPreference))),
            needs_medical_access=draw(st.booleans()),
            home_region=draw(st.sampled_from((None, "US-WA"))),
        )
        for i in range(draw(st.integers(1, max_people)))
    ]
    if len(people) >= 2 and draw(st.booleans()):
        constraint = draw(st.sampled_from(list(PartnerConstraint)))
        people[0] = replace(people[0], partner="P1", partner_constraint=constraint)
        people[1] = replace(people[1], partner="P0", partner_constraint=constraint)
    pairs = [Assignment(p.external_id, o.external_id) for p in people for o in openings]
    pins = tuple(draw(st.lists(st.sampled_from(pairs), max_size=1)))
    forbidden = tuple(draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)))
    previous = {a.participant: a for a in draw(st.lists(st.sampled_from(pairs), max_size=3))}
    return Problem(
        orgs,
        openings,
        tuple(people),
        max_country_share_per_prefecture=draw(st.sampled_from((None, 0.5, 0.34))),
        pins=pins,
        forbidden=forbidden,
        previous_plan=tuple(previous.values()),
    )


def _score(pb: Problem, p: Participant, o: Opening) -> int | None:
    """The published policy for one pair: None when ineligible."""
    g = next(x for x in pb.organizations if x.external_id == o.organization)
    w = pb.weights
    if (
        p.position != o.position
        or p.japanese_level < o.min_japanese_level
        or (o.driving_required and not p.can_drive)
        or (p.needs_medical_access and not g.medical_access)
        or (o.country_required and p.citizenship not in o.requested_countries)
        or not o.is_open
        or Assignment(p.external_id, o.external_id) in pb.forbidden
    ):
        return None
    prefs = list(p.preferred_prefectures)
    if g.prefecture in prefs:
        location = (w.preference_1, w.preference_2, w.preference_3)[prefs.index(g.prefecture)]
    elif STANDARD_REGIONS[g.prefecture] in {STANDARD_REGIONS[x] for x in prefs}:
        location = w.same_region
    else:
        location = 0
    if p.area_preference == AreaPreference.ANY:
        area = w.area_any
    elif p.area_preference.name == g.area_type.name:
        area = w.area_match
    elif abs(AreaType[p.area_preference.name] - g.area_type) == 1:
        area = w.area_adjacent
    else:
        area = 0
    if o.school_level == SchoolLevel.OFFICE:
        school = 0
    elif o.school_level.name == p.school_level_preference.name:
        school = w.school_match
    elif (
        p.school_level_preference == SchoolLevelPreference.ANY
        or o.school_level == SchoolLevel.MIXED
    ):
        school = w.school_flexible
    else:
        school = 0
    country = w.requested_country if p.citizenship in o.requested_countries else 0
    sister = w.sister_region if {p.citizenship, p.home_region} & set(g.sister_regions) else 0
    experience = w.experience if o.prefers_experience and p.teaching_experience_years >= 2 else 0
    japanese = min(w.japanese_per_level * (p.japanese_level - o.min_japanese_level), w.japanese_cap)
    return location + area + school + country + sister + experience + japanese


def brute_force(pb: Problem) -> tuple[int, int] | None:
    """(placed, score - disruption) of the best plan, None when no plan keeps the pins."""
    org_of = {
        o.external_id: next(g for g in pb.organizations if g.external_id == o.organization)
        for o in pb.openings
    }
    people = sorted(pb.participants, key=lambda p: p.external_id)
    options: list[list[Opening | None]] = [
        [None, *(o for o in pb.openings if _score(pb, p, o) is not None)] for p in people
    ]
    pins = {a.participant: a.opening for a in pb.pins}
    previous = {a.participant: a.opening for a in pb.previous_plan}
    slots_by_prefecture: dict[int, int] = {}
    for o in pb.openings:
        slots_by_prefecture[org_of[o.external_id].prefecture] = (
            slots_by_prefecture.get(org_of[o.external_id].prefecture, 0) + o.slots
        )
    best: tuple[int, int] | None = None
    for choice in product(*options):
        plan = {p.external_id: o for p, o in zip(people, choice, strict=True)}
        if any(plan[p] is None or plan[p].external_id != o for p, o in pins.items()):  # type: ignore[union-attr]
            continue
        load: dict[str, int] = {}
        for chosen in choice:
            if chosen is not None:
                load[chosen.external_id] = load.get(chosen.external_id, 0) + 1
        if any(load.get(o.external_id, 0) > o.slots for o in pb.openings):
            continue
        ok = True
        for p in people:
            if p.partner is None:
                continue
            a, b = plan[p.external_id], plan[p.partner]
            if (a is None) != (b is None):
                ok = False
            elif a is not None and b is not None:
                ga, gb = org_of[a.external_id], org_of[b.external_id]
                same = (
                    ga.external_id == gb.external_id
                    if p.partner_constraint == PartnerConstraint.SAME_ORGANIZATION
                    else ga.prefecture == gb.prefecture
                )
                ok = ok and same
        if pb.max_country_share_per_prefecture is not None:
            counts: dict[tuple[str, int], int] = {}
            for p in people:
                at = plan[p.external_id]
                if at is not None:
                    key = (p.citizenship, org_of[at.external_id].prefecture)
                    counts[key] = counts.get(key, 0) + 1
            for (_, prefecture), count in counts.items():
                cap = max(
                    1,
                    math.floor(
                        pb.max_country_share_per_prefecture * slots_by_prefecture[prefecture] + 1e-9
                    ),
                )
                ok = ok and count <= cap
        if not ok:
            continue
        placed = sum(o is not None for o in choice)
        score = sum(
            _score(pb, p, o) or 0 for p, o in zip(people, choice, strict=True) if o is not None
        )
        moved = sum(
            1 for p, o in previous.items() if (at := plan[p]) is None or at.external_id != o
        )
        value = (placed, score - pb.weights.disruption * moved)
        if best is None or value > best:
            best = value
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_optimal_equals_brute_force_and_every_hard_rule_holds(pb: Problem) -> None:
    result = solve(pb, time_limit_s=20)
    expected = brute_force(pb)
    if expected is None:
        assert result.status in (Status.INFEASIBLE, Status.TIMEOUT)
        return
    assert result.status == Status.OPTIMAL
    assert (result.objective.placed, result.objective.net) == expected
    assert result.bound is not None
    assert (result.bound.placed, result.bound.score) == expected
    plan = [Assignment(p.participant, p.opening) for p in result.placements]
    assert check_plan(pb, plan) == ()
    people = [p.participant for p in result.placements]
    assert len(people) == len(set(people))


@settings(max_examples=25, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_plan(pb: Problem, rng: random.Random) -> None:
    def shuffled(items: tuple[object, ...]) -> tuple[object, ...]:
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    shuffled_pb = replace(
        pb,
        organizations=shuffled(pb.organizations),  # type: ignore[arg-type]
        openings=shuffled(pb.openings),  # type: ignore[arg-type]
        participants=shuffled(pb.participants),  # type: ignore[arg-type]
        previous_plan=shuffled(pb.previous_plan),  # type: ignore[arg-type]
    )
    first, second = solve(pb, seed=3), solve(shuffled_pb, seed=3)
    assert first.placements == second.placements
    assert first.status == second.status
