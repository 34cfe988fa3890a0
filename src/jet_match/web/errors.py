"""Errors under /app answer an HTML page in the user's language; the API keeps problem+json.

The API's handlers (api/problems.py) stay registered; for a request under /app they are
replaced by `_page_error`: a sign-in redirect, or a page saying what went wrong with the
status the API would give (404 for another organization's page, 403, 412 ...). While the
database is unreachable (or SQLite stays locked) a page answers 503 with `Retry-After`,
saying so in the user's language, as the API does; any other database error is a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from jet_match.api.problems import RETRY_AFTER_S, STATUS
from jet_match.db import is_unavailable
from jet_match.errors import DomainError
from jet_match.web.i18n import N_
from jet_match.web.pages import (
    APP_PREFIX,
    CsrfRefused,
    Page,
    SignInRequired,
    login_url,
    page_without_account,
)

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]

#: The headline of an error page, by HTTP status.
TITLES = {
    400: N_("The request could not be read"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    405: N_("Not found"),
    409: N_("This conflicts with the current state"),
    412: N_("Changed since you opened it"),
    422: N_("Some values are not valid"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is unavailable for a moment"),
}
EXPLANATIONS = {
    403: N_("Your account does not have the right to use this page."),
    404: N_("There is no such page, or it is not yours to see."),
    412: N_("Someone changed this since you opened it. Open it again to see the current state."),
    500: N_("The error has been logged. Please try again in a moment."),
    503: N_(
        "The database cannot be reached just now. Nothing was changed: please try again in "
        "a few seconds."
    ),
}
CSRF_EXPLANATION = N_(
    "The form had expired or did not come from this site. Go back, reload the page and try again."
)


def install(app: FastAPI) -> None:
    """Route errors of /app pages to HTML pages (call after api.problems.install)."""
    kinds = (
        DomainError,
        RequestValidationError,
        StarletteHTTPException,
        DBAPIError,
        PoolTimeout,
        Exception,
    )
    for kind in kinds:
        app.add_exception_handler(kind, _dispatch(app.exception_handlers[kind]))


def _dispatch(api_handler: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if path == APP_PREFIX or path.startswith(APP_PREFIX + "/"):
            return _page_error(request, exc)
        answer = api_handler(request, exc)
        return answer if isinstance(answer, Response) else await answer

    return handler


def _status(exc: Exception) -> int:
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError):
        return 422
    if isinstance(exc, DomainError):
        return next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    if is_unavailable(exc):
        return 503
    return 500


def _page_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SignInRequired):
        return RedirectResponse(login_url(exc.next_url), status_code=303)
    page: Page = getattr(request.state, "page", None) or page_without_account(
        request, request.app.state.settings
    )
    status = _status(exc)
    if status == 500:
        import structlog

        structlog.get_logger().exception("page failed", path=request.url.path)
    elif status == 503:
        import structlog

        structlog.get_logger().warning(
            "database_unavailable", error=type(exc).__name__, path=request.url.path
        )
    title = TITLES.get(status, TITLES[400])
    explanation = CSRF_EXPLANATION if isinstance(exc, CsrfRefused) else EXPLANATIONS.get(status)
    answer = page.render(
        "error.html",
        status_code=status,
        title=page.t.gettext(title),
        explanation=page.t.gettext(explanation) if explanation else None,
        status=status,
    )
    if status == 503:
        answer.headers["Retry-After"] = str(RETRY_AFTER_S)
    return answer
