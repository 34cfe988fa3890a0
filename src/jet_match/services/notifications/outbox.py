"""The transactional outbox: an event is a row written in the transaction of its change.

A service that changes something others must act on calls `record_event` (or
`record_events` for many) *before* it commits: the event and the change commit together
or not at all, so no event is lost and none is invented by a change that rolled back.
Nothing is sent here: the worker reads the outbox (`delivery`), and integrators can page
through it (`events`). Each event has a unique id (`evt_...`), the `Webhook-Id` of its
deliveries, so a receiver can de-duplicate retries.

Who an event concerns: `organization_id` names the host organization it is about (None:
coordinators only). Coordinators receive every event; a host organization receives
only the events of `HOST_KINDS` about itself.

For other features (offers, ...): call
`record_event(session=session, kind=EventKind.OFFER_MADE, organization_id=<the opening's
organization id>, payload={...})` inside the service's transaction, before `commit`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from jet_match import models
from jet_match.statuses import EventKind

Event = models.NotificationEvent

#: Kinds a host organization receives (about its own organization only).
HOST_KINDS = frozenset(
    {
        EventKind.ROUND_PUBLISHED,
        EventKind.ROUND_AMENDED,
        EventKind.PLACEMENT_VACATED,
        EventKind.OFFER_MADE,
        EventKind.OFFER_ACCEPTED,
        EventKind.OFFER_DECLINED,
        EventKind.OFFER_EXPIRED,
    }
)

#: Kinds e-mailed to coordinators (a publication is their own act: only hosts are told).
COORDINATOR_MAIL_KINDS = frozenset(EventKind) - {
    EventKind.ROUND_PUBLISHED,
    EventKind.ROUND_AMENDED,
}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to write: its kind, the organization it concerns, its payload."""

    kind: EventKind
    organization_id: int | None
    payload: Mapping[str, Any]


def new_event_id() -> str:
    """A fresh, unique event id."""
    return f"evt_{uuid.uuid4().hex}"


def record_event(
    *,
    session: Session,
    kind: EventKind | str,
    organization_id: int | None,
    payload: Mapping[str, Any],
) -> str:
    """Write one event into the caller's transaction (never commits); its id.

    Call it before the service's `commit`, in the transaction of the change: if that
    rolls back, the event was never written. `payload` must be JSON values.
    """
    return record_events(
        session=session, events=[NewEvent(EventKind(kind), organization_id, payload)]
    )[0]


def record_events(*, session: Session, events: Sequence[NewEvent]) -> list[str]:
    """Write many events at once (one INSERT) into the caller's transaction; their ids."""
    if not events:
        return []
    now = models.utcnow()
    rows = [
        {
            "event_id": new_event_id(),
            "kind": EventKind(event.kind).value,
            "organization_id": event.organization_id,
            "payload": dict(event.payload),
            "occurred_at": now,
        }
        for event in events
    ]
    session.execute(insert(Event), rows)
    return [str(row["event_id"]) for row in rows]


def visible_to_host(kind: str) -> bool:
    """A host organization may receive events of this kind (about itself)."""
    return kind in HOST_KINDS
