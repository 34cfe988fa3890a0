"""The audit trail (coordinators): who changed, imported, exported or read what."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator

from jet_match.api.deps import PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.audit import AuditEventPublic
from jet_match.schemas.common import Page
from jet_match.services.kit.access import Action, Caller
from jet_match.services.security import audit

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[Caller, Depends(allowed(Action.AUDIT_READ))]
VISIBLE_ASCII = r"^[!-~]+$"
Text = Annotated[str | None, Query(max_length=128, pattern=VISIBLE_ASCII)]


def _iso_only(value: Any) -> Any:
    # pydantic would read a bare number as a Unix time; the documented format is ISO 8601.
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+(\.\d*)?\s*", value):
        raise ValueError("use an ISO 8601 date-time, e.g. 2026-04-01T09:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_only)]


@router.get("", response_model=Page[AuditEventPublic], responses=responses(401, 403, 422))
def list_audit_events(
    session: SessionDep,
    caller: Auditor,
    page: PageDep,
    action: Annotated[
        str | None, Query(max_length=50, pattern=VISIBLE_ASCII, examples=["participant.read"])
    ] = None,
    resource_type: Annotated[
        str | None, Query(max_length=30, pattern=VISIBLE_ASCII, examples=["opening"])
    ] = None,
    resource_id: Annotated[str | None, Query(max_length=64, pattern=VISIBLE_ASCII)] = None,
    actor_key: Annotated[
        str | None, Query(max_length=16, pattern=VISIBLE_ASCII, description="Key prefix.")
    ] = None,
    request_id: Text = None,
    since: Annotated[IsoDatetime | None, Query(description="From this time (inclusive).")] = None,
    until: Annotated[IsoDatetime | None, Query(description="Before this time.")] = None,
) -> Page[AuditEventPublic]:
    """List audit events, newest first.

    Actions: `organization.create|update`, `opening.create|update|cancel`,
    `participant.create|update|read|list`, `import.apply`, `dataset.export`,
    `<kind>.export`, `api_key.create|revoke`.
    """
    filters = audit.AuditFilter(
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        actor_key=actor_key,
        request_id=request_id,
        since=since,
        until=until,
    )
    return audit.list_events(session=session, caller=caller, filters=filters, page=page)
