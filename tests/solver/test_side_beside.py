"""Work beside the search (`side/beside.py`), and the usable pairs indexed beside the flow
relaxation on a first solve of the records (`search.solve_side`), never on a re-solve."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Generic, TypeVar

import pytest

from jet_match.dataset.generator import generate_dataset
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Problem, Result, Status, prepare, solve
from jet_match.solver.policy import BoolArray
from jet_match.solver.side import search
from jet_match.solver.side.beside import Beside
from jet_match.solver.side.pairs import UsablePairs, usable_pairs
from jet_match.solver.side.problem import SideProblem

T = TypeVar("T")


def test_its_result_is_the_works_computed_on_another_thread() -> None:
    threads: list[str] = []

    def work() -> int:
        threads.append(threading.current_thread().name)
        return 41 + 1

    assert Beside("answer", work).result() == 42
    assert threads == ["answer"]


def test_an_error_of_the_work_is_raised_where_the_result_is_asked() -> None:
    def work() -> int:
        raise ValueError("pairs: bad")

    beside = Beside("failing", work)
    with pytest.raises(ValueError, match="pairs: bad"):
        beside.result()


def _problem(seed: int) -> Problem:
    dataset = generate_dataset(
        participants=150, organizations=30, openings=60, seed=seed, programme_year=2026
    )
    return replace(problem_from_dataset(dataset), max_country_share_per_prefecture=0.3)


def test_a_first_solve_indexes_its_pairs_beside_the_flow_and_a_re_solve_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    indexed_on: list[str] = []
    original = usable_pairs

    def recording(side: SideProblem, usable: BoolArray) -> UsablePairs:
        indexed_on.append(threading.current_thread().name)
        return original(side, usable)

    monkeypatch.setattr(search, "usable_pairs", recording)
    inst = prepare(_problem(3))
    first = solve(inst, time_limit_s=30)
    assert first.stats.get("lp_rounds", 0) >= 1  # past the relaxation: the pairs were used
    assert indexed_on == ["usable-pairs"]
    assert inst.solved_before()
    again = solve(inst, time_limit_s=30)
    assert again.stats.get("lp_rounds", 0) >= 1
    assert indexed_on[1:] == [threading.current_thread().name]


@pytest.mark.parametrize("seed", [3, 5])
def test_where_the_pairs_are_indexed_changes_nothing(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    beside = solve(prepare(_problem(seed)), time_limit_s=30)
    monkeypatch.setattr(search, "Beside", _Inline)  # indexed in the search's thread
    inline = solve(prepare(_problem(seed)), time_limit_s=30)
    assert beside.status == inline.status == Status.OPTIMAL
    assert _pairs(beside) == _pairs(inline)
    assert beside.stats["lp_iterations"] == inline.stats["lp_iterations"]


class _Inline(Generic[T]):
    """`Beside`'s work done at once, in the caller's thread."""

    def __init__(self, name: str, work: Callable[[], T]) -> None:
        self._value = work()

    def result(self) -> T:
        return self._value


def _pairs(result: Result) -> list[tuple[str, str]]:
    return [(a.participant, a.opening) for a in result.placements]
