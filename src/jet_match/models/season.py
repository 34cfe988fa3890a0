"""The season (docs/season.md): contracts in post, intentions, programme years; offers to
alternates, withdrawals, placement notices (issue 12)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import (
    EXTERNAL_ID_LENGTH,
    external_id_column,
    text,
    timestamp,
    unique_ignoring_case,
)


class Contract(SQLModel, table=True):
    """A JET in post: a contract with an organization on one of its openings.

    Personal data (names, citizenship): reads through the API are audited. The
    reappointment year is the year of `ends_on` (indexed: demand reads one year).
    """

    __tablename__ = "contracts"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    family_name: str = text(100)
    given_name: str = text(100)
    citizenship: str = text(2)
    position: str = text(3)
    organization_id: int = Field(
        foreign_key="organizations.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    opening_id: int = Field(
        foreign_key="openings.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    started_on: date = Field(sa_type=sa.Date, nullable=False)
    ends_on: date = Field(sa_type=sa.Date, nullable=False, index=True)
    year_in_programme: int = Field(nullable=False)
    japanese_level: str = text(4)
    field_of_study: str | None = text(100, nullable=True, default=None)
    intention: str = text(20, index=True)
    intention_set_on: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ProgrammeYear(SQLModel, table=True):
    """What coordinators set for one programme year: until when hosts may set intentions,
    and whether undecided JETs count as leaving in the demand."""

    __tablename__ = "programme_years"

    id: int | None = Field(default=None, primary_key=True)
    programme_year: int = Field(nullable=False, unique=True)
    intention_deadline: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    undecided_as_leaving: bool = Field(default=False, nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Offer(SQLModel, table=True):
    """A vacancy offered to an alternate (or to a couple of alternates, `partner_id` with
    `partner_opening_id`), open until `expires_at`.

    `live_participant_id` / `live_partner_id` equal the alternates' ids while the offer is
    open and are NULL otherwise: their unique constraints let an alternate hold at most one
    live offer even when two requests make offers at once. `version` is the ETag: accept,
    decline and withdraw compare-and-swap on it, so of two answers only one wins.
    """

    __tablename__ = "offers"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False, index=True)
    participant_id: int = Field(foreign_key="participants.id", nullable=False, index=True)
    opening_id: int = Field(foreign_key="openings.id", nullable=False, index=True)
    partner_id: int | None = Field(default=None, foreign_key="participants.id", nullable=True)
    partner_opening_id: int | None = Field(default=None, foreign_key="openings.id", nullable=True)
    live_participant_id: int | None = Field(default=None, nullable=True, unique=True)
    live_partner_id: int | None = Field(default=None, nullable=True, unique=True)
    alternate_rank: int | None = Field(default=None, nullable=True)
    score: int = Field(nullable=False)
    status: str = text(20, index=True)
    automatic: bool = Field(default=False, nullable=False)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False, index=True)
    made_by: str = text(100)
    decided_by: str | None = text(100, nullable=True, default=None)
    decided_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    # The offer this one passed on (after a decline or an expiry).
    follows_id: int | None = Field(default=None, foreign_key="offers.id", nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WithdrawalRecord(SQLModel, table=True):
    """A participant's withdrawal: when, why (a `WithdrawalReason`, optional) and a note."""

    __tablename__ = "withdrawal_records"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", nullable=False, index=True)
    reason: str | None = text(20, nullable=True, default=None)
    note: str | None = text(500, nullable=True, default=None)
    withdrawn_on: date = Field(nullable=False)
    recorded_at: datetime = timestamp()
    recorded_by: str = text(100)


class NoticeIssue(SQLModel, table=True):
    """A placement notice issued for a published version to one organization or one
    sending country: who issued it, when, and the lines it listed (what a re-issue
    compares with)."""

    __tablename__ = "notice_issues"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind", "subject", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    kind: str = text(20)
    subject: str = text(EXTERNAL_ID_LENGTH)
    version: int = Field(nullable=False)
    issued_at: datetime = timestamp()
    issued_by: str = text(100)
    lines: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)


unique_ignoring_case(Contract)
