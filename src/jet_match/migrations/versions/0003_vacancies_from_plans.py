"""Vacancies come from the plans, published placements keep what results show.

A vacancy is now computed from the working plan and the latest publication (no table);
published placements keep the participant's position and the organization's name and
prefecture as they were when published.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancies_round_id"))
    op.drop_table("vacancies")

    with op.batch_alter_table("published_placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("organization_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("prefecture", sa.Integer(), nullable=True))
    # Publications made before this revision: the records as they are now.
    op.execute(
        "UPDATE published_placements SET "
        "position = (SELECT participants.position FROM participants "
        "WHERE participants.id = published_placements.participant_id), "
        "organization_name = (SELECT organizations.name FROM organizations "
        "WHERE organizations.id = published_placements.organization_id), "
        "prefecture = (SELECT organizations.prefecture FROM organizations "
        "WHERE organizations.id = published_placements.organization_id)"
    )
    with op.batch_alter_table("published_placements", schema=None) as batch_op:
        batch_op.alter_column("position", existing_type=sa.String(length=3), nullable=False)
        batch_op.alter_column(
            "organization_name", existing_type=sa.String(length=200), nullable=False
        )
        batch_op.alter_column("prefecture", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    """Revert this revision (vacancies recorded since are not recovered)."""
    with op.batch_alter_table("published_placements", schema=None) as batch_op:
        batch_op.drop_column("prefecture")
        batch_op.drop_column("organization_name")
        batch_op.drop_column("position")

    op.create_table(
        "vacancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filled_by_id", sa.Integer(), nullable=True),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["filled_by_id"],
            ["participants.id"],
            name=op.f("fk_vacancies_filled_by_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_vacancies_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_vacancies_round_id_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_id"],
            ["participants.id"],
            name=op.f("fk_vacancies_withdrawn_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancies_round_id"), ["round_id"], unique=False)
