"""Database tables (SQLModel). Tables only: no behaviour, never sent over HTTP.

Records keep the dataset's field names (DESIGN.md section 2) so that converting a row to
a `jet_match.dataset.format` record is a rename-free copy; references between records are
integer foreign keys, while clients only ever see external_ids. Enumerations are stored
as short strings and lists as JSON, which behave the same on SQLite and PostgreSQL.
`version` counts the writes of a row: it is the ETag, and updates compare-and-swap on it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so that migrations can name what they alter or drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTERNAL_ID_LENGTH = 64


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _timestamp(**kwargs: Any) -> Any:
    return Field(
        default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False, **kwargs
    )


def _text(length: int, *, nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_type=sa.String(length), nullable=nullable, **kwargs)


def _external_id() -> Any:
    return Field(sa_type=sa.String(EXTERNAL_ID_LENGTH), nullable=False, unique=True)


def _json_list() -> Any:
    return Field(default_factory=list, sa_type=sa.JSON, nullable=False)


class Organization(SQLModel, table=True):
    """A Contracting Organization (host organization)."""

    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    name: str = _text(200)
    name_ja: str | None = _text(200, nullable=True, default=None)
    kind: str = _text(20)
    prefecture: int = Field(nullable=False, index=True)
    area_type: str = _text(20)
    medical_access: bool = Field(default=False, nullable=False)
    sister_regions: list[str] = _json_list()
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Opening(SQLModel, table=True):
    """A position an organization offers (`slots` people can take it)."""

    __tablename__ = "openings"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    organization_id: int = Field(
        foreign_key="organizations.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    position: str = _text(3, index=True)
    slots: int = Field(nullable=False)
    school_level: str = _text(20)
    min_japanese_level: str = _text(4)
    driving_required: bool = Field(default=False, nullable=False)
    requested_countries: list[str] = _json_list()
    country_required: bool = Field(default=False, nullable=False)
    prefers_experience: bool = Field(default=False, nullable=False)
    sport: str | None = _text(50, nullable=True, default=None)
    status: str = _text(20, index=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Participant(SQLModel, table=True):
    """An applicant. Personal data: every read through the API is audited."""

    __tablename__ = "participants"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    family_name: str = _text(100)
    given_name: str = _text(100)
    email: str = _text(254)
    citizenship: str = _text(2, index=True)
    home_region: str | None = _text(6, nullable=True, default=None)
    position: str = _text(3, index=True)
    status: str = _text(20, index=True)
    alternate_rank: int | None = Field(default=None, nullable=True)
    japanese_level: str = _text(4)
    teaching_experience_years: int = Field(default=0, nullable=False)
    can_drive: bool = Field(default=False, nullable=False)
    preferred_prefectures: list[int] = _json_list()
    area_preference: str = _text(20)
    school_level_preference: str = _text(20)
    needs_medical_access: bool = Field(default=False, nullable=False)
    sport: str | None = _text(50, nullable=True, default=None)
    # The couple link is kept mutual by the services: both rows point at each other.
    partner_id: int | None = Field(
        default=None, foreign_key="participants.id", nullable=True, ondelete="SET NULL"
    )
    partner_constraint: str | None = _text(20, nullable=True, default=None)
    # Operations (issue 15): when retention removed the person's identifying data.
    anonymised_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class ApiKey(SQLModel, table=True):
    """An API key. Only the SHA-256 of its secret is stored; `prefix` identifies it."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(sa_type=sa.String(16), nullable=False, unique=True)
    secret_hash: str = _text(64)
    role: str = _text(20)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    name: str = _text(100)
    created_at: datetime = _timestamp()
    created_by_key_id: int | None = Field(default=None, foreign_key="api_keys.id", nullable=True)
    revoked_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    # Operations (issue 15): keys that age.
    expires_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    last_used_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )


class AuditEvent(SQLModel, table=True):
    """Who did what, when, through which request. Holds ids and field names, never values."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = _timestamp(index=True)
    actor_key_id: int | None = Field(
        default=None, foreign_key="api_keys.id", nullable=True, index=True
    )
    actor: str = _text(100)
    action: str = _text(50, index=True)
    resource_type: str = _text(30)
    resource_id: str | None = _text(EXTERNAL_ID_LENGTH, nullable=True, default=None, index=True)
    request_id: str | None = _text(128, nullable=True, default=None)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_keys.id", nullable=False, ondelete="CASCADE")
    key: str = _text(255)
    operation: str = _text(50)
    fingerprint: str = _text(64)
    status_code: int = Field(nullable=False)
    etag: str | None = _text(64, nullable=True, default=None)
    body: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = _timestamp(index=True)


# --- matching rounds: rounds, runs, plans, publications ----------------------


class Round(SQLModel, table=True):
    """A matching round: its policy, its lifecycle and its working plan (in `placements`).

    `version` is the ETag of the round *and* of its plan: every change to either (a run's
    plan, an adjustment, a forbidden pair, a publication, a withdrawal) bumps it, so an
    If-Match on any of them refuses a write based on a plan the caller has not seen.
    `active_run_id` is set while a run is queued or running (one at a time per round).
    """

    __tablename__ = "rounds"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    name: str = _text(200)
    programme_year: int = Field(nullable=False)
    positions: list[str] = _json_list()
    weights: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    max_country_share_per_prefecture: float | None = Field(default=None, nullable=True)
    time_limit_s: float = Field(nullable=False)
    seed: int = Field(default=0, nullable=False)
    status: str = _text(20, index=True)
    published_version: int = Field(default=0, nullable=False)
    active_run_id: int | None = Field(default=None, nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Run(SQLModel, table=True):
    """One solve of a round. The row is also the queue entry a worker claims.

    `progress` holds the latest report (elapsed, best objective, bound, gap, phase);
    `outcome` the solver's summary once done; `plan` the run's placements as
    `[participant, opening, score]` triples (kept for comparisons); `unplaced` the
    participants it left unplaced with the reasons.
    """

    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False, index=True)
    status: str = _text(20, index=True)
    minimise_disruption: bool = Field(default=True, nullable=False)
    time_limit_s: float = Field(nullable=False)
    seed: int = Field(default=0, nullable=False)
    base_version: int = Field(nullable=False)
    requested_by: str = _text(100)
    cancel_requested: bool = Field(default=False, nullable=False)
    worker: str | None = _text(100, nullable=True, default=None)
    created_at: datetime = _timestamp()
    started_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    heartbeat_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    finished_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    progress: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    outcome: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    plan: list[Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    unplaced: list[Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    error: str | None = _text(1000, nullable=True, default=None)


class Placement(SQLModel, table=True):
    """A participant's place in a round's working plan (the plan coordinators adjust)."""

    __tablename__ = "placements"
    __table_args__ = (sa.UniqueConstraint("round_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False, index=True)
    pinned: bool = Field(default=False, nullable=False)
    score: int = Field(nullable=False)
    breakdown: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    source: str = _text(20)
    override_reason: str | None = _text(500, nullable=True, default=None)
    updated_at: datetime = _timestamp()


class ForbiddenPair(SQLModel, table=True):
    """A participant x opening pair that no run of the round may use."""

    __tablename__ = "forbidden_pairs"
    __table_args__ = (sa.UniqueConstraint("round_id", "participant_id", "opening_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False)
    created_at: datetime = _timestamp()


class Publication(SQLModel, table=True):
    """Version N of a round's plan, frozen when a coordinator published it."""

    __tablename__ = "publications"
    __table_args__ = (sa.UniqueConstraint("round_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    version: int = Field(nullable=False)
    published_at: datetime = _timestamp()
    published_by: str = _text(100)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    # The scoring policy of the plan (weights, cap, digest); None before revision 0005.
    policy: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)


class PublishedPlacement(SQLModel, table=True):
    """A placement of a publication, never changed: `organization_id` for host reads, and
    what career-fair results show of the records as they were when it was published
    (`position`, `organization_name`, `prefecture`), so that a published version reads
    the same whatever happens to the records afterwards."""

    __tablename__ = "published_placements"
    __table_args__ = (sa.UniqueConstraint("publication_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publications.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False)
    organization_id: int = Field(foreign_key="organizations.id", nullable=False, index=True)
    score: int = Field(nullable=False)
    breakdown: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    position: str = _text(3)
    organization_name: str = _text(200)
    prefecture: int = Field(nullable=False)


# --- Staff accounts of the workspace (/app, docs/workspace.md) ----------------------------


class User(SQLModel, table=True):
    """A person who signs in to the workspace. `email` is stored lower-cased (unique);
    only the argon2id hash of the password is kept."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=sa.String(254), nullable=False, unique=True)
    display_name: str = _text(200)
    role: str = _text(20)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    locale: str | None = _text(5, nullable=True, default=None)
    disabled: bool = Field(default=False, nullable=False)
    password_hash: str = _text(255)
    failed_sign_ins: int = Field(default=0, nullable=False)
    locked_until: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    created_at: datetime = _timestamp()
    last_sign_in_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a secret whose SHA-256 is `token_hash`.
    Signing out deletes the row; a row idle longer than the timeout is refused (and deleted)."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), nullable=False, unique=True)
    user_id: int = Field(foreign_key="users.id", nullable=False, index=True, ondelete="CASCADE")
    csrf_token: str = _text(64)
    created_at: datetime = _timestamp()
    last_seen_at: datetime = _timestamp()


# --- operations (issue 15): worker heartbeats -------------------------------------


class WorkerHeartbeat(SQLModel, table=True):
    """A worker process that is alive: it writes `beat_at` every few seconds, idle or
    busy, and deletes its row when it stops. Readiness needs one recent beat."""

    __tablename__ = "worker_heartbeats"

    id: int | None = Field(default=None, primary_key=True)
    worker: str = Field(sa_type=sa.String(100), nullable=False, unique=True)
    started_at: datetime = _timestamp()
    beat_at: datetime = _timestamp(index=True)
    run_id: int | None = Field(default=None, nullable=True)
