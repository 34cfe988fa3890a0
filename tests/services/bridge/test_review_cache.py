"""An API process keeps the prepared problems of at most `review_cache_rounds` rounds, in
the `PreparedProblems` its application holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.schemas.records import OpeningUpdate, OrganizationUpdate, ParticipantUpdate
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import openings, organizations, participants
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


def _write(
    engine: Engine, update: Callable[..., object], external_id: str, changes: object
) -> None:
    """A record update as the command line makes it, whatever the version (If-Match: *)."""
    with Session(engine, expire_on_commit=False) as session:
        update(
            session=session,
            caller=COMMAND_LINE,
            external_id=external_id,
            changes=changes,
            if_match="*",
        )


def _catalogue_seen(engine: Engine) -> tuple[int, bool]:
    """OPN-A1's slots and ORG-A's medical access as a review read's problem has them."""
    with Session(engine, expire_on_commit=False) as session:
        problem = round_data.full_problem(session, rounds.find(session, "R-A"))
    slots = next(o.slots for o in problem.openings if o.external_id == "OPN-A1")
    access = next(o.medical_access for o in problem.organizations if o.external_id == "ORG-A")
    return slots, access


@pytest.mark.usefixtures("loaded")
def test_the_kept_organizations_and_openings_are_read_again_after_an_edit(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings, "R-A")
    slots, access = _catalogue_seen(engine)
    assert _catalogue_seen(engine) == (slots, access)  # kept: the same records
    _write(engine, openings.update_opening, "OPN-A1", OpeningUpdate(slots=slots + 1))
    assert _catalogue_seen(engine) == (slots + 1, access)
    _write(
        engine,
        organizations.update_organization,
        "ORG-A",
        OrganizationUpdate(medical_access=not access),
    )
    assert _catalogue_seen(engine) == (slots + 1, not access)


def _people_seen(engine: Engine) -> list[tuple[str, int]]:
    """Each participant's external_id and experience as a review read's problem has them."""
    with Session(engine, expire_on_commit=False) as session:
        problem = round_data.full_problem(session, rounds.find(session, "R-A"))
    return [(p.external_id, p.teaching_experience_years) for p in problem.participants]


@pytest.mark.usefixtures("loaded")
def test_the_kept_participants_are_read_again_after_an_edit_or_an_addition(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings, "R-A")
    seen = _people_seen(engine)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    assert _people_seen(engine) == seen  # kept: the same records, in the same order
    years = dict(seen)["P-4"]
    _write(
        engine,
        participants.update_participant,
        "P-4",
        ParticipantUpdate(teaching_experience_years=years + 2),
    )
    assert _people_seen(engine) == [(p, years + 2 if p == "P-4" else y) for p, y in seen]
    with Session(engine, expire_on_commit=False) as session:
        participants.create_participant(
            session=session,
            caller=COMMAND_LINE,
            participant_in=fmt.Participant.model_validate(
                {
                    "external_id": "P-0",
                    "family_name": "Family0",
                    "given_name": "Given",
                    "email": "p-0@example.org",
                    "citizenship": "CA",
                    "position": "ALT",
                }
            ),
        )
    assert [p for p, _ in _people_seen(engine)] == ["P-0", *(p for p, _ in seen)]
