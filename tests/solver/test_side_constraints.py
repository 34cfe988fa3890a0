"""Each side constraint alone, infeasible problems naming their conflicts, and engines."""

from __future__ import annotations

from dataclasses import replace

from solver_builders import couple, opening, org, person, problem

from jet_match.solver import (
    Assignment,
    ParticipantStatus,
    PartnerConstraint,
    Problem,
    Status,
    check_plan,
    solve,
)


def placed(result: object) -> dict[str, str]:
    return {p.participant: p.opening for p in result.placements}  # type: ignore[attr-defined]


class TestFlowEngine:
    def test_places_the_most_people_before_score(self) -> None:
        # P1 scores higher at O1 but only P1 can take O2: both are placed.
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O2", "G2", driving_required=True)],
            [
                person("P1", can_drive=True, preferred_prefectures=(13,)),
                person("P2", preferred_prefectures=(13,)),
            ],
        )
        result = solve(pb)
        assert result.engine == "flow"
        assert result.status == Status.OPTIMAL
        assert placed(result) == {"P1": "O2", "P2": "O1"}
        assert result.bound is not None
        assert result.bound.placed == 2

    def test_higher_score_wins_a_single_slot(self) -> None:
        pb = problem(
            [org()],
            [opening()],
            [person("P1"), person("P2", preferred_prefectures=(13,))],
        )
        result = solve(pb)
        assert placed(result) == {"P2": "O1"}
        assert result.unplaced[0].participant == "P1"
        assert "full" in result.unplaced[0].reasons[0]

    def test_unplaced_without_eligible_opening_names_the_rules(self) -> None:
        pb = problem([org()], [opening(driving_required=True)], [person()])
        result = solve(pb)
        assert result.unplaced[0].excluded_by == {"driving": 1}

    def test_forbidden_pair_is_never_used(self) -> None:
        pb = problem([org()], [opening()], [person()], forbidden=(Assignment("P1", "O1"),))
        assert placed(solve(pb)) == {}

    def test_pins_are_kept_even_against_score(self) -> None:
        pb = problem(
            [org()],
            [opening()],
            [person("P1"), person("P2", preferred_prefectures=(13,))],
            pins=(Assignment("P1", "O1"),),
        )
        result = solve(pb)
        assert placed(result) == {"P1": "O1"}
        assert result.placements[0].pinned

    def test_disruption_keeps_previous_placements(self) -> None:
        # P1 would score 20 more at O2, but moving costs 50.
        pb = problem(
            [org("G1", 13), org("G2", 14)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [person("P1", preferred_prefectures=(14, 13))],
            previous_plan=(Assignment("P1", "O1"),),
        )
        assert placed(solve(pb)) == {"P1": "O1"}
        cheap = replace(pb, weights=replace(pb.weights, disruption=10))
        result = solve(cheap)
        assert placed(result) == {"P1": "O2"}
        assert result.objective.moved == 1
        assert result.objective.disruption == 10

    def test_alternates_and_withdrawn_are_not_placed(self) -> None:
        pb = problem(
            [org()],
            [opening(slots=3)],
            [
                person("P1", status=ParticipantStatus.ALTERNATE),
                person("P2", status=ParticipantStatus.WITHDRAWN),
                person("P3"),
            ],
        )
        assert placed(solve(pb)) == {"P3": "O1"}


class TestCouples:
    def test_same_organization(self) -> None:
        a, b = couple(
            person("A", preferred_prefectures=(13,)),
            person("B"),
            PartnerConstraint.SAME_ORGANIZATION,
        )
        pb = problem(
            [org("G1", 13), org("G2", 13)],
            [opening("O1", "G1"), opening("O2", "G2"), opening("O3", "G2")],
            [a, b],
        )
        result = solve(pb)
        assert result.engine == "mip"
        assert result.status == Status.OPTIMAL
        assert placed(result) == {"A": "O2", "B": "O3"} or placed(result) == {"A": "O3", "B": "O2"}

    def test_same_prefecture(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_PREFECTURE)
        pb = problem(
            [org("G1", 13), org("G2", 13), org("G3", 1)],
            [opening("O1", "G1"), opening("O2", "G2"), opening("O3", "G3", slots=1)],
            [a, b, person("C", preferred_prefectures=(13,))],
        )
        result = solve(pb)
        assignment = placed(result)
        # The couple takes Tokyo together; C, though preferring Tokyo, goes to Hokkaido.
        assert {assignment["A"], assignment["B"]} == {"O1", "O2"}
        assert assignment["C"] == "O3"

    def test_both_or_neither(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem([org()], [opening(slots=1)], [a, b])
        result = solve(pb)
        assert placed(result) == {}
        assert any("partner" in reason for reason in result.unplaced[0].reasons)

    def test_partner_not_in_the_run_is_placed_single(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem([org()], [opening()], [a, replace(b, status=ParticipantStatus.WITHDRAWN)])
        result = solve(pb)
        assert result.engine == "flow"
        assert placed(result) == {"A": "O1"}


def four_americans_for_tokyo() -> Problem:
    """4 slots in Tokyo and 4 in Hokkaido, f = 0.5: at most 2 US citizens in Tokyo."""
    return problem(
        [org("G1", 13), org("G2", 1)],
        [opening("O1", "G1", slots=4), opening("O2", "G2", slots=4)],
        [person(f"P{i}", preferred_prefectures=(13,)) for i in range(4)],
        max_country_share_per_prefecture=0.5,
    )


class TestSideBounds:
    """The bound is proven on the full problem with couples and caps, not the relaxation."""

    def test_a_couple_that_cannot_be_together_lowers_the_placement_bound(self) -> None:
        # Two one-slot organizations: the couple fits in neither together. The min-cost
        # flow relaxation places both (2 + C), and so does the LP (half of each in each
        # organization); the proof must still show that 1 placement is the maximum.
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem(
            [org("G1", 13), org("G2", 14)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [a, b, person("C")],
        )
        result = solve(pb)
        assert result.status == Status.OPTIMAL
        assert placed(result).keys() == {"C"}
        assert result.bound is not None
        assert result.bound.placed == 1
        assert result.stats["relaxation_placed"] == 2
        assert result.stats["placement_rounds"] >= 1

    def test_the_cap_lowers_the_score_bound_below_the_relaxation(self) -> None:
        pb = four_americans_for_tokyo()
        result = solve(pb)
        assert result.status == Status.OPTIMAL
        assert result.bound is not None
        assert (result.bound.placed, result.bound.score) == (4, result.objective.net)
        assert result.stats["relaxation_score"] > result.objective.score

    def test_target_gap_stops_early_with_an_honest_bound(self) -> None:
        pb = four_americans_for_tokyo()
        result = solve(pb, target_gap=0.5)
        assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
        assert result.bound is not None
        assert result.gap is not None
        assert result.gap <= 0.5
        assert result.bound.score >= result.objective.net


class TestCountryCap:
    def test_cap_limits_people_of_one_country_per_prefecture(self) -> None:
        pb = four_americans_for_tokyo()
        result = solve(pb)
        assert result.status == Status.OPTIMAL
        where = list(placed(result).values())
        assert where.count("O1") == 2
        assert where.count("O2") == 2

    def test_cap_is_at_least_one(self) -> None:
        pb = problem(
            [org()],
            [opening(slots=2)],
            [person("P1"), person("P2")],
            max_country_share_per_prefecture=0.1,
        )
        assert len(solve(pb).placements) == 1


class TestInfeasible:
    def test_pins_over_capacity_name_the_pins(self) -> None:
        pb = problem(
            [org()],
            [opening()],
            [person("P1"), person("P2")],
            pins=(Assignment("P1", "O1"), Assignment("P2", "O1")),
        )
        result = solve(pb)
        assert result.status == Status.INFEASIBLE
        conflict = result.conflicts[0]
        assert conflict.code == "pins_over_capacity"
        assert conflict.participants == ("P1", "P2")
        assert conflict.openings == ("O1",)

    def test_ineligible_pin_names_the_rule(self) -> None:
        pb = problem(
            [org()], [opening(driving_required=True)], [person()], pins=(Assignment("P1", "O1"),)
        )
        result = solve(pb)
        assert result.status == Status.INFEASIBLE
        assert result.conflicts[0].code == "ineligible_pin"
        assert "driving" in result.conflicts[0].message

    def test_couple_pinned_apart(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem(
            [org("G1"), org("G2")],
            [opening("O1", "G1"), opening("O2", "G2")],
            [a, b],
            pins=(Assignment("A", "O1"), Assignment("B", "O2")),
        )
        result = solve(pb)
        assert result.status == Status.INFEASIBLE
        assert result.conflicts[0].code == "couple_pinned_apart"
        assert result.conflicts[0].participants == ("A", "B")

    def test_pins_over_country_cap(self) -> None:
        pb = problem(
            [org()],
            [opening(slots=4)],
            [person(f"P{i}") for i in range(3)],
            pins=tuple(Assignment(f"P{i}", "O1") for i in range(3)),
            max_country_share_per_prefecture=0.5,
        )
        result = solve(pb)
        assert result.status == Status.INFEASIBLE
        assert result.conflicts[0].code == "pins_over_country_cap"
        assert len(result.conflicts[0].participants) == 3


class TestPlanChecks:
    def test_check_plan_names_each_violation(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem(
            [org("G1"), org("G2")],
            [opening("O1", "G1"), opening("O2", "G2", driving_required=True)],
            [a, b, person("C")],
            pins=(Assignment("C", "O1"),),
        )
        plan = [Assignment("A", "O1"), Assignment("B", "O2"), Assignment("C", "O1")]
        rules = {v.rule for v in check_plan(pb, plan)}
        assert rules == {"ineligible", "over_capacity", "couple_apart"}
        assert {v.rule for v in check_plan(pb, [Assignment("A", "O1")])} == {
            "couple_split",
            "pin_not_kept",
        }
