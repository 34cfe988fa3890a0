"""What health and metrics need to know of the event outbox (docs/notifications.md).

An event waits until the worker has fanned it out into deliveries (`dispatched_at`) and
each delivery has been made; a delivery waits while it is `pending` (first try or a
retry) and is `failed` once its retries are spent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.statuses import DeliveryStatus

Event = models.NotificationEvent
Delivery = models.NotificationDelivery


def oldest_undelivered_event_at(session: Session) -> datetime | None:
    """When the oldest event still waiting was recorded (timezone-aware): not yet fanned
    out into deliveries, or with a delivery still pending; None when nothing waits."""
    undispatched = session.scalar(
        select(func.min(col(Event.occurred_at))).where(col(Event.dispatched_at).is_(None))
    )
    pending = session.scalar(
        select(func.min(col(Event.occurred_at)))
        .join(Delivery, col(Delivery.event_id) == col(Event.id))
        .where(col(Delivery.status) == DeliveryStatus.PENDING.value)
    )
    times = [_aware(t) for t in (undispatched, pending) if t is not None]
    return min(times) if times else None


def event_backlog(session: Session) -> int:
    """How many deliveries are waiting (first try or a retry), plus the events not yet
    fanned out into deliveries."""
    pending = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(col(Delivery.status) == DeliveryStatus.PENDING.value)
    )
    undispatched = session.scalar(
        select(func.count()).select_from(Event).where(col(Event.dispatched_at).is_(None))
    )
    return int(pending or 0) + int(undispatched or 0)


def delivery_failures(session: Session) -> int:
    """How many deliveries were given up after their retries (`failed`, visible in
    `GET /api/v1/webhooks/{id}/deliveries`; a redelivery makes one pending again)."""
    failed = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(col(Delivery.status) == DeliveryStatus.FAILED.value)
    )
    return int(failed or 0)


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
