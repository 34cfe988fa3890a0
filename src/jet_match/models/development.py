"""Host-organization development (受入団体開拓, issue 14): prospects and the contacts with them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import external_id_column, text, timestamp


class Prospect(SQLModel, table=True):
    """A municipality or school the section hopes to make a host organization.

    `stage` follows identified -> contacted -> interested -> request_submitted -> hosting
    (or declined); converting an agreed prospect creates its organization, linked here by
    `organization_id`. Coordinators only (docs/development.md)."""

    __tablename__ = "prospects"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    name: str = text(200)
    name_ja: str | None = text(200, nullable=True, default=None)
    prefecture: int = Field(nullable=False, index=True)
    kind: str = text(20)
    area_type: str = text(20)
    contact_name: str | None = text(200, nullable=True, default=None)
    contact_email: str | None = text(254, nullable=True, default=None)
    stage: str = text(20, index=True)
    owner: str | None = text(100, nullable=True, default=None)
    next_action: str | None = text(500, nullable=True, default=None)
    next_action_on: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    places_added: int = Field(default=0, nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ProspectContact(SQLModel, table=True):
    """One dated contact with a prospect (a call, a visit, a letter) and what came of it."""

    __tablename__ = "prospect_contacts"

    id: int | None = Field(default=None, primary_key=True)
    prospect_id: int = Field(
        foreign_key="prospects.id", nullable=False, index=True, ondelete="CASCADE"
    )
    contacted_on: date = Field(sa_type=sa.Date, nullable=False)
    channel: str = text(20)
    summary: str = text(1000)
    recorded_by: str = text(100)
    created_at: datetime = timestamp()
