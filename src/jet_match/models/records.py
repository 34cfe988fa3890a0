"""The records of the dataset: host organizations, their openings, participants."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import (
    external_id_column,
    json_list,
    text,
    timestamp,
    unique_ignoring_case,
)


class Organization(SQLModel, table=True):
    """A Contracting Organization (host organization)."""

    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    name: str = text(200)
    name_ja: str | None = text(200, nullable=True, default=None)
    kind: str = text(20)
    prefecture: int = Field(nullable=False, index=True)
    area_type: str = text(20)
    medical_access: bool = Field(default=False, nullable=False)
    sister_regions: list[str] = json_list()
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Opening(SQLModel, table=True):
    """A position an organization offers (`slots` people can take it)."""

    __tablename__ = "openings"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    organization_id: int = Field(
        foreign_key="organizations.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    position: str = text(3, index=True)
    slots: int = Field(nullable=False)
    school_level: str = text(20)
    min_japanese_level: str = text(4)
    driving_required: bool = Field(default=False, nullable=False)
    requested_countries: list[str] = json_list()
    country_required: bool = Field(default=False, nullable=False)
    prefers_experience: bool = Field(default=False, nullable=False)
    sport: str | None = text(50, nullable=True, default=None)
    status: str = text(20, index=True)
    # How many JETs the opening employs in all (season: demand); None: as many as `slots`.
    posts: int | None = Field(default=None, nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Participant(SQLModel, table=True):
    """An applicant. Personal data: every read through the API is audited."""

    __tablename__ = "participants"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    family_name: str = text(100)
    given_name: str = text(100)
    email: str = text(254)
    citizenship: str = text(2, index=True)
    home_region: str | None = text(6, nullable=True, default=None)
    position: str = text(3, index=True)
    status: str = text(20, index=True)
    alternate_rank: int | None = Field(default=None, nullable=True)
    japanese_level: str = text(4)
    teaching_experience_years: int = Field(default=0, nullable=False)
    can_drive: bool = Field(default=False, nullable=False)
    preferred_prefectures: list[int] = json_list()
    area_preference: str = text(20)
    school_level_preference: str = text(20)
    needs_medical_access: bool = Field(default=False, nullable=False)
    sport: str | None = text(50, nullable=True, default=None)
    # The couple link is kept mutual by the services: both rows point at each other.
    partner_id: int | None = Field(
        default=None, foreign_key="participants.id", nullable=True, ondelete="SET NULL"
    )
    partner_constraint: str | None = text(20, nullable=True, default=None)
    # Operations (issue 15): when retention removed the person's identifying data.
    anonymised_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


for _table in (Organization, Opening, Participant):
    unique_ignoring_case(_table)
