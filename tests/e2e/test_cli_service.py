"""The service commands of the CLI: migrate, keys, import, export, and `serve --demo`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from jet_match.cli import app
from jet_match.config import get_settings
from jet_match.dataset import format as fmt
from service_support import free_port

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose commands use the test's database."""
    monkeypatch.setenv("JET_MATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("JET_MATCH_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_keys_import_and_export(cli: CliRunner, tmp_path: Path, small_dataset: fmt.Dataset) -> None:
    created = cli.invoke(app, ["keys", "create", "--role", "coordinator", "--name", "ops"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"jm_[0-9a-f]{8}_\S+", key)

    dataset_file = tmp_path / "small.json"
    dataset_file.write_bytes(fmt.dataset_to_json(small_dataset))
    imported = cli.invoke(app, ["import", str(dataset_file)])
    assert imported.exit_code == 0, imported.output
    assert orjson.loads(imported.stdout)["participants"]["created"] == 5

    out = tmp_path / "export.json"
    exported = cli.invoke(app, ["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert fmt.Dataset.model_validate_json(out.read_bytes()) == small_dataset

    sheet = tmp_path / "openings.xlsx"
    assert cli.invoke(app, ["export", "--out", str(sheet), "--kind", "openings"]).exit_code == 0
    again = cli.invoke(app, ["import", str(sheet), "--kind", "openings"])
    assert orjson.loads(again.stdout)["openings"]["unchanged"] == 3

    listed = cli.invoke(app, ["keys", "list"])
    prefix = key.split("_")[1]
    assert prefix in listed.stdout
    assert key.split("_", 2)[2] not in listed.stdout
    assert cli.invoke(app, ["keys", "revoke", prefix]).exit_code == 0


def test_bad_input_is_a_message_and_a_status_not_a_traceback(
    cli: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "jet-match/dataset@1", "organizations": [{"external_id": "X"}]}')
    result = cli.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "organization X .name" in result.stderr
    assert "Traceback" not in result.output
    missing_org = cli.invoke(
        app, ["keys", "create", "--role", "host_org", "--organization", "ORG-NONE"]
    )
    assert missing_org.exit_code == 1
    assert "no organization 'ORG-NONE'" in missing_org.stderr


@pytest.mark.parametrize(
    ("url", "message", "status"),
    [
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/x",
            "error: cannot use the database (connection failed:",
            1,
        ),
        ("notaurl", "error: JET_MATCH_DATABASE_URL is not a database URL", 2),
        ("sqlite:////proc/nope/x.db", "error: cannot create /proc/nope: No such file", 2),
        ("sqlite:////proc/x.db", "error: cannot use the database (unable to open database", 1),
    ],
)
@pytest.mark.parametrize("command", [["migrate"], ["keys", "list"]])
def test_a_database_that_cannot_be_used_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, url: str, message: str, status: int, command: list[str]
) -> None:
    monkeypatch.setenv("JET_MATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, command)
    finally:
        get_settings.cache_clear()
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == status
    assert result.stderr.startswith(message)


def test_migrate_creates_a_database_on_an_empty_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JET_MATCH_DATABASE_URL", f"sqlite:///{tmp_path}/new/dir/jet.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "database at revision 0009" in result.stdout
    assert (tmp_path / "new" / "dir" / "jet.db").is_file()


def test_serve_demo_loads_the_demo_and_prints_working_keys(tmp_path: Path) -> None:
    """What `make run` does, on an empty database in a fresh directory."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jet_match.cli import main; main()",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--demo-dataset",
            str(REPOSITORY / "fixtures" / "demo.json"),
        ],
        cwd=tmp_path,
        env={**_without_database_url(), "JET_MATCH_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while "coordinator key:" not in output and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
        key = re.search(r"coordinator key: (\S+)", output)
        assert key, output
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/docs" in output
        response = _get_when_up(f"{base}/api/v1/organizations?limit=1", key.group(1))
        assert response.status_code == 200
        assert response.json()["items"]
        assert (tmp_path / "var" / "jet-match.db").is_file()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _without_database_url() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != "JET_MATCH_DATABASE_URL"}


def _get_when_up(url: str, key: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
