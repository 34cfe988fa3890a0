"""Hand-built solver inputs for the tests: a few organizations, openings and people."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from jet_match.solver import (
    AreaPreference,
    AreaType,
    Opening,
    Organization,
    Participant,
    Position,
    Problem,
    SchoolLevel,
    SchoolLevelPreference,
)


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
