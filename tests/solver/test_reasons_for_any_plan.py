"""Unplaced reasons and alternatives are true for any plan, not only a solver's optimal one.

A coordinator may unassign someone by hand, or a round may not be solved yet: then an
eligible opening can have a free slot, and taking it would add a placement.
"""

from __future__ import annotations

from solver_builders import couple, opening, org, person, problem

from jet_match.solver import (
    Assignment,
    PartnerConstraint,
    Problem,
    explain,
    result_of_plan,
    solve,
)


def two_openings() -> Problem:
    """P1 prefers Tokyo (O1); O2 in Hokkaido is free once P2 is left out."""
    return problem(
        [org("G1", 13), org("G2", 1)],
        [opening("O1", "G1"), opening("O2", "G2")],
        [person("P1", preferred_prefectures=(13,)), person("P2", preferred_prefectures=(1,))],
    )


class TestUnplacedReasons:
    def test_a_participant_left_out_by_hand_next_to_a_free_slot(self) -> None:
        result = result_of_plan(two_openings(), [Assignment("P1", "O1")], engine="plan")
        (unplaced,) = result.unplaced
        assert unplaced.participant == "P2"
        assert unplaced.reasons == (
            "1 eligible opening has a free slot: not placed in this plan (e.g. unassigned by "
            "hand or not solved yet); taking one would add a placement",
        )
        assert not any("cost a placement" in r for r in unplaced.reasons)

    def test_a_plan_with_nobody_placed_counts_every_free_slot(self) -> None:
        result = result_of_plan(two_openings(), [], engine="plan")
        assert [u.participant for u in result.unplaced] == ["P1", "P2"]
        for unplaced in result.unplaced:
            assert unplaced.reasons[0].startswith("2 eligible openings have free slots: not placed")

    def test_an_optimal_plan_keeps_the_reason_of_full_openings(self) -> None:
        pb = problem(
            [org("G1", 13)],
            [opening("O1", "G1")],
            [person("P1", preferred_prefectures=(13,)), person("P2")],
        )
        result = solve(pb)
        (unplaced,) = result.unplaced
        assert unplaced.participant == "P2"
        assert unplaced.reasons[0].startswith("all 1 eligible openings are full")

    def test_a_couple_left_out_by_hand_with_room_for_both(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_PREFECTURE)
        pb = problem([org("G1", 13)], [opening("O1", "G1", slots=2)], [a, b])
        result = result_of_plan(pb, [], engine="plan")
        assert [u.reasons for u in result.unplaced] == [
            (
                "1 eligible opening has a free slot: not placed in this plan (e.g. unassigned "
                "by hand or not solved yet); taking one would add a placement (together with "
                "partner B)",
            ),
            (
                "1 eligible opening has a free slot: not placed in this plan (e.g. unassigned "
                "by hand or not solved yet); taking one would add a placement (together with "
                "partner A)",
            ),
        ]

    def test_a_couple_without_room_for_both_keeps_the_couple_reason(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem(
            [org("G1", 13), org("G2", 1)], [opening("O1", "G1"), opening("O2", "G2")], [a, b]
        )
        result = solve(pb)
        assert len(result.unplaced) == 2
        assert all("placed only together with partner" in u.reasons[0] for u in result.unplaced)

    def test_a_free_slot_at_the_country_cap_says_so(self) -> None:
        pb = problem(
            [org("G1", 13)],
            [opening("O1", "G1"), opening("O2", "G1")],
            [person("P1"), person("P2")],
            max_country_share_per_prefecture=0.1,
        )
        result = solve(pb)
        (unplaced,) = result.unplaced
        assert unplaced.reasons == (
            "1 eligible opening has a free slot but its prefecture is at the country cap for US",
        )


class TestFreeSlotAlternative:
    def test_placing_the_participant_would_add_a_placement(self) -> None:
        pb = two_openings()
        result = result_of_plan(pb, [Assignment("P1", "O1")], engine="plan")
        explanation = explain(pb, result, "P2", objective_change=False)
        free = next(a for a in explanation.alternatives if a.opening == "O2")
        score = free.score
        assert score > 0
        assert (
            free.why == f"has a free slot: placing them here would add a placement (+{score} score)"
        )
        assert "lowers the objective" not in free.why

    def test_with_the_exact_objective_change(self) -> None:
        pb = two_openings()
        result = result_of_plan(pb, [Assignment("P1", "O1")], engine="plan")
        explanation = explain(pb, result, "P2")
        free = next(a for a in explanation.alternatives if a.opening == "O2")
        assert free.objective_change is not None
        assert free.objective_change.placed == 1
        assert free.why.startswith("has a free slot: placing them here would add a placement")

    def test_moving_a_placed_participant_to_a_worse_free_slot_lowers_the_objective(self) -> None:
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [person("P1", preferred_prefectures=(13,))],
        )
        result = solve(pb)
        explanation = explain(pb, result, "P1", objective_change=False)
        (free,) = explanation.alternatives
        assert free.opening == "O2"
        assert free.why == "has a free slot, but moving there lowers the objective"

    def test_a_couple_member_cannot_take_a_free_slot_alone(self) -> None:
        a, b = couple(person("A"), person("B"), PartnerConstraint.SAME_ORGANIZATION)
        pb = problem(
            [org("G1", 13), org("G2", 1)], [opening("O1", "G1"), opening("O2", "G2")], [a, b]
        )
        result = solve(pb)
        explanation = explain(pb, result, "A", objective_change=False)
        assert explanation.alternatives[0].why == (
            "has a free slot, but taking it alone would break the couple rule (partner B)"
        )

    def test_the_best_free_slot_is_shown_even_below_full_openings(self) -> None:
        # Five full Tokyo openings score higher for P than the free one in Hokkaido.
        holders = [person(f"H{k}", preferred_prefectures=(13,)) for k in range(5)]
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [*(opening(f"O{k}", "G1") for k in range(5)), opening("OF", "G2")],
            [*holders, person("P", preferred_prefectures=(13,))],
        )
        plan = [Assignment(f"H{k}", f"O{k}") for k in range(5)]
        result = result_of_plan(pb, plan, engine="plan")
        explanation = explain(pb, result, "P", alternatives=3, objective_change=False)
        shown = [a.opening for a in explanation.alternatives]
        assert shown == ["O0", "O1", "OF"]
        assert explanation.alternatives[-1].why.startswith("has a free slot: placing them here")

    def test_a_free_slot_comes_before_a_full_one_of_the_same_score(self) -> None:
        pb = problem(
            [org("G1", 13)],
            [opening("O1", "G1"), opening("O2", "G1")],
            [person("P1"), person("P2")],
        )
        result = result_of_plan(pb, [Assignment("P1", "O1")], engine="plan")
        explanation = explain(pb, result, "P2", alternatives=1, objective_change=False)
        assert [a.opening for a in explanation.alternatives] == ["O2"]
