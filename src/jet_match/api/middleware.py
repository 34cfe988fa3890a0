"""ASGI middleware: request ids, request log lines, and the request body size limit.

Log lines carry the request id, method, path, status, duration and the API key's
prefix: never a body, a query string or a header value (they may hold personal data).

No exception leaves the application: an unexpected one is answered here with a
problem+json 500 carrying the request id, and logged as its type and the request id
only. Were it re-raised, the server would log its traceback, whose message (a failed
statement's parameters, a model's input) may hold personal data.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jet_match.api.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = structlog.get_logger("jet_match.http")


class RequestContext:
    """Gives every request an id (the client's X-Request-ID if sane), echoes it, logs a line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(_headers(scope)).get(REQUEST_ID_HEADER.lower(), "")
        request_id = sent if _VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        responded = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                log.error("unhandled_error", error=type(exc).__name__, path=scope["path"])
                if not responded:
                    await _internal_error(scope, receive, exc)(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                    key=scope["state"].get("key_prefix"),
                )


class BodyLimit:
    """Answers 413 to a body over `max_bytes`, declared or streamed, before it is stored."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(_headers(scope)).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI passes HTTPException through body parsing to the problem handler.
                    raise HTTPException(413, f"the body exceeds {self.max_bytes} bytes")
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope, receive),
            413,
            "payload-too-large",
            "Request body too large",
            f"the body exceeds {self.max_bytes} bytes",
        )
        await response(scope, receive, send)


def _internal_error(scope: Scope, receive: Receive, exc: Exception) -> Response:
    app_state = getattr(scope.get("app"), "state", None)
    debug = bool(getattr(app_state, "debug", False))
    detail = f"{type(exc).__name__}: {exc}" if debug else "an unexpected error occurred"
    return problem_response(
        Request(scope, receive), 500, "internal", "Internal server error", detail
    )


def _headers(scope: Scope) -> list[tuple[str, str]]:
    raw: Any = scope.get("headers", [])
    return [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]


#: The workspace's pages load only the app's own scripts, styles and images, never inline
#: code, and may not be framed (clickjacking).
WORKSPACE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
#: Swagger UI and ReDoc start themselves with an inline script FastAPI writes.
API_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
#: JSON, CSV, XLSX and metrics: nothing to run, nothing to frame.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeaders:
    """Adds the security headers to every answer (HSTS when `hsts`: production behind TLS)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], hsts=self.hsts)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(path: str, *, hsts: bool) -> list[tuple[bytes, bytes]]:
    """The security headers of an answer to `path`."""
    if path == "/app" or path.startswith("/app/"):
        policy = WORKSPACE_CSP
    elif path in ("/docs", "/redoc", "/docs/oauth2-redirect") or path.startswith("/docs-assets"):
        policy = API_DOCS_CSP
    else:
        policy = API_CSP
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", policy.encode()),
    ]
    if hsts:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers
