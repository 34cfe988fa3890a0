"""The audit trail (coordinators): who changed, imported, exported or read what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jet_match.api.deps import PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas import AuditEventPublic, Page
from jet_match.services import audit
from jet_match.services.access import Action, Caller

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[Caller, Depends(allowed(Action.AUDIT_READ))]
Text = Annotated[str | None, Query(max_length=128)]


@router.get("", response_model=Page[AuditEventPublic], responses=responses(401, 403, 422))
def list_audit_events(
    session: SessionDep,
    caller: Auditor,
    page: PageDep,
    action: Annotated[str | None, Query(max_length=50, examples=["participant.read"])] = None,
    resource_type: Annotated[str | None, Query(max_length=30, examples=["opening"])] = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_key: Annotated[str | None, Query(max_length=16, description="Key prefix.")] = None,
    request_id: Text = None,
    since: Annotated[datetime | None, Query(description="From this time (inclusive).")] = None,
    until: Annotated[datetime | None, Query(description="Before this time.")] = None,
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
