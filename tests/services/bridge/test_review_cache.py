"""An API process keeps the prepared problems of at most `review_cache_rounds` rounds, in
the `PreparedProblems` its application holds."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.rounds import rounds
from jet_match.solver import Instance, Problem, prepare
from round_support import solved_round


@pytest.fixture
def reused(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each prepare of a review read started from a kept instance."""
    calls: list[bool] = []

    def recording(problem: Problem, base: Instance | None = None) -> Instance:
        calls.append(base is not None)
        return prepare(problem, base=base)

    monkeypatch.setattr(round_data, "prepare", recording)
    return calls


def _read(engine: Engine, prepared: PreparedProblems, *round_ids: str) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for round_id in round_ids:
            round_data.full_instance(session, rounds.find(session, round_id), prepared=prepared)


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (0, [False, False, False, False]),
        (1, [False, True, False, False]),  # the default: the last round read only
        (2, [False, True, False, True]),
    ],
)
def test_only_the_last_rounds_read_are_kept(
    engine: Engine, settings: Settings, reused: list[bool], limit: int, expected: list[bool]
) -> None:
    solved_round(engine, settings, "R-A")
    solved_round(engine, settings, "R-B")
    reused.clear()  # the worker's own prepares (it prepares the reviews after a run)
    _read(engine, PreparedProblems(limit=limit), "R-A", "R-A", "R-B", "R-A")
    assert reused == expected


@pytest.mark.usefixtures("loaded")
def test_the_setting_reaches_the_cache_when_the_app_is_made(
    engine: Engine, settings: Settings, reused: list[bool]
) -> None:
    from jet_match.main import create_app

    solved_round(engine, settings, "R-A")
    reused.clear()  # the worker's own prepares (it prepares the reviews after a run)
    app = create_app(settings.model_copy(update={"review_cache_rounds": 0}), engine)
    _read(engine, app.state.prepared_problems, "R-A", "R-A")
    assert reused == [False, False]


def test_each_app_keeps_its_own_prepared_problems(settings: Settings, engine: Engine) -> None:
    """No process-wide cache: two applications (say, two test apps) share nothing."""
    from jet_match.main import create_app

    first, second = create_app(settings, engine), create_app(settings, engine)
    assert first.state.prepared_problems is not second.state.prepared_problems
    assert first.state.prepared_problems.limit == settings.review_cache_rounds
