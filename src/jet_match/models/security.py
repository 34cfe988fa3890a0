"""Who may call: API keys, staff accounts and their sessions; the audit trail; replayed
writes (idempotency keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import EXTERNAL_ID_LENGTH, text, timestamp


class ApiKey(SQLModel, table=True):
    """An API key. Only the SHA-256 of its secret is stored; `prefix` identifies it."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(sa_type=sa.String(16), nullable=False, unique=True)
    secret_hash: str = text(64)
    role: str = text(20)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    name: str = text(100)
    # A host key of a prefecture may read its prefecture's organizations (season).
    prefecture_scope: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": sa.false()}
    )
    created_at: datetime = timestamp()
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
    occurred_at: datetime = timestamp(index=True)
    actor_key_id: int | None = Field(
        default=None, foreign_key="api_keys.id", nullable=True, index=True
    )
    actor: str = text(100)
    action: str = text(50, index=True)
    resource_type: str = text(30)
    resource_id: str | None = text(EXTERNAL_ID_LENGTH, nullable=True, default=None, index=True)
    request_id: str | None = text(128, nullable=True, default=None)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_key_id: int = Field(foreign_key="api_keys.id", nullable=False, ondelete="CASCADE")
    key: str = text(255)
    operation: str = text(50)
    fingerprint: str = text(64)
    status_code: int = Field(nullable=False)
    etag: str | None = text(64, nullable=True, default=None)
    body: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = timestamp(index=True)


class User(SQLModel, table=True):
    """A person who signs in to the workspace. `email` is stored lower-cased (unique);
    only the argon2id hash of the password is kept."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=sa.String(254), nullable=False, unique=True)
    display_name: str = text(200)
    role: str = text(20)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, ondelete="RESTRICT"
    )
    locale: str | None = text(5, nullable=True, default=None)
    # A host user of a prefecture may read its prefecture's organizations (season).
    prefecture_scope: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": sa.false()}
    )
    disabled: bool = Field(default=False, nullable=False)
    password_hash: str = text(255)
    failed_sign_ins: int = Field(default=0, nullable=False)
    locked_until: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    created_at: datetime = timestamp()
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
    csrf_token: str = text(64)
    created_at: datetime = timestamp()
    last_seen_at: datetime = timestamp()
