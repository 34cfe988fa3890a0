"""HOOKS for the event outbox (notifications): what health and metrics need to know.

The outbox is built by the notifications feature. Until it is merged, there are no
events: nothing undelivered, no backlog, no failures. The notifications engineer fills
these three functions with queries on the outbox tables; `health.readiness` and
`metrics.collect` already call them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session


def oldest_undelivered_event_at(session: Session) -> datetime | None:
    """HOOK(notifications): when the oldest event still waiting for a delivery was
    recorded (timezone-aware), or None when every event is delivered."""
    del session
    return None


def event_backlog(session: Session) -> int:
    """HOOK(notifications): how many deliveries are waiting (queued or to be retried)."""
    del session
    return 0


def delivery_failures(session: Session) -> int:
    """HOOK(notifications): how many delivery attempts have failed so far (a counter)."""
    del session
    return 0
