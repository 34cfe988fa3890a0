"""Settings refuse weak production configurations; SQLite connections get their pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from jet_match.config import Settings, get_settings
from jet_match.db import is_sqlite, make_engine


class TestSettings:
    def test_development_defaults_to_sqlite_under_var(self) -> None:
        assert Settings().database_url == "sqlite:///./var/jet-match.db"

    def test_production_needs_an_explicit_database(self) -> None:
        with pytest.raises(ValidationError, match="JET_MATCH_DATABASE_URL"):
            Settings(environment="production")

    def test_production_refuses_debug_and_memory_databases(self) -> None:
        with pytest.raises(ValidationError, match="JET_MATCH_DEBUG"):
            Settings(environment="production", database_url="sqlite:////data/j.db", debug=True)
        with pytest.raises(ValidationError, match="in-memory"):
            Settings(environment="production", database_url="sqlite:///:memory:")

    def test_settings_come_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("JET_MATCH_MAX_BODY_BYTES", "4096")
        get_settings.cache_clear()
        try:
            assert get_settings().max_body_bytes == 4096
        finally:
            get_settings.cache_clear()


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
