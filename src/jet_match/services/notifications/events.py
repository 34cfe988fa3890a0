"""The events feed: integrators page through the outbox instead of receiving pushes.

Coordinators read every event; a host organization only the events about itself of the
kinds hosts receive. Pages are keyset-ordered by the outbox row, and the cursor after
the last event is always answered, so a client keeps it and asks again later for what
happened since (resumable). On PostgreSQL an event of a long transaction can commit
behind a cursor already given out (positions are taken at INSERT): docs/notifications.md
tells clients how to read with a small overlap.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.notifications import EventPage, EventPublic
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, decode_cursor, encode_cursor
from jet_match.services.notifications import outbox
from jet_match.statuses import EventKind

Event = models.NotificationEvent


def list_events(
    *, session: Session, caller: Caller, page: PageRequest, kind: EventKind | None = None
) -> EventPage:
    """Events after the cursor, oldest first (a host: its own organization's)."""
    authorize(caller, Action.EVENTS_READ)
    after = decode_cursor(page.cursor, int) if page.cursor is not None else 0
    statement = select(Event, models.Organization.external_id).outerjoin(
        models.Organization, col(models.Organization.id) == Event.organization_id
    )
    statement = statement.where(col(Event.id) > after)
    if caller.scoped_to_organization:
        statement = statement.where(
            col(Event.organization_id) == caller.organization_id,
            col(Event.kind).in_([k.value for k in outbox.HOST_KINDS]),
        )
    if kind is not None:
        statement = statement.where(col(Event.kind) == kind.value)
    rows = session.execute(statement.order_by(col(Event.id)).limit(page.limit + 1)).all()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    last = rows[-1][0].id if rows else after
    return EventPage(
        items=[
            EventPublic(
                id=event.event_id,
                type=EventKind(event.kind),
                timestamp=event.occurred_at,
                organization=organization,
                data=event.payload,
            )
            for event, organization in rows
        ],
        next_cursor=encode_cursor(int(last)),
        has_more=more,
    )
