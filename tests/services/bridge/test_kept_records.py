"""The records a process keeps between reads (`kept_records`): read again once written,
and a new participant read too, in external_id order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.schemas.records import OpeningUpdate, OrganizationUpdate, ParticipantUpdate
from jet_match.services.bridge import round_data
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import openings, organizations, participants
from jet_match.services.rounds import rounds
from round_support import solved_round


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


@pytest.mark.usefixtures("loaded")
def test_unchanged_participants_cost_one_row_not_every_row_s_marks(
    engine: Engine, settings: Settings
) -> None:
    """With nothing written since, a read checks the participants' count, latest write and
    sums in one row; every row's version and time of last write are listed only after a
    change (then only the changed row is read again)."""
    solved_round(engine, settings, "R-A")
    _people_seen(engine)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()))

    def marks_listed() -> bool:
        return any(s.startswith("SELECT participants.id, participants.version") for s in statements)

    event.listen(engine, "before_cursor_execute", record)
    try:
        _people_seen(engine)
        assert not marks_listed()
        _write(engine, participants.update_participant, "P-4", ParticipantUpdate(sport="judo"))
        statements.clear()
        _people_seen(engine)
        assert marks_listed()
        statements.clear()
        _people_seen(engine)
        assert not marks_listed()
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.usefixtures("loaded")
def test_an_edited_opening_is_the_only_catalogue_row_read_again(
    engine: Engine, settings: Settings
) -> None:
    """After one opening's edit a read lists the versions and reads that one row, not
    every organization and opening; after an organization's edit, that one row."""
    solved_round(engine, settings, "R-A")
    slots, access = _catalogue_seen(engine)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()))

    def rows_read(table: str) -> list[str]:
        return [s for s in statements if s.startswith(f"SELECT {table}.id, {table}.external_id")]

    event.listen(engine, "before_cursor_execute", record)
    try:
        _write(engine, openings.update_opening, "OPN-A1", OpeningUpdate(slots=slots + 2))
        statements.clear()
        assert _catalogue_seen(engine) == (slots + 2, access)
        assert not rows_read("organizations")
        (read,) = rows_read("openings")
        assert "WHERE openings.id IN" in read
        _write(
            engine,
            organizations.update_organization,
            "ORG-A",
            OrganizationUpdate(medical_access=not access),
        )
        statements.clear()
        assert _catalogue_seen(engine) == (slots + 2, not access)
        (read,) = rows_read("organizations")
        assert "WHERE organizations.id IN" in read
        assert not rows_read("openings")
    finally:
        event.remove(engine, "before_cursor_execute", record)
