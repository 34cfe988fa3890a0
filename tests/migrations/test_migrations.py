"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Insert, inspect
from sqlmodel import SQLModel, col

from jet_match import models  # also registers the tables
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


@pytest.mark.usefixtures("loaded")
def test_publications_made_before_0003_get_their_result_fields(engine: Engine) -> None:
    """0003 copies position, organization name and prefecture into older publications."""
    from alembic import command
    from sqlalchemy import MetaData, insert, select

    from jet_match.db import alembic_config

    command.downgrade(alembic_config(engine), "0002")  # publications as 0002 made them
    tables = MetaData()
    tables.reflect(engine)
    now = models.utcnow()
    with engine.begin() as connection:
        ids = {
            name: dict(
                connection.execute(
                    select(tables.tables[name].c.external_id, tables.tables[name].c.id)
                ).all()
            )
            for name in ("participants", "openings", "organizations")
        }
        round_id = _inserted(
            connection,
            insert(tables.tables["rounds"]).values(
                external_id="R-OLD",
                name="old",
                programme_year=2026,
                positions=["ALT"],
                weights={},
                time_limit_s=5,
                seed=0,
                status="published",
                published_version=1,
                version=3,
                created_at=now,
                updated_at=now,
            ),
        )
        publication_id = _inserted(
            connection,
            insert(tables.tables["publications"]).values(
                round_id=round_id, version=1, published_at=now, published_by="cli", summary={}
            ),
        )
        connection.execute(
            insert(tables.tables["published_placements"]).values(
                publication_id=publication_id,
                participant_id=ids["participants"]["P-1"],
                opening_id=ids["openings"]["OPN-B1"],
                organization_id=ids["organizations"]["ORG-B"],
                score=100,
                breakdown={},
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        published = models.PublishedPlacement
        copied = connection.execute(
            select(
                col(published.position),
                col(published.organization_name),
                col(published.prefecture),
            )
        ).one()
    assert tuple(copied) == ("ALT", "Shinjuku City", 13)


def _inserted(connection: Connection, statement: Insert) -> int:
    """Execute an INSERT; the new row's id."""
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])
