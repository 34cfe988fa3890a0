"""What every page route depends on: who is signed in, their language, CSRF, rendering.

A page route reads as prose, like the API's:

    @router.get("/users")
    def users_page(page: CoordinatorPage, session: SessionDep) -> HTMLResponse:
        return page.render("users.html", users=accounts.list_users(session=session,
                                                                    caller=page.caller))

- `AnyPage`: signed in or not (the login page); `SignedInPage`: a signed-in user, else a
  303 to `/app/login?next=<this page>`; `page_for(action)`: a signed-in user whose role
  may do `action` (the same `services.access` permissions as an API key; 403 page
  otherwise). Record scoping (a host's 404 for another organization) stays in the
  services, which receive `page.caller`.
- CSRF: every POST under /app carries `csrf_token`. Signed in, it is the synchronizer
  token stored with the session row; signed out (the login form, the language switch) it
  is a random cookie the form must echo (double submit). `verify_csrf` runs on every
  request of the web router and answers a 403 page in the user's language.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from jet_match.api.deps import SessionDep, SettingsDep
from jet_match.config import Settings
from jet_match.errors import DomainError, Forbidden
from jet_match.services.kit.access import Action, Caller, allows, authorize
from jet_match.services.security import accounts
from jet_match.web import labels
from jet_match.web.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, LOCALES, Translator, choose_locale
from jet_match.web.i18n import translator as translator_for

APP_PREFIX = "/app"
SESSION_COOKIE = "jm_session"
ANONYMOUS_CSRF_COOKIE = "jm_csrf"
CSRF_FIELD = "csrf_token"

templates = Environment(
    loader=PackageLoader("jet_match.web", "templates"),
    autoescape=select_autoescape(("html",)),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(labels.GLOBALS)


class SignInRequired(DomainError):  # noqa: N818 -- an outcome, as in errors.py
    """The page needs a signed-in user (answered with a redirect to the login page)."""

    code = "sign-in-required"

    def __init__(self, next_url: str) -> None:
        super().__init__("sign in to see this page")
        self.next_url = next_url


class CsrfRefused(Forbidden):
    """A POST without the form's CSRF token (or with another session's)."""

    code = "csrf"


def policy_of(settings: Settings) -> accounts.SignInPolicy:
    """Sign-in limits from the settings."""
    return accounts.SignInPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lock_after=settings.sign_in_lock_after,
        lock_for=timedelta(minutes=settings.sign_in_lock_minutes),
    )


@dataclass
class Page:
    """One request's page: the account (if any), its language, its CSRF token; renders."""

    request: Request
    account: accounts.Account | None
    t: Translator
    csrf_token: str
    secure_cookies: bool
    new_csrf_cookie: bool = False
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def caller(self) -> Caller:
        """The caller the services see (a signed-in page only)."""
        if self.account is None:
            raise SignInRequired(self.request.url.path)
        return self.account.caller

    @property
    def locale(self) -> str:
        """`ja` or `en`."""
        return self.t.locale

    def allows(self, action: Action) -> bool:
        """The user's role may do `action` (to show or hide a link)."""
        return self.account is not None and allows(self.account.caller, action)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The template rendered in the page's language, with the page's cookies."""
        html = templates.get_template(template).render(
            page=self,
            t=self.t,
            _=self.t.gettext,
            gettext=self.t.gettext,
            ngettext=self.t.ngettext,
            languages=LANGUAGE_NAMES,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        self.finish(response)
        return response

    def redirect(self, url: str) -> RedirectResponse:
        """A 303 to `url` (the answer to a successful POST)."""
        response = RedirectResponse(url, status_code=303)
        self.finish(response)
        return response

    def finish(self, response: Response) -> None:
        """Set the cookies the page decided on; pages are never cached."""
        if self.new_csrf_cookie:
            self.set_cookie(response, ANONYMOUS_CSRF_COOKIE, self.csrf_token, max_age=None)
        for name, value in self.cookies.items():
            self.set_cookie(response, name, value, max_age=365 * 24 * 3600)
        response.headers["Cache-Control"] = "no-store"

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: int | None) -> None:
        """An HttpOnly, SameSite=Lax cookie for /app (Secure in production)."""
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=APP_PREFIX,
            httponly=True,
            samesite="lax",
            secure=self.secure_cookies,
        )


def get_account(
    request: Request, session: SessionDep, settings: SettingsDep
) -> accounts.Account | None:
    """The signed-in account of the session cookie (None: signed out, idle or unknown)."""
    return accounts.resume(
        session=session,
        token=request.cookies.get(SESSION_COOKIE),
        policy=policy_of(settings),
        request_id=getattr(request.state, "request_id", None),
    )


AccountDep = Annotated[accounts.Account | None, Depends(get_account)]


def page_without_account(request: Request, settings: Settings) -> Page:
    """A page for a request whose account is not known (error pages before any dependency)."""
    return _page(request, None, settings)


def _page(request: Request, account: accounts.Account | None, settings: Settings) -> Page:
    locale = choose_locale(
        user_locale=account.user.locale if account else None,
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    new_cookie = False
    if account is not None:
        token = account.csrf_token
    else:
        token = request.cookies.get(ANONYMOUS_CSRF_COOKIE) or ""
        if len(token) < 32:
            token, new_cookie = secrets.token_urlsafe(32), True
    page = Page(
        request=request,
        account=account,
        t=translator_for(locale),
        csrf_token=token,
        secure_cookies=settings.environment == "production",
        new_csrf_cookie=new_cookie,
    )
    request.state.page = page
    return page


async def get_page(request: Request, account: AccountDep, settings: SettingsDep) -> Page:
    """The page, signed in or not."""
    return _page(request, account, settings)


AnyPage = Annotated[Page, Depends(get_page)]


async def signed_in(request: Request, page: AnyPage) -> Page:
    """The page of a signed-in user; a redirect to the login page otherwise."""
    if page.account is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return page


SignedInPage = Annotated[Page, Depends(signed_in)]


def page_for(action: Action) -> Callable[[Page], Awaitable[Page]]:
    """A dependency: the signed-in page, if the user's role may do `action` (403 page)."""

    async def dependency(page: SignedInPage) -> Page:
        authorize(page.caller, action)
        return page

    return dependency


#: Coordinators only (managing users is the coordinators' right, like API keys).
CoordinatorPage = Annotated[Page, Depends(page_for(accounts.MANAGE_USERS))]


async def verify_csrf(request: Request, page: AnyPage) -> None:
    """Refuse a state-changing request whose form lacks this session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not page.csrf_token:
        raise CsrfRefused("the form's security token is missing")
    if page.new_csrf_cookie or not secrets.compare_digest(sent, page.csrf_token):
        raise CsrfRefused("the form's security token does not match")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path under /app, never another site."""
    if target and target.startswith(APP_PREFIX + "/") and not target.startswith("//"):
        return target
    return APP_PREFIX + "/"


def login_url(next_url: str) -> str:
    """The login page that comes back to `next_url`."""
    return f"{APP_PREFIX}/login?next={quote(next_url, safe='')}"


__all__ = [
    "LOCALES",
    "AccountDep",
    "AnyPage",
    "CoordinatorPage",
    "Page",
    "SignedInPage",
    "page_for",
]
