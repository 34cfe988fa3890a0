"""Database engine, sessions and migrations.

SQLite (the default, a file under ./var/) gets WAL journaling, a busy timeout and foreign
keys on every connection; PostgreSQL is used through psycopg 3 when
`JET_MATCH_DATABASE_URL` says so. JSON columns are decoded by orjson on both (`json_loads`:
a first review read decodes about 9,000 small documents). Engines hide statement
parameters from their errors (`hide_parameters`): a failed INSERT of a participant must
not put their name, email or medical flag into a log line or a traceback. The schema is
owned by the Alembic migrations in `jet_match/migrations`; `migrate()` brings any
database to the newest revision.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel, create_engine

from jet_match.config import Settings

MIGRATIONS = "jet_match:migrations"


def is_sqlite(url: str) -> bool:
    """The URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def json_loads(document: str | bytes) -> Any:
    """A JSON column's value: orjson (about twice as fast as the standard library), or the
    standard library for what orjson refuses (NaN and Infinity, which it writes)."""
    try:
        return orjson.loads(document)
    except orjson.JSONDecodeError:
        return json.loads(document)


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured database, with the SQLite pragmas the service relies on."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            hide_parameters=True,
            json_deserializer=json_loads,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
        )
        _install_sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(
        url,
        hide_parameters=True,
        json_deserializer=json_loads,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
    )


def _install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


#: What SQLite says when the database is there but cannot be used for now.
_SQLITE_TRANSIENT = ("database is locked", "database is busy", "unable to open database file")


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or used for now; the same work may succeed later.

    A lost or refused connection (PostgreSQL restarting, a network cut: SQLAlchemy's
    `OperationalError`/`InterfaceError`, or any error on an invalidated connection), or a
    SQLite database still locked after its busy timeout. A broken statement (a bug, a
    constraint) is not: retrying it would fail the same way.
    """
    if isinstance(exc, PoolTimeout):  # every pooled connection busy past the pool timeout
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        module = type(exc.orig).__module__ if exc.orig is not None else ""
        if module.startswith("sqlite3"):
            return str(exc.orig).lower().startswith(_SQLITE_TRANSIENT)
        return True
    return type(exc).__module__.startswith("psycopg") and type(exc).__name__ in (
        "OperationalError",
        "InterfaceError",
    )


# A write of at least this many rows is a bulk write: the planner's statistics are refreshed.
BULK_ROWS = 100


def refresh_statistics(session: Session, *tables: type[SQLModel], rows_written: int) -> None:
    """After a bulk write has committed, let PostgreSQL's planner know the tables' new sizes.

    Without it a freshly imported or re-planned table keeps the statistics of an empty one
    until autovacuum comes by (minutes, or never on a quiet server), and PostgreSQL joins
    every row of a national plan to sort out one page: 15-20 ms a page instead of 0.5 ms,
    benchmarks/README.md (f). Nothing to do for a small write (fewer than BULK_ROWS rows:
    a re-solve after one withdrawal, a sheet of a few records), or on SQLite, whose
    planner needs no statistics here.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or rows_written < BULK_ROWS:
        return
    for table in tables:
        session.execute(text(f'ANALYZE "{table.__tablename__}"'))
    session.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for a command-line or background use case (services commit themselves)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration that runs the packaged migrations on `engine`."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the database schema to `revision`."""
    command.upgrade(alembic_config(engine), revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision the packaged migrations know."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite(engine: Engine, out: Path) -> int:
    """Copy a live SQLite database to `out` with SQLite's online backup API: a consistent
    snapshot (the WAL's recent writes included) while the service keeps running. The
    number of pages copied. ValueError for another database (use pg_dump for PostgreSQL).
    """
    if not is_sqlite(str(engine.url)):
        raise ValueError("only SQLite databases: back PostgreSQL up with pg_dump")
    if out.exists():
        raise FileExistsError(f"{out} exists: choose a new file")
    out.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(out)
    try:
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            # Copied in steps of 1,024 pages: writers are only paused for one step at a time.
            source.backup(target, pages=1024)
            pages = int(target.execute("PRAGMA page_count").fetchone()[0])
        finally:
            raw.close()
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
    return pages
