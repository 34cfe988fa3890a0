"""Alembic environment: runs the packaged migrations on the service's database.

The engine comes from `config.attributes["engine"]` when the service migrates itself
(`jet_match.db.migrate`), otherwise from the settings (`alembic upgrade head` in a
checkout, with alembic.ini). SQLite gets batch mode, so ALTERs become table copies.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine
from sqlmodel import SQLModel

import jet_match.models  # noqa: F401  (registers the tables on the metadata)
from jet_match.config import get_settings
from jet_match.db import make_engine

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a live connection (the only mode the service uses)."""
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = make_engine(get_settings())
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them on a database")
run_migrations_online()
