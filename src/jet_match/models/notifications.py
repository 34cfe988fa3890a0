"""Notifications (issue 13): the outbox, webhooks, deliveries, e-mail opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import json_list, text, timestamp


class NotificationEvent(SQLModel, table=True):
    """The outbox: one row per event, written in the transaction of the change that caused
    it. `organization_id` is the host organization it concerns (None: coordinators only);
    `dispatched_at` is set once the worker has made its deliveries."""

    __tablename__ = "notification_events"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_type=sa.String(40), nullable=False, unique=True)
    kind: str = text(40, index=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, index=True
    )
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    occurred_at: datetime = timestamp()
    dispatched_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True, index=True
    )


class Webhook(SQLModel, table=True):
    """A receiver of signed POSTs: `events` are the kinds it wants; a host organization's
    (`organization_id`) receives only its own organization's events. `secret` signs them."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(sa_type=sa.String(40), nullable=False, unique=True)
    url: str = text(2000)
    events: list[str] = json_list()
    organization_id: int | None = Field(
        default=None, foreign_key="organizations.id", nullable=True, index=True
    )
    secret: str = text(100)
    active: bool = Field(default=True, nullable=False)
    created_by: str = text(100)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


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
    channel: str = text(10)
    webhook_id: int | None = Field(
        default=None, foreign_key="webhooks.id", nullable=True, ondelete="CASCADE"
    )
    user_id: int | None = Field(
        default=None, foreign_key="users.id", nullable=True, ondelete="CASCADE"
    )
    status: str = text(20, index=True)
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = timestamp(index=True)
    first_attempt_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    claimed_by: str | None = text(100, nullable=True, default=None)
    claimed_until: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    delivered_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    last_error: str | None = text(500, nullable=True, default=None)
    attempts_log: list[Any] = json_list()
    created_at: datetime = timestamp()


class EmailOptOut(SQLModel, table=True):
    """A user who wants no e-mail of one event kind."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", nullable=False, ondelete="CASCADE")
    kind: str = text(40)
    created_at: datetime = timestamp()
