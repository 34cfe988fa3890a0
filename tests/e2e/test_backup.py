"""`jet-match backup`: a consistent copy of a live SQLite database that, put in place of
the original, serves the same records (and keys) again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from jet_match.cli import app
from jet_match.config import Settings, get_settings
from jet_match.dataset import format as fmt
from jet_match.db import make_engine, migrate
from jet_match.main import create_app
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from service_support import auth


@pytest.fixture
def live_sqlite(tmp_path: Path, small_dataset: fmt.Dataset) -> str:
    """A SQLite database with records, as a running service has it (whatever the test
    database of this session is: backups are SQLite's)."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(Settings(database_url=url, environment="test"))
    migrate(engine)
    with Session(engine) as session:
        imports.import_dataset(
            session=session, caller=COMMAND_LINE, raw=fmt.dataset_to_json(small_dataset)
        )
    engine.dispose()
    return url


def _cli(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("JET_MATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_a_backup_restored_in_place_serves_the_same_records(
    live_sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _cli(
        live_sqlite, monkeypatch, "keys", "create", "--role", "coordinator", "--name", "ops"
    )
    assert code == 0, output
    key = output.strip().splitlines()[-1]
    live = make_engine(Settings(database_url=live_sqlite, environment="test"))
    with live.connect():  # the service holds the database open: the backup is online
        code, output = _cli(live_sqlite, monkeypatch, "backup", "--out", str(tmp_path / "b.db"))
    live.dispose()
    assert code == 0, output
    assert "backed up" in output
    code, output = _cli(live_sqlite, monkeypatch, "backup", "--out", str(tmp_path / "b.db"))
    assert code == 2  # never overwrites
    assert "exists" in output

    # Restore: the service is stopped, the copy put in place of the database, served again.
    restored = tmp_path / "restored" / "jet-match.db"
    restored.parent.mkdir()
    shutil.copyfile(tmp_path / "b.db", restored)
    settings = Settings(database_url=f"sqlite:///{restored}", environment="test", gc_freeze=False)
    with TestClient(create_app(settings)) as client:
        organizations = client.get("/api/v1/organizations", headers=auth(key))
        assert organizations.status_code == 200
        assert [o["external_id"] for o in organizations.json()["items"]] == ["ORG-A", "ORG-B"]
        assert client.get("/api/v1/participants/P-1", headers=auth(key)).status_code == 200


def test_postgresql_is_backed_up_with_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _cli(
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        monkeypatch,
        "backup",
        "--out",
        str(tmp_path / "b.db"),
    )
    assert code == 2
    assert "pg_dump" in output
