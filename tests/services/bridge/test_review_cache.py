"""An API process keeps the prepared problems of at most `review_cache_rounds` rounds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.bridge import round_data
from jet_match.services.rounds import rounds
from jet_match.solver import Instance, Problem, prepare
from round_support import solved_round


@pytest.fixture
def reused(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each prepare of a review read started from a kept instance."""
    round_data.keep_rounds(0)  # forget the rounds of earlier tests (on PostgreSQL, same ids)
    calls: list[bool] = []

    def recording(problem: Problem, base: Instance | None = None) -> Instance:
        calls.append(base is not None)
        return prepare(problem, base=base)

    monkeypatch.setattr(round_data, "prepare", recording)
    yield calls
    round_data.keep_rounds(Settings().review_cache_rounds)


def _read(engine: Engine, *round_ids: str) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for round_id in round_ids:
            round_data.full_instance(session, rounds.find(session, round_id))


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
    round_data.keep_rounds(limit)
    _read(engine, "R-A", "R-A", "R-B", "R-A")
    assert reused == expected


@pytest.mark.usefixtures("loaded")
def test_the_setting_reaches_the_cache_when_the_app_is_made(
    engine: Engine, settings: Settings, reused: list[bool]
) -> None:
    from jet_match.main import create_app

    solved_round(engine, settings, "R-A")
    create_app(settings.model_copy(update={"review_cache_rounds": 0}), engine)
    _read(engine, "R-A", "R-A")
    assert reused == [False, False]
