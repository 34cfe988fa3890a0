"""SQLite connections get their pragmas; database errors and bulk writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from jet_match.config import Settings
from jet_match.db import BULK_ROWS, is_sqlite, make_engine
from jet_match.models import (
    Opening,
    Organization,
    Participant,
    Placement,
    Publication,
    PublishedPlacement,
    Round,
)
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from round_support import published_round

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo.json"


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path}/var/pragmas.db"))
    assert is_sqlite(str(engine.url))
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()


def test_database_errors_do_not_add_the_statement_parameters(engine: Engine) -> None:
    # SQLAlchemy would append the parameters (a participant's data) to the message.
    # PostgreSQL's own DETAIL may still quote a failing row: that is why the service logs
    # only the type of an unexpected exception (tests/api/test_races_and_server_errors.py).
    statement = text("INSERT INTO participants (external_id, email) VALUES (:id, :email)")
    with engine.connect() as connection, pytest.raises(IntegrityError) as failed:
        connection.execute(statement, {"id": "P-X", "email": "someone@example.org"})
    message = str(failed.value)
    added_by_sqlalchemy = message[message.index("[SQL:") :]
    assert "[SQL parameters hidden due to hide_parameters=True]" in added_by_sqlalchemy
    assert "someone@example.org" not in added_by_sqlalchemy


def _planner_rows(engine: Engine, model: type[SQLModel]) -> float | None:
    """What PostgreSQL's planner believes a table holds (None on SQLite)."""
    if is_sqlite(str(engine.url)):
        return None
    with engine.connect() as connection:
        reltuples = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
            {"name": model.__tablename__},
        ).scalar_one()
    return float(reltuples)


def _rows(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_bulk_writes_leave_the_planner_current_statistics(
    engine: Engine, settings: Settings
) -> None:
    """After an import, a run's plan and a publication of the demo (300 participants:
    bulk writes), PostgreSQL's statistics count the rows that were written (without them a
    national plan page took 15-20 ms, not 0.5 ms); SQLite is left alone (no sqlite_stat1
    appears)."""
    with Session(engine) as session:
        imports.import_dataset(session=session, caller=COMMAND_LINE, raw=DEMO.read_bytes())
    published_round(engine, settings)
    assert _rows(engine, Placement) >= BULK_ROWS
    tables = (Organization, Opening, Participant, Placement, Round, Publication, PublishedPlacement)
    if is_sqlite(str(engine.url)):
        with engine.connect() as connection:
            assert not connection.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            ).all()
        assert all(_planner_rows(engine, table) is None for table in tables)
        return
    for table in tables:
        assert _rows(engine, table) > 0
        assert _planner_rows(engine, table) == _rows(engine, table), table.__tablename__
