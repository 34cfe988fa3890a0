"""The audit trail: who created, changed, cancelled, imported or read what, and when.

Events are added to the caller's transaction, so a change and its audit entry commit
together or not at all. They hold external_ids, field names and counts: never the values
of personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.audit import AuditEventPublic
from jet_match.schemas.common import Page
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate


def record(
    session: Session,
    caller: Caller,
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    **detail: Any,
) -> None:
    """Add an event to the session's transaction (committed with the change it describes)."""
    session.add(
        models.AuditEvent(
            actor_key_id=caller.key_id,
            actor=caller.actor,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            request_id=caller.request_id,
            detail=detail,
        )
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the fields whose value differs (the audit keeps names, not values)."""
    return sorted(name for name in after if before.get(name) != after[name])


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Filters of the audit list; None means any."""

    action: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    actor_key: str | None = None
    actor: str | None = None  # as the trail names it: key:<prefix>, user:<id>, cli ...
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    *, session: Session, caller: Caller, filters: AuditFilter, page: PageRequest
) -> Page[AuditEventPublic]:
    """Audit events, newest first."""
    authorize(caller, Action.AUDIT_READ)
    key = models.ApiKey
    event = models.AuditEvent
    statement = select(event, col(key.prefix)).outerjoin(key, col(key.id) == event.actor_key_id)
    equal = (
        (event.action, filters.action),
        (event.resource_type, filters.resource_type),
        (event.resource_id, filters.resource_id),
        (key.prefix, filters.actor_key),
        (event.actor, filters.actor),
        (event.request_id, filters.request_id),
    )
    for column, value in equal:
        if value is not None:
            statement = statement.where(col(column) == value)
    if filters.since is not None:
        statement = statement.where(col(event.occurred_at) >= filters.since)
    if filters.until is not None:
        statement = statement.where(col(event.occurred_at) < filters.until)
    result = paginate(
        session,
        statement,
        col(event.id),
        page,
        key_type=int,
        descending=True,
    )
    return Page(
        items=[
            AuditEventPublic(
                id=row.id,
                occurred_at=row.occurred_at,
                actor=row.actor,
                actor_key_id=prefix,
                action=row.action,
                resource_type=row.resource_type,
                resource_id=row.resource_id,
                request_id=row.request_id,
                detail=row.detail,
            )
            for row, prefix in result.rows
        ],
        next_cursor=result.next_cursor,
    )
