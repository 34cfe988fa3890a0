"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL when
JET_MATCH_TEST_DATABASE_URL is set), the app and its client, keys of every role, and a
small valid dataset loaded into the database; a live `jet-match serve` (with its
embedded worker) for the end-to-end tests.

Isolation: on SQLite, every test gets its own copy of a database file migrated once per
session. On PostgreSQL, every test session (every xdist worker) migrates its own schema
(`jm_test_<random>`, dropped at the end), and every test starts from empty tables, so
runs can share one database server and one database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.db import make_engine, migrate
from jet_match.main import create_app
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.security import api_keys
from jet_match.statuses import Role
from round_support import solved_round
from service_support import Keys, MakeKey, build_small_dataset, free_port

TEST_DATABASE_URL = os.environ.get("JET_MATCH_TEST_DATABASE_URL") or None
# Commands the suite runs in its own process (`jet-match solve` through CliRunner) leave
# its allocator as it is: the process would keep its largest test's memory to the end.
os.environ.setdefault("JET_MATCH_KEEP_FREED_MEMORY", "false")
ON_POSTGRES = TEST_DATABASE_URL is not None


@dataclass(frozen=True)
class TemplateDatabase:
    """A migrated database that tests copy (SQLite) or empty (PostgreSQL)."""

    url: str
    sqlite_file: Path | None


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemplateDatabase]:
    """Migrated once per test session (per xdist worker)."""
    if TEST_DATABASE_URL is not None:
        schema = f"jm_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        engine = make_engine(Settings(database_url=rendered, environment="test"))
        migrate(engine)
        engine.dispose()
        try:
            yield TemplateDatabase(rendered, None)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "jet-match.db"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}", environment="test"))
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    yield TemplateDatabase(f"sqlite:///{path}", path)


@pytest.fixture
def database_url(template_database: TemplateDatabase, tmp_path: Path) -> str:
    """A migrated, empty database for this test alone."""
    if template_database.sqlite_file is not None:
        target = tmp_path / "jet-match.db"
        shutil.copyfile(template_database.sqlite_file, target)
        return f"sqlite:///{target}"
    engine = create_engine(template_database.url)
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return template_database.url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for the test's database (gc_freeze off: a test process starts hundreds of
    apps, and freezing would keep each test's leftovers for good; keep_freed_memory off:
    the suite's process would keep its largest test's memory to the end)."""
    return Settings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        gc_freeze=False,
        keep_freed_memory=False,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The engine of the test's database."""
    engine = make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test's database (services commit their own work)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The application on the test's database."""
    return create_app(settings, engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client talking to the app in-process."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def make_key(engine: Engine) -> MakeKey:
    """`make_key(Role.HOST_ORG, organization="ORG-A")` -> a bearer key, made directly."""

    def make(role: Role, organization: str | None = None, name: str = "test") -> str:
        with Session(engine, expire_on_commit=False) as session:
            created = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=role, organization=organization, name=name),
            )
        return created.key

    return make


@pytest.fixture
def small_dataset() -> fmt.Dataset:
    """The small valid dataset (see build_small_dataset)."""
    return build_small_dataset()


@pytest.fixture
def loaded(engine: Engine, small_dataset: fmt.Dataset) -> fmt.Dataset:
    """The small dataset, imported into the test's database."""
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(
            session=session, caller=COMMAND_LINE, raw=fmt.dataset_to_json(small_dataset)
        )
    return small_dataset


@pytest.fixture
def keys(loaded: fmt.Dataset, make_key: MakeKey, engine: Engine) -> Keys:
    """Keys of every role over the loaded small dataset."""
    revoked = make_key(Role.COORDINATOR, name="revoked")
    with Session(engine, expire_on_commit=False) as session:
        api_keys.revoke_key(session=session, caller=COMMAND_LINE, key_id=revoked.split("_")[1])
    return Keys(
        coordinator=make_key(Role.COORDINATOR, name="coordinator"),
        host_own=make_key(Role.HOST_ORG, organization="ORG-A", name="host A"),
        host_other=make_key(Role.HOST_ORG, organization="ORG-B", name="host B"),
        career_fair=make_key(Role.CAREER_FAIR, name="career fair"),
        revoked=revoked,
    )


@pytest.fixture
def solved(keys: Keys, engine: Engine, settings: Settings) -> str:
    """round_support.ROUND over the small dataset, solved once (and keys of every role)."""
    return solved_round(engine, settings)


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """`jet-match serve` on a free port, on the test's database; its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "JET_MATCH_DATABASE_URL": database_url,
        "JET_MATCH_LOG_LEVEL": "WARNING",
        "JET_MATCH_WORKER_POLL_S": "0.2",
        "JET_MATCH_WORKER_PROGRESS_S": "0.5",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jet_match.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                _, err = process.communicate(timeout=5)
                raise AssertionError(f"the server did not start: {err.decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
