"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from jet_match import models  # noqa: F401  (registers the tables)
from jet_match.db import current_revision, migrate


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        "the models and the migrations differ; write a migration "
        "(alembic revision --autogenerate -m ...)"
    )


def test_the_schema_goes_down_and_up_again(engine: Engine) -> None:
    assert current_revision(engine) is not None
    migrate_down(engine)
    assert not set(inspect(engine).get_table_names()) & {"organizations", "api_keys"}
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {table.name for table in SQLModel.metadata.sorted_tables} <= tables


def test_migrating_an_up_to_date_database_changes_nothing(engine: Engine) -> None:
    before = current_revision(engine)
    migrate(engine)
    assert current_revision(engine) == before


def migrate_down(engine: Engine) -> None:
    from alembic import command

    from jet_match.db import alembic_config

    command.downgrade(alembic_config(engine), "base")
