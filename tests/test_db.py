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


def test_json_columns_are_decoded_by_orjson_and_nan_still_reads(engine: Engine) -> None:
    """`json_loads` decodes JSON columns on both databases; what orjson refuses (NaN and
    Infinity, which the standard library writes) falls back to the standard library."""
    import math

    import sqlalchemy as sa

    from jet_match.db import json_loads

    assert json_loads(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert math.isnan(json_loads('{"gap": NaN}')["gap"])
    metadata = sa.MetaData()
    documents = sa.Table(
        "json_documents_test",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document", sa.JSON),
    )
    metadata.create_all(engine)
    try:
        rows: list[dict[str, object]] = [{"id": 1, "document": {"名前": "東京", "n": [1, 2]}}]
        if is_sqlite(str(engine.url)):  # PostgreSQL refuses Infinity in json: never stored
            rows.append({"id": 2, "document": {"bound": float("inf")}})
        with engine.begin() as connection:
            connection.execute(documents.insert(), rows)
        with engine.connect() as connection:
            found = connection.execute(sa.select(documents).order_by(documents.c.id)).all()
        read: dict[object, object] = {row.id: row.document for row in found}
        assert read == {row["id"]: row["document"] for row in rows}
    finally:
        metadata.drop_all(engine)
