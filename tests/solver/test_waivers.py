"""Waivers: a coordinator's override sets rules aside for one pair alone."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from solver_builders import opening, org, person, problem

from jet_match.solver import (
    Assignment,
    ParticipantStatus,
    Problem,
    Status,
    Waiver,
    check_plan,
    pair_report,
    prepare,
    solve,
)


def _driving_problem(**changes: object) -> Problem:
    """O1 requires driving; nobody can drive; O2 is a plain opening in Hokkaido."""
    return problem(
        [org("G1", 13), org("G2", 1)],
        [opening("O1", "G1", driving_required=True, slots=2), opening("O2", "G2", slots=2)],
        [
            person("P1", preferred_prefectures=(13,)),
            person("P2", preferred_prefectures=(13,)),
        ],
        **changes,
    )


class TestWaiver:
    def test_a_waived_pin_is_kept_and_the_rule_listed(self) -> None:
        pb = _driving_problem(pins=(Assignment("P1", "O1"),), waivers=(Waiver("P1", "O1"),))
        result = solve(pb)
        assert result.status is Status.OPTIMAL
        placed = {p.participant: p.opening for p in result.placements}
        assert placed["P1"] == "O1"
        assert [(w.participant, w.opening, w.rules) for w in result.waived] == [
            ("P1", "O1", ("driving",))
        ]

    def test_without_the_waiver_the_pin_is_infeasible(self) -> None:
        pb = _driving_problem(pins=(Assignment("P1", "O1"),))
        result = solve(pb)
        assert result.status is Status.INFEASIBLE
        assert [c.code for c in result.conflicts] == ["ineligible_pin"]

    def test_only_that_pair_is_waived(self) -> None:
        # P2 fails the same rule at O1 and stays ineligible there, though O1 has a free
        # slot and is P2's first choice.
        pb = _driving_problem(pins=(Assignment("P1", "O1"),), waivers=(Waiver("P1", "O1"),))
        result = solve(pb)
        placed = {p.participant: p.opening for p in result.placements}
        assert placed["P2"] == "O2"
        instance = prepare(pb)
        assert pair_report(instance, "P1", "O1").eligible
        assert pair_report(instance, "P2", "O1").failed_rules == ("driving",)
        assert check_plan(instance, [Assignment("P1", "O1"), Assignment("P2", "O1")]) != ()

    def test_a_waiver_limited_to_one_rule_leaves_the_others(self) -> None:
        pb = _driving_problem(
            pins=(Assignment("P1", "O1"),), waivers=(Waiver("P1", "O1", ("japanese_level",)),)
        )
        assert solve(pb).status is Status.INFEASIBLE

    def test_the_waived_pair_is_scored_by_its_terms(self) -> None:
        pb = _driving_problem(pins=(Assignment("P1", "O1"),), waivers=(Waiver("P1", "O1"),))
        result = solve(pb)
        held = next(p for p in result.placements if p.participant == "P1")
        assert held.breakdown["location"] == 100  # first choice, as for any pair
        assert all(points >= 0 for points in held.breakdown.values())
        assert held.score == sum(held.breakdown.values())

    def test_an_override_over_capacity_takes_a_slot_beyond_the_opening(self) -> None:
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O2", "G2", slots=3)],
            [person(f"P{k}", preferred_prefectures=(13,)) for k in (1, 2, 3)],
            pins=(Assignment("P1", "O1"), Assignment("P2", "O1")),
            waivers=(Waiver("P2", "O1", beyond_capacity=True),),
        )
        result = solve(pb)
        assert result.status is Status.OPTIMAL
        at_o1 = sorted(p.participant for p in result.placements if p.opening == "O1")
        assert at_o1 == ["P1", "P2"]  # P3, first choice Tokyo too, gains no slot there
        assert [(w.participant, w.rules) for w in result.waived] == [("P2", ("capacity",))]

    def test_no_cap_counts_the_place_beyond_capacity_also_on_a_re_solve(self) -> None:
        """Tokyo has 3 slots (1 + 2), so under a 50 % cap one placed person per country;
        the override's place beyond O1's slot is nobody's to count. A re-solve after a
        status change reuses the first instance's tables, which hold that place: the cap
        must still be read from the records (it was 2 there)."""
        pb = problem(
            [org("G1", 13), org("G2", 1)],
            [opening("O1", "G1"), opening("O3", "G1", slots=2), opening("O2", "G2", slots=3)],
            [
                person("P1", citizenship="US", preferred_prefectures=(13,)),
                person("P2", citizenship="GB", preferred_prefectures=(13,)),
                person("P3", citizenship="US", preferred_prefectures=(13,)),
                person("P4", citizenship="GB", preferred_prefectures=(1,)),
            ],
            pins=(Assignment("P1", "O1"), Assignment("P2", "O1")),
            waivers=(Waiver("P2", "O1", beyond_capacity=True),),
            max_country_share_per_prefecture=0.5,
        )
        first = prepare(pb)
        people = tuple(
            replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == "P4" else p
            for p in pb.participants
        )
        changed = replace(pb, participants=people)
        again = prepare(changed, base=first)
        caps = [inst.cap_of_prefecture for inst in (again, prepare(changed))]
        assert caps[0] is not None
        assert caps[1] is not None
        assert caps[0][13] == caps[1][13] == 1
        for result in (solve(first), solve(again)):
            assert result.status is Status.OPTIMAL
            where = {p.participant: p.opening for p in result.placements}
            assert where.get("P3") == "O2"  # not beside P1 (US) in Tokyo

    def test_without_beyond_capacity_a_waiver_takes_one_of_the_slots(self) -> None:
        pb = problem(
            [org("G1", 13)],
            [opening("O1", "G1")],
            [person("P1"), person("P2")],
            pins=(Assignment("P1", "O1"), Assignment("P2", "O1")),
            waivers=(Waiver("P2", "O1"),),
        )
        result = solve(pb)
        assert result.status is Status.INFEASIBLE
        assert [c.code for c in result.conflicts] == ["pins_over_capacity"]

    def test_a_waiver_never_places_a_withdrawn_participant(self) -> None:
        pb = _driving_problem(pins=(Assignment("P1", "O2"),), waivers=(Waiver("P1", "O2"),))
        people = tuple(
            replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == "P1" else p
            for p in pb.participants
        )
        result = solve(replace(pb, participants=people))
        assert "P1" not in {p.participant for p in result.placements}


@settings(max_examples=30, deadline=None)
@given(
    drives=st.lists(st.booleans(), min_size=4, max_size=4),
    levels=st.lists(st.integers(0, 5), min_size=4, max_size=4),
    waived_person=st.integers(0, 3),
    waived_opening=st.integers(0, 2),
)
def test_no_other_pair_breaks_a_rule(
    drives: list[bool], levels: list[int], waived_person: int, waived_opening: int
) -> None:
    pb = problem(
        [org("G1", 13), org("G2", 1)],
        [
            opening("O0", "G1", driving_required=True, slots=1),
            opening("O1", "G1", min_japanese_level=3, slots=2),
            opening("O2", "G2", driving_required=True, min_japanese_level=2, slots=1),
        ],
        [
            person(
                f"P{k}", can_drive=drives[k], japanese_level=levels[k], preferred_prefectures=(13,)
            )
            for k in range(4)
        ],
        pins=(Assignment(f"P{waived_person}", f"O{waived_opening}"),),
        waivers=(Waiver(f"P{waived_person}", f"O{waived_opening}"),),
    )
    result = solve(pb)
    assert result.status is Status.OPTIMAL
    plan = [Assignment(p.participant, p.opening) for p in result.placements]
    assert Assignment(f"P{waived_person}", f"O{waived_opening}") in plan
    assert check_plan(pb, plan) == ()
    no_waiver = prepare(replace(pb, waivers=(), pins=()))
    broken = {
        (a.participant, a.opening)
        for a in plan
        if not pair_report(no_waiver, a.participant, a.opening).eligible
    }
    assert broken <= {(f"P{waived_person}", f"O{waived_opening}")}
