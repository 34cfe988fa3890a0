"""Signing in and out, and the language switch (works signed in or out)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jet_match.api.deps import SessionDep, SettingsDep
from jet_match.services.security import accounts
from jet_match.web.i18n import LANGUAGE_COOKIE, LOCALES, N_
from jet_match.web.pages import (
    APP_PREFIX,
    SESSION_COOKIE,
    AnyPage,
    policy_of,
    safe_next,
)

router = APIRouter()

REFUSALS = {
    "wrong": N_("Wrong e-mail address or password."),
    "wait": N_("Too many failed sign-ins. Wait a few seconds and try again."),
    "locked": N_("Too many failed sign-ins: the account is locked for a while."),
}


@router.get("/login", response_class=HTMLResponse)
def login_form(page: AnyPage, next: Annotated[str | None, Query()] = None) -> Response:
    """The sign-in form (signed-in users go straight on)."""
    if page.account is not None:
        return page.redirect(safe_next(next))
    return page.render("login.html", next=safe_next(next), email="", refusal=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    page: AnyPage,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Check the password; on success open a session and go to `next` (or /app/)."""
    try:
        signed = accounts.sign_in(
            session=session,
            email=email,
            password=password,
            policy=policy_of(settings),
            request_id=getattr(page.request.state, "request_id", None),
        )
    except accounts.SignInRefused as refused:
        return page.render(
            "login.html",
            status_code=429 if refused.reason in ("wait", "locked") else 401,
            next=safe_next(next),
            email=email,
            refusal=page.t.gettext(REFUSALS[refused.reason]),
        )
    response = page.redirect(safe_next(next))
    page.set_cookie(response, SESSION_COOKIE, signed.token, max_age=None)
    return response


@router.post("/logout")
def logout(page: AnyPage, session: SessionDep) -> RedirectResponse:
    """End the session and go back to the sign-in page."""
    accounts.sign_out(session=session, token=page.request.cookies.get(SESSION_COOKIE))
    response = page.redirect(f"{APP_PREFIX}/login")
    response.delete_cookie(SESSION_COOKIE, path=APP_PREFIX)
    return response


@router.post("/language")
def switch_language(
    page: AnyPage,
    session: SessionDep,
    language: Annotated[str, Form(max_length=5)],
    back: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    """Switch the language: a cookie, and the user's setting when signed in."""
    if language in LOCALES:
        page.cookies[LANGUAGE_COOKIE] = language
        if page.account is not None:
            accounts.set_locale(session=session, account=page.account, locale=language)
    return page.redirect(safe_next(back))
