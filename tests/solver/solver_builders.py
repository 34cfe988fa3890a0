"""Hand-built solver inputs for the tests: a few organizations, openings and people."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from jet_match.solver import (
    AreaPreference,
    AreaType,
    Instance,
    Opening,
    Organization,
    Participant,
    Position,
    Problem,
    SchoolLevel,
    SchoolLevelPreference,
)
from jet_match.solver.side.problem import SideProblem, build_side


def org(external_id: str = "G1", prefecture: int = 13, **changes: Any) -> Organization:
    """An urban organization in `prefecture` (Tokyo by default)."""
    base = Organization(external_id, prefecture, AreaType.URBAN, medical_access=True)
    return replace(base, **changes)


def opening(external_id: str = "O1", organization: str = "G1", **changes: Any) -> Opening:
    """An open one-slot ALT opening at a junior high school."""
    base = Opening(external_id, organization, Position.ALT, 1, SchoolLevel.JUNIOR_HIGH)
    return replace(base, **changes)


def person(external_id: str = "P1", **changes: Any) -> Participant:
    """A shortlisted US ALT with no preferences."""
    base = Participant(
        external_id,
        "US",
        Position.ALT,
        area_preference=AreaPreference.ANY,
        school_level_preference=SchoolLevelPreference.ANY,
    )
    return replace(base, **changes)


def problem(
    orgs: list[Organization], openings: list[Opening], people: list[Participant], **changes: Any
) -> Problem:
    """A problem of these records."""
    return Problem(tuple(orgs), tuple(openings), tuple(people), **changes)


def couple(a: Participant, b: Participant, constraint: Any) -> tuple[Participant, Participant]:
    """The two as partners with `constraint`."""
    return (
        replace(a, partner=b.external_id, partner_constraint=constraint),
        replace(b, partner=a.external_id, partner_constraint=constraint),
    )


def whole_side(inst: Instance) -> SideProblem:
    """The side problem of an instance without pins as `solve` builds it: every pair
    admissible, the open slots, the caps' room (when the problem has caps)."""
    t = inst.tables
    capacity = np.where(inst.in_scope & t.o_open, t.o_slots, 0)
    cap_left = None
    if inst.cap_of_prefecture is not None:
        countries = len(t.country_codes) + 1
        cap_left = np.tile(inst.cap_of_prefecture, countries).astype(np.int64)
    everything = np.ones(len(inst.pair_p), dtype=np.bool_)
    nobody = np.zeros(t.n_participants, dtype=np.bool_)
    return build_side(inst, everything, capacity, inst.profit(), cap_left, nobody)
