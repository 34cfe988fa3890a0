"""Notifications: each signed-in user chooses which kinds of events reach them by e-mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from jet_match.api.deps import SessionDep
from jet_match.services.notifications import preferences
from jet_match.web.pages import APP_PREFIX, SignedInPage

router = APIRouter(prefix="/notifications")


@router.get("", response_class=HTMLResponse)
def notifications_page(page: SignedInPage, session: SessionDep) -> HTMLResponse:
    """The kinds of e-mail the user receives, each with a box to turn it off."""
    assert page.account is not None
    choices = preferences.email_choices(session=session, account=page.account)
    return page.render("notifications.html", choices=choices)


@router.post("")
def save_notifications(
    page: SignedInPage,
    session: SessionDep,
    enabled: Annotated[list[str] | None, Form(max_length=40)] = None,
) -> Response:
    """Keep e-mail of the ticked kinds only."""
    assert page.account is not None
    preferences.set_email_choices(session=session, account=page.account, enabled=enabled or [])
    return page.redirect(f"{APP_PREFIX}/notifications?saved=1")
