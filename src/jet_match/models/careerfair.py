"""The career fair (キャリアフェア, issue 14): fairs, employers, consents, registrations."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import (
    EXTERNAL_ID_LENGTH,
    external_id_column,
    json_list,
    text,
    timestamp,
)


class Fair(SQLModel, table=True):
    """A JET career fair: where and when, and how many people it takes."""

    __tablename__ = "fairs"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    name: str = text(200)
    held_on: date = Field(sa_type=sa.Date, nullable=False)
    venue: str | None = text(200, nullable=True, default=None)
    online: bool = Field(default=False, nullable=False)
    capacity: int = Field(nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class FairEmployer(SQLModel, table=True):
    """An employer taking part in a fair (the company's contact, not a JET's)."""

    __tablename__ = "fair_employers"
    __table_args__ = (sa.UniqueConstraint("fair_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    fair_id: int = Field(foreign_key="fairs.id", nullable=False, index=True, ondelete="CASCADE")
    external_id: str = text(EXTERNAL_ID_LENGTH)
    company: str = text(200)
    sector: str = text(100)
    contact_name: str | None = text(200, nullable=True, default=None)
    contact_email: str | None = text(254, nullable=True, default=None)
    created_at: datetime = timestamp()


class FairConsent(SQLModel, table=True):
    """A leaving JET's consent to be shown to employers at career fairs.

    One row per contract; `withdrawn_at` set means withdrawn (it can be given again,
    which clears it). `scope` is `all_fairs` or `named_fairs` (then `fairs` lists the
    fairs' external_ids). `available_month` (YYYY-MM) overrides the month after the
    contract ends."""

    __tablename__ = "fair_consents"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(
        foreign_key="contracts.id", nullable=False, unique=True, ondelete="CASCADE"
    )
    given_on: date = Field(sa_type=sa.Date, nullable=False)
    scope: str = text(20)
    fairs: list[str] = json_list()
    available_month: str | None = text(7, nullable=True, default=None)
    withdrawn_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp(index=True)


class FairRegistration(SQLModel, table=True):
    """A consenting leaving JET registered to a fair; `entry` is the opaque reference
    roster syncs use (it means nothing outside this fair's roster)."""

    __tablename__ = "fair_registrations"
    __table_args__ = (sa.UniqueConstraint("fair_id", "contract_id"),)

    id: int | None = Field(default=None, primary_key=True)
    fair_id: int = Field(foreign_key="fairs.id", nullable=False, index=True, ondelete="CASCADE")
    contract_id: int = Field(
        foreign_key="contracts.id", nullable=False, index=True, ondelete="CASCADE"
    )
    entry: str = Field(sa_type=sa.String(32), nullable=False, unique=True)
    # Set when the registration is cancelled: kept, so that roster syncs report the removal.
    cancelled_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp(index=True)
