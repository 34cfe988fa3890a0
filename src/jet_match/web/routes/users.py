"""Staff accounts: coordinators list, create (the one-time password is shown once) and
disable them; and see the signed-in sessions and end one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from jet_match.api.deps import SessionDep
from jet_match.errors import AlreadyExists, InvalidInput
from jet_match.services.security import accounts
from jet_match.statuses import Role
from jet_match.web.forms import problem_messages
from jet_match.web.pages import APP_PREFIX, CoordinatorPage

router = APIRouter(prefix="/users")


@router.get("", response_class=HTMLResponse)
def users_page(page: CoordinatorPage, session: SessionDep) -> HTMLResponse:
    """Every staff account, and the form to add one."""
    return _render(page, session)


def _render(
    page: CoordinatorPage,
    session: SessionDep,
    *,
    status_code: int = 200,
    created: accounts.UserCreated | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    return page.render(
        "users.html",
        status_code=status_code,
        users=accounts.list_users(session=session, caller=page.caller),
        sessions=accounts.list_sessions(session=session, caller=page.caller),
        created=created,
        errors=errors or {},
        values=values or {},
        roles=accounts.STAFF_ROLES,
    )


@router.post("", response_class=HTMLResponse)
def create_user(
    page: CoordinatorPage,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    organization: Annotated[str, Form(max_length=64)] = "",
    locale: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    """Create an account; the page shows its one-time password once."""
    values = {
        "email": email,
        "display_name": display_name,
        "role": role,
        "organization": organization,
        "locale": locale,
    }
    try:
        created = accounts.create_user(
            session=session,
            caller=page.caller,
            email=email,
            role=Role(role)
            if role in {r.value for r in accounts.STAFF_ROLES}
            else Role.CAREER_FAIR,
            display_name=display_name or None,
            organization=organization or None,
            locale=locale or None,
        )
    except (InvalidInput, AlreadyExists) as refused:
        return _render(
            page,
            session,
            status_code=422,
            errors=problem_messages(page.t, refused, default_field="email"),
            values=values,
        )
    return _render(page, session, status_code=201, created=created)


@router.post("/disable")
def disable_user(
    page: CoordinatorPage, session: SessionDep, email: Annotated[str, Form(max_length=254)]
) -> Response:
    """Disable an account: its sessions end at once."""
    accounts.disable_user(session=session, caller=page.caller, email=email)
    return page.redirect(f"{APP_PREFIX}/users")


@router.post("/sessions/revoke")
def revoke_session(
    page: CoordinatorPage, session: SessionDep, session_id: Annotated[int, Form(ge=1, le=2**31 - 1)]
) -> Response:
    """End a staff session: its browser is asked to sign in again."""
    accounts.revoke_session(session=session, caller=page.caller, session_id=session_id)
    return page.redirect(f"{APP_PREFIX}/users")
