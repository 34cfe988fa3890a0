"""Database tables (SQLModel). Tables only: no behaviour, never sent over HTTP.

Records keep the dataset's field names (DESIGN.md section 2) so that converting a row to
a `jet_match.dataset.format` record is a rename-free copy; references between records are
integer foreign keys, while clients only ever see external_ids. Enumerations are stored
as short strings and lists as JSON, which behave the same on SQLite and PostgreSQL.
`version` counts the writes of a row: it is the ETag, and updates compare-and-swap on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
    # How many JETs the opening employs in all (season: demand); None: as many as `slots`.
    posts: int | None = Field(default=None, nullable=True)
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
    # A host key of a prefecture may read its prefecture's organizations (season).
    prefecture_scope: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": sa.false()}
    )
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
    # The season's part of the policy: arrival groups, their cut-off, how offers are made.
    season: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
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
    # How many times a worker claimed the run: a solve cut by a database outage is queued
    # again while attempts < `run_max_attempts` (services/rounds/queue.py).
    attempts: int = Field(default=0, nullable=False)


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
    # A host user of a prefecture may read its prefecture's organizations (season).
    prefecture_scope: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": sa.false()}
    )
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


# --- The season: contracts in post, intentions, programme years (docs/season.md) ------


class Contract(SQLModel, table=True):
    """A JET in post: a contract with an organization on one of its openings.

    Personal data (names, citizenship): reads through the API are audited. The
    reappointment year is the year of `ends_on` (indexed: demand reads one year).
    """

    __tablename__ = "contracts"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    family_name: str = _text(100)
    given_name: str = _text(100)
    citizenship: str = _text(2)
    position: str = _text(3)
    organization_id: int = Field(
        foreign_key="organizations.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    opening_id: int = Field(
        foreign_key="openings.id", nullable=False, index=True, ondelete="RESTRICT"
    )
    started_on: date = Field(sa_type=sa.Date, nullable=False)
    ends_on: date = Field(sa_type=sa.Date, nullable=False, index=True)
    year_in_programme: int = Field(nullable=False)
    japanese_level: str = _text(4)
    field_of_study: str | None = _text(100, nullable=True, default=None)
    intention: str = _text(20, index=True)
    intention_set_on: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


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
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


# --- Notifications: the outbox, webhooks, deliveries, e-mail opt-outs (issue 13) ---------


class NotificationEvent(SQLModel, table=True):
    """The outbox: one row per event, written in the transaction of the change that caused
    it. `organization_id` is the host organization it concerns (None: coordinators only);
    `dispatched_at` is set once the worker has made its deliveries."""

    __tablename__ = "notification_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_type=sa.String(40), nullable=False, unique=True)
    kind: str = _text(40, index=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, index=True
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    occurred_at: datetime = _timestamp()
    dispatched_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True, index=True
    )


class Webhook(SQLModel, table=True):
    """A receiver of signed POSTs: `events` are the kinds it wants; a host organization's
    (`organization_id`) receives only its own organization's events. `secret` signs them."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(sa_type=sa.String(40), nullable=False, unique=True)
    url: str = _text(2000)
    events: list[str] = _json_list()
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, index=True
    )
    secret: str = _text(100)
    active: bool = Field(default=True, nullable=False)
    created_by: str = _text(100)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class NotificationDelivery(SQLModel, table=True):
    """One event to one receiver (a webhook, or a user by e-mail), and the worker's claim
    on it: `claimed_until` is a lease, so a worker that dies mid-delivery loses nothing.
    `attempts_log` holds each attempt (when, HTTP status or error)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_id"),
        sa.UniqueConstraint("user_id", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="notification_events.id", nullable=False, index=True)
    channel: str = _text(10)
    webhook_id: int | None = Field(
        default=None, foreign_key="webhooks.id", nullable=True, ondelete="CASCADE"
    )
    user_id: int | None = Field(
        default=None, foreign_key="users.id", nullable=True, ondelete="CASCADE"
    )
    status: str = _text(20, index=True)
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = _timestamp(index=True)
    first_attempt_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    claimed_by: str | None = _text(100, nullable=True, default=None)
    claimed_until: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    delivered_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    last_error: str | None = _text(500, nullable=True, default=None)
    attempts_log: list[Any] = _json_list()
    created_at: datetime = _timestamp()


class EmailOptOut(SQLModel, table=True):
    """A user who wants no e-mail of one event kind."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", nullable=False, ondelete="CASCADE")
    kind: str = _text(40)
    created_at: datetime = _timestamp()


# --- Hostile input: external ids unique without regard to case (issue 16) -------------


def _unique_ignoring_case(table: type[SQLModel]) -> None:
    """A unique index on lower(external_id): `ORG-1` and `org-1` cannot both exist."""
    name = f"uq_{table.__tablename__}_external_id_lower"
    sa.Index(name, sa.func.lower(table.__table__.c.external_id), unique=True)  # type: ignore[attr-defined]


for _table in (Organization, Opening, Participant, Round, Contract):
    _unique_ignoring_case(_table)
# --- season: offers to alternates, withdrawals, placement notices (issue 12, sections 2-5) ---


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
    status: str = _text(20, index=True)
    automatic: bool = Field(default=False, nullable=False)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False, index=True)
    made_by: str = _text(100)
    decided_by: str | None = _text(100, nullable=True, default=None)
    decided_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    # The offer this one passed on (after a decline or an expiry).
    follows_id: int | None = Field(default=None, foreign_key="offers.id", nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class WithdrawalRecord(SQLModel, table=True):
    """A participant's withdrawal: when, why (a `WithdrawalReason`, optional) and a note."""

    __tablename__ = "withdrawal_records"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", nullable=False, index=True)
    reason: str | None = _text(20, nullable=True, default=None)
    note: str | None = _text(500, nullable=True, default=None)
    withdrawn_on: date = Field(nullable=False)
    recorded_at: datetime = _timestamp()
    recorded_by: str = _text(100)


class NoticeIssue(SQLModel, table=True):
    """A placement notice issued for a published version to one organization or one
    sending country: who issued it, when, and the lines it listed (what a re-issue
    compares with)."""

    __tablename__ = "notice_issues"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind", "subject", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    kind: str = _text(20)
    subject: str = _text(EXTERNAL_ID_LENGTH)
    version: int = Field(nullable=False)
    issued_at: datetime = _timestamp()
    issued_by: str = _text(100)
    lines: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)


# --- Host-organization development and the career fair (issue 14) -------------------------


class Prospect(SQLModel, table=True):
    """A municipality or school the section hopes to make a host organization.

    `stage` follows identified -> contacted -> interested -> request_submitted -> hosting
    (or declined); converting an agreed prospect creates its organization, linked here by
    `organization_id`. Coordinators only (docs/development.md)."""

    __tablename__ = "prospects"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    name: str = _text(200)
    name_ja: str | None = _text(200, nullable=True, default=None)
    prefecture: int = Field(nullable=False, index=True)
    kind: str = _text(20)
    area_type: str = _text(20)
    contact_name: str | None = _text(200, nullable=True, default=None)
    contact_email: str | None = _text(254, nullable=True, default=None)
    stage: str = _text(20, index=True)
    owner: str | None = _text(100, nullable=True, default=None)
    next_action: str | None = _text(500, nullable=True, default=None)
    next_action_on: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    places_added: int = Field(default=0, nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class ProspectContact(SQLModel, table=True):
    """One dated contact with a prospect (a call, a visit, a letter) and what came of it."""

    __tablename__ = "prospect_contacts"

    id: int | None = Field(default=None, primary_key=True)
    prospect_id: int = Field(
        foreign_key="prospects.id", nullable=False, index=True, ondelete="CASCADE"
    )
    contacted_on: date = Field(sa_type=sa.Date, nullable=False)
    channel: str = _text(20)
    summary: str = _text(1000)
    recorded_by: str = _text(100)
    created_at: datetime = _timestamp()


class Fair(SQLModel, table=True):
    """A JET career fair: where and when, and how many people it takes."""

    __tablename__ = "fairs"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = _external_id()
    name: str = _text(200)
    held_on: date = Field(sa_type=sa.Date, nullable=False)
    venue: str | None = _text(200, nullable=True, default=None)
    online: bool = Field(default=False, nullable=False)
    capacity: int = Field(nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class FairEmployer(SQLModel, table=True):
    """An employer taking part in a fair (the company's contact, not a JET's)."""

    __tablename__ = "fair_employers"
    __table_args__ = (sa.UniqueConstraint("fair_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    fair_id: int = Field(foreign_key="fairs.id", nullable=False, index=True, ondelete="CASCADE")
    external_id: str = _text(EXTERNAL_ID_LENGTH)
    company: str = _text(200)
    sector: str = _text(100)
    contact_name: str | None = _text(200, nullable=True, default=None)
    contact_email: str | None = _text(254, nullable=True, default=None)
    created_at: datetime = _timestamp()


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
    scope: str = _text(20)
    fairs: list[str] = _json_list()
    available_month: str | None = _text(7, nullable=True, default=None)
    withdrawn_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp(index=True)


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
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp(index=True)


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


# --- review reads prepared by the worker (issue 17) -------------------------------


class PreparedReview(SQLModel, table=True):
    """What a review read of a round needs, prepared by the worker when a run completes or
    the round's plan or records change (services/rounds/prepared.py): one row per round
    and `kind` (`subject` names the participant or plan it is about, "" for the round).
    `stamp` digests everything the document was computed from; a read whose stamp differs
    computes afresh instead (a stale document is never shown)."""

    __tablename__ = "prepared_reviews"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False, ondelete="CASCADE")
    kind: str = _text(20)
    subject: str = Field(default="", sa_type=sa.String(100), nullable=False)
    stamp: str = _text(64)
    document: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    prepared_at: datetime = _timestamp()


# --- operations (issue 15): rate-limit counters shared by the API processes ---------


class RateLimitCounter(SQLModel, table=True):
    """One fixed-window counter of the `limits` library (`services.security.rate_limits`):
    failed authentications of one client, counted in the database so that every API
    process sees the same count. `expires_at` is the window's end (Unix seconds)."""

    __tablename__ = "rate_limit_counters"

    key: str = Field(sa_type=sa.String(255), primary_key=True)
    count: int = Field(nullable=False)
    expires_at: float = Field(nullable=False, index=True)
