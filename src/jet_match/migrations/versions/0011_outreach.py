"""Host-organization development (prospects and their contact log) and the career fair
(fairs, their employers, consents of leaving JETs and registrations), issue 14.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:41:07.115588
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "fairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fairs")),
        sa.UniqueConstraint("external_id", name=op.f("uq_fairs_external_id")),
    )
    op.create_table(
        "fair_employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_fair_employers_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fair_employers")),
        sa.UniqueConstraint("fair_id", "external_id", name=op.f("uq_fair_employers_fair_id")),
    )
    with op.batch_alter_table("fair_employers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fair_employers_fair_id"), ["fair_id"], unique=False)

    op.create_table(
        "prospects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=True),
        sa.Column("prefecture", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area_type", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("next_action", sa.String(length=500), nullable=True),
        sa.Column("next_action_on", sa.Date(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("places_added", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_prospects_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospects")),
        sa.UniqueConstraint("external_id", name=op.f("uq_prospects_external_id")),
    )
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospects_prefecture"), ["prefecture"], unique=False)
        batch_op.create_index(batch_op.f("ix_prospects_stage"), ["stage"], unique=False)

    op.create_table(
        "prospect_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_contacts_prospect_id_prospects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_contacts")),
    )
    with op.batch_alter_table("prospect_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prospect_contacts_prospect_id"), ["prospect_id"], unique=False
        )
    op.create_table(
        "fair_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("fairs", sa.JSON(), nullable=False),
        sa.Column("available_month", sa.String(length=7), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_fair_consents_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fair_consents")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_fair_consents_contract_id")),
    )
    with op.batch_alter_table("fair_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fair_consents_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "fair_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.String(length=32), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_fair_registrations_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_fair_registrations_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fair_registrations")),
        sa.UniqueConstraint("entry", name=op.f("uq_fair_registrations_entry")),
        sa.UniqueConstraint("fair_id", "contract_id", name=op.f("uq_fair_registrations_fair_id")),
    )
    with op.batch_alter_table("fair_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fair_registrations_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fair_registrations_fair_id"), ["fair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fair_registrations_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("fair_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_registrations_updated_at"))
        batch_op.drop_index(batch_op.f("ix_fair_registrations_fair_id"))
        batch_op.drop_index(batch_op.f("ix_fair_registrations_contract_id"))

    op.drop_table("fair_registrations")
    with op.batch_alter_table("fair_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_consents_updated_at"))

    op.drop_table("fair_consents")
    with op.batch_alter_table("prospect_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_contacts_prospect_id"))

    op.drop_table("prospect_contacts")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospects_stage"))
        batch_op.drop_index(batch_op.f("ix_prospects_prefecture"))

    op.drop_table("prospects")
    with op.batch_alter_table("fair_employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_employers_fair_id"))

    op.drop_table("fair_employers")
    op.drop_table("fairs")
