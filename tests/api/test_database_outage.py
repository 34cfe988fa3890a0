"""A database outage is temporary: 503 with Retry-After meanwhile, recovery by itself after.

The first tests need no server: an engine aimed at a port where nothing listens is an
outage. The last one starts a private PostgreSQL cluster of its own (another port, a
temporary directory, never the shared server), stops it while requests and a worker
run, and starts it again.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.db import make_engine, migrate
from jet_match.main import create_app
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.rounds import queue
from jet_match.services.security import api_keys
from jet_match.statuses import Role, RunStatus
from jet_match.worker import InlineSolver, Worker
from jet_match.worker.supervisor import backoff_s
from round_support import create_round, queue_run
from service_support import auth, build_small_dataset, free_port, missing, wait_until

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere?connect_timeout=2"


@pytest.fixture
def unreachable_settings() -> Settings:
    return Settings(
        environment="test",
        database_url=UNREACHABLE.format(port=free_port()),
        gc_freeze=False,
        worker_poll_s=0.05,
        worker_backoff_max_s=0.5,
    )


class TestRequestsDuringAnOutage:
    @pytest.mark.parametrize(
        "path",
        ["/api/v1/organizations", "/api/v1/rounds", "/api/v1/runs/1", "/api/v1/audit"],
    )
    def test_answer_503_with_retry_after_and_no_traceback(
        self, unreachable_settings: Settings, path: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with TestClient(create_app(unreachable_settings), raise_server_exceptions=False) as client:
            answer = client.get(path, headers=auth("jm_abcdefgh_" + "x" * 43))
        assert answer.status_code == 503
        assert answer.headers["Retry-After"].isdigit()
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/unavailable")
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err

    def test_health_says_unavailable_too(self, unreachable_settings: Settings) -> None:
        with TestClient(create_app(unreachable_settings), raise_server_exceptions=False) as client:
            assert client.get("/api/v1/health").status_code == 503


class TestWorkspacePagesDuringAnOutage:
    @pytest.mark.parametrize(
        ("language", "title"),
        [
            ("en", "The service is unavailable for a moment"),
            ("ja", "ただいまサービスを利用できません"),
        ],
    )
    def test_a_page_answers_503_in_the_users_language_with_retry_after(
        self,
        unreachable_settings: Settings,
        language: str,
        title: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        with TestClient(create_app(unreachable_settings), raise_server_exceptions=False) as client:
            client.cookies.set("jm_session", "x" * 43)  # a signed-in browser: its session is read
            answer = client.get("/app/", headers={"Accept-Language": language})
        assert answer.status_code == 503
        assert answer.headers["Retry-After"].isdigit()
        assert answer.headers["content-type"].startswith("text/html")
        assert title in answer.text
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err

    def test_the_api_still_answers_problem_json(self, unreachable_settings: Settings) -> None:
        with TestClient(create_app(unreachable_settings), raise_server_exceptions=False) as client:
            answer = client.get("/api/v1/rounds", headers=auth("jm_abcdefgh_" + "x" * 43))
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"


class TestLockedSqlite:
    """SQLite still locked after its busy timeout ("database is locked") is a 503 with
    Retry-After, not a 500, for the API and the workspace; a private SQLite file, so the
    test holds the lock whichever database the suite runs on."""

    @pytest.fixture
    def locked(self, tmp_path: Path) -> Iterator[tuple[Settings, str, sqlite3.Connection]]:
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp_path / 'locked.db'}",
            gc_freeze=False,
            sqlite_busy_timeout_ms=100,
        )
        engine = make_engine(settings)
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            key = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=Role.COORDINATOR, name="locked"),
            ).key
        engine.dispose()
        holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing: the write lock is taken
        try:
            yield settings, key, holder
        finally:
            if holder.in_transaction:
                holder.execute("ROLLBACK")
            holder.close()

    def test_a_write_answers_503_with_retry_after(
        self, locked: tuple[Settings, str, sqlite3.Connection], capsys: pytest.CaptureFixture[str]
    ) -> None:
        settings, key, _ = locked
        body = {"external_id": "R-LOCKED", "name": "Locked", "programme_year": 2026}
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            answer = client.post("/api/v1/rounds", json=body, headers=auth(key))
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"].isdigit()
        assert answer.json()["type"].endswith("/unavailable")
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err

    def test_the_same_write_succeeds_once_the_lock_is_released(
        self, locked: tuple[Settings, str, sqlite3.Connection]
    ) -> None:
        settings, key, holder = locked
        body = {"external_id": "R-LATER", "name": "Later", "programme_year": 2026}
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            assert client.post("/api/v1/rounds", json=body, headers=auth(key)).status_code == 503
            holder.execute("ROLLBACK")
            answer = client.post("/api/v1/rounds", json=body, headers=auth(key))
            assert answer.status_code == 201, answer.text

    def test_a_workspace_sign_in_answers_a_503_page(
        self, locked: tuple[Settings, str, sqlite3.Connection]
    ) -> None:
        settings, _, _ = locked
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            client.cookies.set("jm_lang", "ja")
            form = client.get("/app/login")  # reads are not blocked by a writer
            assert form.status_code == 200
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token is not None
            answer = client.post(
                "/app/login",
                data={"email": "a@example.org", "password": "x" * 12, "csrf_token": token[1]},
            )
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"].isdigit()
        assert "ただいまサービスを利用できません" in answer.text


class TestWorkerDuringAnOutage:
    def test_backoff_doubles_up_to_its_cap(self) -> None:
        waits = [backoff_s(n, 30.0) for n in range(1, 10)]
        assert waits[:4] == [0.5, 1.0, 2.0, 4.0]
        assert max(waits) == 30.0
        assert waits == sorted(waits)

    def test_keeps_polling_instead_of_exiting(self, unreachable_settings: Settings) -> None:
        engine = make_engine(unreachable_settings)
        worker = Worker(engine, unreachable_settings, InlineSolver(engine))
        thread = threading.Thread(target=worker.run_forever, daemon=True)
        thread.start()
        time.sleep(3)
        assert thread.is_alive()
        worker.stop_event.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        engine.dispose()


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivateCluster:
    """A PostgreSQL cluster in a temporary directory, on a port of its own."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="jm-outage-"))
        self.data = self.directory / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            shutil.chown(self.directory, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=2"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin_dir / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.directory / "log"),
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        missing("PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin) are absent")
    cluster = PrivateCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _status(engine: Engine, run_id: int) -> str:
    with Session(engine, expire_on_commit=False) as session:
        return queue.find(session, run_id).status


@pytest.mark.postgres
def test_a_stopped_postgresql_gives_503s_and_everything_recovers_without_a_restart(
    private_cluster: PrivateCluster,
) -> None:
    settings = Settings(
        environment="test",
        database_url=private_cluster.url,
        gc_freeze=False,
        worker_poll_s=0.1,
        worker_backoff_max_s=1.0,
    )
    engine = make_engine(settings)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(
            session=session, caller=COMMAND_LINE, raw=fmt.dataset_to_json(build_small_dataset())
        )
        key = api_keys.create_key(
            session=session,
            caller=COMMAND_LINE,
            key_in=ApiKeyCreate(role=Role.COORDINATOR, name="outage"),
        ).key
    create_round(engine)
    run_id = queue_run(engine, time_limit_s=5)
    worker = Worker(engine, settings, InlineSolver(engine))
    worker_thread = threading.Thread(target=worker.run_forever, daemon=True)
    try:
        with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
            assert client.get("/api/v1/organizations", headers=auth(key)).status_code == 200
            private_cluster.stop()
            worker_thread.start()  # the worker starts, and polls, during the outage
            during = [
                client.get(path, headers=auth(key))
                for path in ("/api/v1/organizations", f"/api/v1/runs/{run_id}", "/api/v1/rounds")
                for _ in range(3)
            ]
            assert {answer.status_code for answer in during} == {503}
            assert all(answer.headers["Retry-After"].isdigit() for answer in during)
            time.sleep(2)
            assert worker_thread.is_alive()
            assert _status_or_none(engine, run_id) is None  # still down

            private_cluster.start()
            wait_until(lambda: client.get("/api/v1/health").status_code == 200)
            answer = client.get("/api/v1/organizations", headers=auth(key))
            assert answer.status_code == 200
            wait_until(lambda: _status(engine, run_id) == RunStatus.SUCCEEDED.value)
            assert worker_thread.is_alive()
    finally:
        worker.stop_event.set()
        if worker_thread.is_alive():
            worker_thread.join(timeout=30)
        engine.dispose()


def _status_or_none(engine: Engine, run_id: int) -> str | None:
    try:
        return _status(engine, run_id)
    except Exception:
        return None
