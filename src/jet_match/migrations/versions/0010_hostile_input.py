"""Hostile input (issue 16): external ids unique without regard to case, and the number of
attempts of a run (a solve cut by a database outage is queued again, a bounded number of
times).

The unique indexes are on `lower(external_id)` (organizations, openings, participants,
rounds, contracts), which SQLite and PostgreSQL both enforce. A database that already holds two ids
of one kind differing only in case cannot get the index: the upgrade stops before
changing anything and names every such pair, so that an operator renames one of each
(`PATCH` cannot change an external_id: export, rename, re-import, or ask the integrator);
renaming them here would silently break every client that knows the old ids.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("organizations", "openings", "participants", "rounds", "contracts")


def case_duplicates(connection: sa.Connection, table: str) -> list[list[str]]:
    """The groups of external_ids of `table` that differ only in case."""
    rows = connection.execute(
        sa.text(
            f"SELECT external_id FROM {table} WHERE lower(external_id) IN "  # noqa: S608
            f"(SELECT lower(external_id) FROM {table} GROUP BY lower(external_id) "
            "HAVING count(*) > 1) ORDER BY lower(external_id), external_id"
        )
    ).scalars()
    groups: dict[str, list[str]] = {}
    for external_id in rows:
        groups.setdefault(external_id.lower(), []).append(external_id)
    return list(groups.values())


def upgrade() -> None:
    """Apply this revision."""
    connection = op.get_bind()
    clashes = [
        f"{table}: {' / '.join(group)}"
        for table in TABLES
        for group in case_duplicates(connection, table)
    ]
    if clashes:
        raise RuntimeError(
            "external ids that differ only in case must be renamed before this upgrade "
            "(nothing was changed): " + "; ".join(clashes)
        )
    # The column first: SQLite's batch mode reflects `runs` with the tables it refers to,
    # and would warn about an expression index it cannot reflect.
    with op.batch_alter_table("runs") as batch:
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    # Runs claimed before this revision were attempted once.
    op.execute("UPDATE runs SET attempts = 1 WHERE started_at IS NOT NULL")
    for table in TABLES:
        op.create_index(
            f"uq_{table}_external_id_lower",
            table,
            [sa.text("lower(external_id)")],
            unique=True,
        )


def downgrade() -> None:
    """Revert this revision."""
    for table in TABLES:
        op.drop_index(f"uq_{table}_external_id_lower", table_name=table)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("attempts")
