"""The season after publication: offers of vacancies to alternates, withdrawals with
reasons and dates, placement notices as issued, and the round's season policy (arrival
groups, their cut-off, how offers are made).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Not in batch: SQLite would copy `rounds`, which other tables' rows refer to.
    op.add_column(
        "rounds", sa.Column("season", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("partner_opening_id", sa.Integer(), nullable=True),
        sa.Column("live_participant_id", sa.Integer(), nullable=True),
        sa.Column("live_partner_id", sa.Integer(), nullable=True),
        sa.Column("alternate_rank", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=100), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follows_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["follows_id"], ["offers.id"], name=op.f("fk_offers_follows_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_offers_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["participants.id"], name=op.f("fk_offers_partner_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["partner_opening_id"],
            ["openings.id"],
            name=op.f("fk_offers_partner_opening_id_openings"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_offers_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_offers_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("live_participant_id", name=op.f("uq_offers_live_participant_id")),
        sa.UniqueConstraint("live_partner_id", name=op.f("uq_offers_live_partner_id")),
    )
    with op.batch_alter_table("offers") as batch:
        batch.create_index(batch.f("ix_offers_round_id"), ["round_id"], unique=False)
        batch.create_index(batch.f("ix_offers_participant_id"), ["participant_id"], unique=False)
        batch.create_index(batch.f("ix_offers_opening_id"), ["opening_id"], unique=False)
        batch.create_index(batch.f("ix_offers_status"), ["status"], unique=False)
        batch.create_index(batch.f("ix_offers_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "withdrawal_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_withdrawal_records_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawal_records")),
    )
    with op.batch_alter_table("withdrawal_records") as batch:
        batch.create_index(
            batch.f("ix_withdrawal_records_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "notice_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_notice_issues_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_issues")),
        sa.UniqueConstraint(
            "round_id", "kind", "subject", "version", name=op.f("uq_notice_issues_round_id")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("notice_issues")
    with op.batch_alter_table("withdrawal_records") as batch:
        batch.drop_index(batch.f("ix_withdrawal_records_participant_id"))
    op.drop_table("withdrawal_records")
    with op.batch_alter_table("offers") as batch:
        for column in ("expires_at", "status", "opening_id", "participant_id", "round_id"):
            batch.drop_index(batch.f(f"ix_offers_{column}"))
    op.drop_table("offers")
    # Not in batch: SQLite would copy `rounds`, which other tables' rows refer to.
    op.drop_column("rounds", "season")
