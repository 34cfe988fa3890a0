"""Staff sessions (coordinators): who is signed in to the workspace; end a session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BeforeValidator

from jet_match.api.deps import MAX_ID, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.sessions import StaffSessionPublic
from jet_match.services.kit.access import Action, Caller
from jet_match.services.security import accounts

router = APIRouter(prefix="/sessions", tags=["api-keys"])

UserAdmin = Annotated[Caller, Depends(allowed(Action.API_KEYS))]


def _whole_number(value: object) -> object:
    if isinstance(value, str) and not value.isdigit():
        raise ValueError("an id is a whole number written in digits")
    return value


SessionId = Annotated[
    int,
    BeforeValidator(_whole_number),
    Path(ge=1, le=MAX_ID, description="The session's id.", examples=[7]),
]


@router.get("", response_model=list[StaffSessionPublic], responses=responses(401, 403, 422))
def list_sessions(session: SessionDep, caller: UserAdmin) -> list[StaffSessionPublic]:
    """List open workspace sessions of staff, most recently used first."""
    return accounts.list_sessions(session=session, caller=caller)


@router.delete(
    "/{session_id}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422),
)
def revoke_session(session_id: SessionId, session: SessionDep, caller: UserAdmin) -> Response:
    """End a staff session at once: its next page view asks to sign in again."""
    accounts.revoke_session(session=session, caller=caller, session_id=session_id)
    return Response(status_code=204)
