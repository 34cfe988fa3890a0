"""Why a participant has no eligible opening: each opening of their position counted once,
under the first rule it breaks in the documented order; the biggest count first."""

from __future__ import annotations

from solver_builders import opening, org, person, problem

from jet_match import eligibility
from jet_match.solver import Position, explain, solve


def unplaced_of(*openings: object, **changes: object) -> tuple[str, dict[str, int]]:
    result = solve(problem([org()], list(openings), [person(**changes)]))  # type: ignore[arg-type]
    (unplaced,) = result.unplaced
    (reason,) = unplaced.reasons
    return reason, dict(unplaced.excluded_by)


class TestNoEligibleOpening:
    def test_each_opening_of_the_position_counts_once_under_its_first_rule(self) -> None:
        reason, excluded = unplaced_of(
            opening("O1", driving_required=True),
            opening("O2", min_japanese_level=3),
            opening("O3", min_japanese_level=3, driving_required=True),  # japanese comes first
            opening("O4", is_open=False, min_japanese_level=4),  # cancelled comes first
            opening("O5", position=Position.CIR),  # another position: not counted
            can_drive=False,
        )
        assert excluded == {"japanese_level": 2, "opening_open": 1, "driving": 1}
        assert list(excluded) == ["japanese_level", "opening_open", "driving"]  # most, then order
        assert reason == (
            "no eligible opening among the 4 ALT openings of this run: "
            "2 by japanese_level (the participant's Japanese is below the opening's minimum), "
            "1 by opening_open (the opening is cancelled), "
            "1 by driving (the opening requires driving and the participant cannot drive)"
        )

    def test_the_counts_add_up_to_the_openings_of_the_position(self) -> None:
        posts = [
            opening(
                f"O{k}",
                min_japanese_level=k % 3 + 1,
                driving_required=bool(k % 2),
                country_required=k % 4 == 0,
                requested_countries=("GB",),
            )
            for k in range(12)
        ]
        _, excluded = unplaced_of(*posts, can_drive=False)
        assert sum(excluded.values()) == 12
        assert set(excluded) <= set(eligibility.COUNTING_ORDER)

    def test_a_run_without_the_position_says_so(self) -> None:
        reason, excluded = unplaced_of(opening("O1", position=Position.CIR))
        assert reason == "no eligible opening: the run has no ALT opening"
        assert excluded == {"same_position": 1}

    def test_the_counting_order_covers_every_rule_but_the_position(self) -> None:
        names = [rule.name for rule in eligibility.RULES]
        assert sorted(eligibility.COUNTING_ORDER) == sorted(set(names) - {"same_position"})


def test_an_ineligible_alternative_shows_no_negative_term() -> None:
    pb = problem(
        [org()],
        [opening("O1"), opening("O2", min_japanese_level=5)],
        [person(japanese_level=1)],
    )
    result = solve(pb)
    (alternative,) = explain(pb, result, "P1", objective_change=False).alternatives
    assert not alternative.eligible
    assert alternative.failed_rules == ("japanese_level",)
    assert min(alternative.breakdown.values()) >= 0
    assert alternative.breakdown["japanese"] == 0
