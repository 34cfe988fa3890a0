"""Revision 0010: external ids unique without regard to case (a unique index on
lower(external_id), enforced by SQLite and PostgreSQL alike), and runs' attempts."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jet_match import models
from jet_match.db import alembic_config, current_revision, migrate

pytestmark = pytest.mark.usefixtures("loaded")


def _copy_organization(engine: Engine, source: str, external_id: str) -> None:
    """Insert a copy of organization `source` under another external_id, bypassing services
    (the table is the same before and after 0010, but for the index)."""
    organizations = models.Organization.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        row = connection.execute(
            select(organizations).where(organizations.c.external_id == source)
        ).one()
        values = {k: v for k, v in row._mapping.items() if k != "id"}
        connection.execute(insert(organizations).values({**values, "external_id": external_id}))


def test_the_database_refuses_an_external_id_differing_only_in_case(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        _copy_organization(engine, "ORG-A", "org-a")
    _copy_organization(engine, "ORG-A", "ORG-A2")  # a different id is fine


def test_the_upgrade_names_existing_case_duplicates_and_changes_nothing(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0010-1")
    before = current_revision(engine)
    _copy_organization(engine, "ORG-A", "org-a")  # possible before 0010
    with pytest.raises(RuntimeError, match=r"organizations: ORG-A / org-a"):
        migrate(engine)
    assert current_revision(engine) == before
    with engine.begin() as connection:
        table = models.Organization.__table__  # type: ignore[attr-defined]
        connection.execute(delete(table).where(table.c.external_id == "org-a"))
    migrate(engine)
    assert current_revision(engine) != before
    with pytest.raises(IntegrityError):
        _copy_organization(engine, "ORG-A", "Org-A")


def test_runs_started_before_the_upgrade_count_one_attempt(engine: Engine) -> None:
    from round_support import create_round, queue_run

    create_round(engine)
    run_id = queue_run(engine)
    runs = models.Run.__table__  # type: ignore[attr-defined]
    command.downgrade(alembic_config(engine), "0010-1")
    with engine.begin() as connection:
        connection.execute(
            update(runs).where(runs.c.id == run_id).values(started_at=models.utcnow())
        )
    migrate(engine)
    with engine.connect() as connection:
        attempts = connection.execute(select(runs.c.attempts).where(runs.c.id == run_id)).scalar()
    assert attempts == 1
