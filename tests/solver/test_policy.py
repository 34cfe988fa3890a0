"""Each eligibility rule and each score term alone, on hand-built records."""

from __future__ import annotations

from typing import Any

import pytest
from solver_builders import opening, org, person, problem

from jet_match.solver import (
    AreaPreference,
    AreaType,
    Assignment,
    ParticipantStatus,
    Position,
    SchoolLevel,
    SchoolLevelPreference,
    Weights,
    pair_report,
)


def report(
    person_changes: dict[str, Any] | None = None,
    opening_changes: dict[str, Any] | None = None,
    org_changes: dict[str, Any] | None = None,
    **problem_changes: Any,
) -> Any:
    pb = problem(
        [org(**(org_changes or {}))],
        [opening(**(opening_changes or {}))],
        [person(**(person_changes or {}))],
        **problem_changes,
    )
    return pair_report(pb, "P1", "O1")


class TestEligibility:
    def test_a_plain_pair_is_eligible(self) -> None:
        assert report().eligible

    @pytest.mark.parametrize(
        ("rule", "person_changes", "opening_changes", "org_changes"),
        [
            ("same_position", {"position": Position.CIR}, {}, {}),
            ("participant_not_withdrawn", {"status": ParticipantStatus.WITHDRAWN}, {}, {}),
            ("japanese_level", {"japanese_level": 2}, {"min_japanese_level": 3}, {}),
            ("driving", {"can_drive": False}, {"driving_required": True}, {}),
            ("medical_access", {"needs_medical_access": True}, {}, {"medical_access": False}),
            (
                "required_country",
                {"citizenship": "GB"},
                {"requested_countries": ("US",), "country_required": True},
                {},
            ),
            ("sport", {"sport": "judo"}, {"sport": "baseball"}, {}),
            ("opening_open", {}, {"is_open": False}, {}),
        ],
    )
    def test_each_rule_alone_excludes_the_pair(
        self,
        rule: str,
        person_changes: dict[str, Any],
        opening_changes: dict[str, Any],
        org_changes: dict[str, Any],
    ) -> None:
        result = report(person_changes, opening_changes, org_changes)
        assert not result.eligible
        assert result.failed_rules == (rule,)

    def test_a_forbidden_pair_is_not_eligible(self) -> None:
        result = report(forbidden=(Assignment("P1", "O1"),))
        assert result.failed_rules == ("not_forbidden",)

    def test_the_rule_holds_when_its_condition_is_met(self) -> None:
        assert report({"japanese_level": 3}, {"min_japanese_level": 3}).eligible
        assert report({"can_drive": True}, {"driving_required": True}).eligible
        assert report({"sport": "judo"}, {"sport": "judo"}).eligible
        assert report({}, {"requested_countries": ("US",), "country_required": True}).eligible


class TestScoreTerms:
    @pytest.mark.parametrize(
        ("preferences", "expected"),
        [((13, 1, 2), 100), ((1, 13, 2), 80), ((1, 2, 13), 60), ((11,), 20), ((1,), 0), ((), 0)],
    )
    def test_location(self, preferences: tuple[int, ...], expected: int) -> None:
        assert report({"preferred_prefectures": preferences}).breakdown["location"] == expected

    @pytest.mark.parametrize(
        ("preference", "area", "expected"),
        [
            (AreaPreference.ANY, AreaType.REMOTE, 15),
            (AreaPreference.RURAL, AreaType.RURAL, 30),
            (AreaPreference.RURAL, AreaType.REMOTE, 10),
            (AreaPreference.URBAN, AreaType.RURAL, 0),
        ],
    )
    def test_area(self, preference: AreaPreference, area: AreaType, expected: int) -> None:
        result = report({"area_preference": preference}, {}, {"area_type": area})
        assert result.breakdown["area"] == expected

    @pytest.mark.parametrize(
        ("preference", "level", "expected"),
        [
            (SchoolLevelPreference.ANY, SchoolLevel.OFFICE, 0),
            (SchoolLevelPreference.ELEMENTARY, SchoolLevel.ELEMENTARY, 20),
            (SchoolLevelPreference.ANY, SchoolLevel.ELEMENTARY, 10),
            (SchoolLevelPreference.SENIOR_HIGH, SchoolLevel.MIXED, 10),
            (SchoolLevelPreference.SENIOR_HIGH, SchoolLevel.ELEMENTARY, 0),
        ],
    )
    def test_school(
        self, preference: SchoolLevelPreference, level: SchoolLevel, expected: int
    ) -> None:
        result = report({"school_level_preference": preference}, {"school_level": level})
        assert result.breakdown["school"] == expected

    def test_requested_country(self) -> None:
        assert report({}, {"requested_countries": ("US",)}).breakdown["requested_country"] == 40
        assert report({}, {"requested_countries": ("GB",)}).breakdown["requested_country"] == 0

    def test_sister_region_by_country_or_home_region(self) -> None:
        assert report({}, {}, {"sister_regions": ("US",)}).breakdown["sister_region"] == 25
        by_home = report({"home_region": "US-WA"}, {}, {"sister_regions": ("US-WA",)})
        assert by_home.breakdown["sister_region"] == 25
        other = report({"home_region": "US-CA"}, {}, {"sister_regions": ("US-WA",)})
        assert other.breakdown["sister_region"] == 0

    def test_experience(self) -> None:
        wanted = {"prefers_experience": True}
        assert report({"teaching_experience_years": 2}, wanted).breakdown["experience"] == 15
        assert report({"teaching_experience_years": 1}, wanted).breakdown["experience"] == 0
        assert report({"teaching_experience_years": 5}).breakdown["experience"] == 0

    def test_japanese_is_capped(self) -> None:
        assert report({"japanese_level": 3}, {"min_japanese_level": 1}).breakdown["japanese"] == 10
        assert report({"japanese_level": 5}).breakdown["japanese"] == 20

    def test_weights_can_be_overridden(self) -> None:
        weights = Weights(preference_1=7, area_any=0, school_flexible=0)
        result = report({"preferred_prefectures": (13,)}, weights=weights)
        assert result.breakdown["location"] == 7
        assert result.score == 7


def test_the_worked_example_of_docs_scoring() -> None:
    result = report(
        {
            "japanese_level": 4,
            "teaching_experience_years": 3,
            "preferred_prefectures": (15, 20, 13),
            "area_preference": AreaPreference.RURAL,
            "school_level_preference": SchoolLevelPreference.JUNIOR_HIGH,
            "home_region": "US-WA",
        },
        {"min_japanese_level": 2, "requested_countries": ("US",), "prefers_experience": True},
        {"prefecture": 20, "area_type": AreaType.RURAL, "sister_regions": ("US-WA",)},
    )
    assert result.score == 220
    assert result.breakdown["location"] == 80
