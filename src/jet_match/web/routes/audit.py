"""The audit trail for coordinators: filtered by who, what and when, paged on the server."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from jet_match.api.deps import SessionDep
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.security import audit
from jet_match.web.pages import Page, page_for

router = APIRouter(prefix="/audit")

AuditPage = Annotated[Page, Depends(page_for(Action.AUDIT_READ))]
PAGE_SIZE = 50
JAPAN = ZoneInfo("Asia/Tokyo")
Text = Annotated[str, Query(max_length=64)]


def _start_of(day: date | None) -> datetime | None:
    """Midnight in Japan of a day picked in the form, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=JAPAN).astimezone(UTC)


@router.get("", response_class=HTMLResponse)
def audit_page(
    page: AuditPage,
    session: SessionDep,
    actor: Text = "",
    action: Text = "",
    resource: Text = "",
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Audit events, newest first; `until` includes its whole day."""
    filters = audit.AuditFilter(
        actor=actor.strip() or None,
        action=action.strip() or None,
        resource_id=resource.strip() or None,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1) if until else None),
    )
    events = audit.list_events(
        session=session, caller=page.caller, filters=filters, page=PageRequest(cursor, PAGE_SIZE)
    )
    query = {
        "actor": actor,
        "action": action,
        "resource": resource,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    return page.render("audit.html", events=events, query=query)
