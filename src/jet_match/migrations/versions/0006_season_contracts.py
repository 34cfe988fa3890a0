"""The season (issue 12, part 1): contracts in post, programme years (intention deadlines),
openings' `posts`, and prefecture scope for host keys and users.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("citizenship", sa.String(length=2), nullable=False),
        sa.Column("position", sa.String(length=3), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("year_in_programme", sa.Integer(), nullable=False),
        sa.Column("japanese_level", sa.String(length=4), nullable=False),
        sa.Column("field_of_study", sa.String(length=100), nullable=True),
        sa.Column("intention", sa.String(length=20), nullable=False),
        sa.Column("intention_set_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_contracts_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_contracts_opening_id_openings"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contracts_external_id")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_intention"), ["intention"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_opening_id"), ["opening_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contracts_organization_id"), ["organization_id"], unique=False
        )
    op.create_table(
        "programme_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_year", sa.Integer(), nullable=False),
        sa.Column("intention_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undecided_as_leaving", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_years")),
        sa.UniqueConstraint("programme_year", name=op.f("uq_programme_years_programme_year")),
    )
    with op.batch_alter_table("openings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("posts", sa.Integer(), nullable=True))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prefecture_scope", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prefecture_scope", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("prefecture_scope")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("prefecture_scope")
    with op.batch_alter_table("openings", schema=None) as batch_op:
        batch_op.drop_column("posts")
    op.drop_table("programme_years")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_organization_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_opening_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_intention"))
        batch_op.drop_index(batch_op.f("ix_contracts_ends_on"))
    op.drop_table("contracts")
