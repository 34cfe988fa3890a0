"""Dependencies that read as prose in route signatures: SessionDep, Coordinator, IfMatch ...

`allowed(action)` authenticates the bearer key and checks that its role may do `action`
before the body is even validated, so a caller without the right gets 401/403 rather
than a lecture about a body it may not send. Record-level scoping is not here: the
services filter their queries by the caller.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
the thread pool, one hop per dependency and request, which costs more than the work.
Those that use the database (the session, the caller) stay plain functions.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, TypeAdapter, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from jet_match.api.throttle import AuthFailureLimiter
from jet_match.config import Settings
from jet_match.errors import (
    BadRequest,
    FieldProblem,
    InvalidInput,
    Unauthenticated,
    UnsupportedMediaType,
)
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit.access import METRICS_SCRAPER, Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.kit.writes import IdempotencyKey
from jet_match.services.security import api_keys

MAX_PAGE_SIZE = 500
#: The largest id the id columns hold (32-bit INTEGER on PostgreSQL): beyond it, no record.
MAX_ID = 2**31 - 1
DEFAULT_PAGE_SIZE = 100
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"  # as in jet_match.dataset.format

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key: `Authorization: Bearer jm_<prefix>_<secret>` (docs/api.md, Keys).",
)


async def reject_unknown_query_parameters(request: Request) -> None:
    """422 for a query parameter the operation does not define (a typo must not filter nothing)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        problems = [
            FieldProblem(
                "query", None, name, "unknown_parameter", f"unknown query parameter {name!r}"
            )
            for name in unknown
        ]
        raise InvalidInput(problems[0].message, problems)


async def strict_request(request: Request) -> None:
    """One `Authorization` header; a JSON body in UTF-8, declared, without NUL, and of the
    exact JSON types of its fields (strict: `true` is not 1, `"1"` is not a number)."""
    authorizations = [
        name for name, _ in request.scope.get("headers", []) if name == b"authorization"
    ]
    if len(authorizations) > 1:
        raise BadRequest("send one Authorization header, not several")
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if request.method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return
    if body_field is None and not _reads_raw_json(route):
        return
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    raw = await request.body()
    if not raw:
        return  # no body: FastAPI says whether one is required
    # A caller without a valid key hears 401 before anything about its body.
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    await run_in_threadpool(authenticate_bearer, request, bearer)
    if not media_type:
        raise UnsupportedMediaType("send the body with Content-Type: application/json")
    charset = parameters.strip().lower().removeprefix("charset=").strip('"')
    if parameters.strip() and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"send the body in UTF-8, not {charset or parameters.strip()}")
    if media_type != "application/json" and not media_type.endswith("+json"):
        return  # answered 415 by the validation handler
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedMediaType("the body is not UTF-8: send JSON in UTF-8") from None
    try:
        document = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return  # answered 422 with the line and column by FastAPI's own parsing
    nul = _nul_path(document, ())
    if nul is not None:
        field = ".".join(str(part) for part in nul) or None
        raise InvalidInput(
            f"the field {field} holds a NUL character, which no text may contain",
            [FieldProblem("body", None, field, "nul_character", "a NUL character is refused")],
        )
    params = getattr(getattr(route, "dependant", None), "body_params", [])
    if len(params) != 1 or getattr(params[0].field_info, "embed", False):
        return
    try:
        TypeAdapter(params[0].field_info.annotation).validate_json(raw, strict=True)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()], body=document
        ) from None


def _reads_raw_json(route: Any) -> bool:
    """A route that reads its JSON body itself (a dataset import) and documents it in
    `openapi_extra`: its body gets the same checks (UTF-8, declared, no NUL); the exact
    types are its service's to check (the dataset is validated there)."""
    extra = getattr(route, "openapi_extra", None) or {}
    content = extra.get("requestBody", {}).get("content", {})
    return "application/json" in content


def authenticate_bearer(request: Request, token: str | None) -> None:
    """Unauthenticated unless `token` is a valid key (the check before any body problem)."""
    with Session(request.app.state.engine) as session:
        authenticate_request(request, session, token)


def _nul_path(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """Where in a JSON document a string (or a key) holds NUL; None if nowhere."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return (*path, key)
            found = _nul_path(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, (*path, index))
            if found is not None:
                return found
    return None


def _whole_number(value: Any) -> Any:
    """A path id is digits only: `/runs/1.0` names no run."""
    if isinstance(value, str) and not value.isdigit():
        raise ValueError("an id is a whole number written in digits")
    return value


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for this request (the services commit their own transactions)."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


async def get_prepared_problems(request: Request) -> PreparedProblems:
    """The prepared problems the app keeps for review reads."""
    prepared: PreparedProblems = request.app.state.prepared_problems
    return prepared


SessionDep = Annotated[Session, Depends(get_session)]
PreparedProblemsDep = Annotated[PreparedProblems, Depends(get_prepared_problems)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller behind the bearer key (401 if missing, unknown, revoked or expired; 429
    after too many failures from this client)."""
    request_id = getattr(request.state, "request_id", None)
    caller = authenticate_request(
        request, session, credentials.credentials if credentials else None, request_id
    )
    request.state.key_prefix = caller.key_prefix
    return caller


def authenticate_request(
    request: Request, session: Session, token: str | None, request_id: str | None = None
) -> Caller:
    """`api_keys.authenticate`, behind the per-client limit of failed attempts.

    Once per request: a request with a body is authenticated before its body is checked
    (`strict_request`) and again when its route asks for the caller; the second time
    answers the first's caller for the same token (no second query, no second failure
    counted).
    """
    known: tuple[str | None, Caller] | None = getattr(request.state, "authenticated", None)
    if known is not None and known[0] == token:
        caller = known[1]
        return caller if caller.request_id == request_id else replace(caller, request_id=request_id)
    limiter: AuthFailureLimiter = request.app.state.auth_failures
    client = request.client.host if request.client else "unknown"
    limiter.check(client)
    try:
        caller = api_keys.authenticate(session, token, request_id)
    except Unauthenticated:
        limiter.failed(client)
        raise
    request.state.authenticated = (token, caller)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_optional_caller(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller | None:
    """The caller behind the bearer key, None without one (401 for a bad one)."""
    if credentials is None:
        return None
    return get_caller(request, session, credentials)


OptionalCallerDep = Annotated[Caller | None, Depends(get_optional_caller)]


def get_metrics_reader(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The Prometheus scraper (bearer `JET_MATCH_METRICS_TOKEN`), or a coordinator's key."""
    token = settings.metrics_token
    if (
        credentials is not None
        and token
        and hmac.compare_digest(credentials.credentials.encode(), token.get_secret_value().encode())
    ):
        return METRICS_SCRAPER
    caller = get_caller(request, session, credentials)
    authorize(caller, Action.METRICS_READ)
    return caller


MetricsReaderDep = Annotated[Caller, Depends(get_metrics_reader)]


def allowed(action: Action) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency: the caller, if its role may do `action` (403 otherwise)."""

    async def dependency(caller: CallerDep) -> Caller:
        authorize(caller, action)
        return caller

    return dependency


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description="The ETag of the version you read (required: 428 without it, 412 if stale).",
        examples=['"3"'],
    ),
]


async def get_idempotency_key(
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes a retried POST safe: the same key and body get the first answer.",
            examples=["2b7f7c1e-6f0a-4d7e-9f5e-1a2b3c4d5e6f"],
        ),
    ] = None,
) -> IdempotencyKey | None:
    """The request's Idempotency-Key, if any."""
    if idempotency_key is None:
        return None
    return IdempotencyKey(idempotency_key, timedelta(hours=settings.idempotency_ttl_hours))


IdempotencyDep = Annotated[IdempotencyKey | None, Depends(get_idempotency_key)]


async def get_page(
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 500).")
    ] = DEFAULT_PAGE_SIZE,
) -> PageRequest:
    """Where the page starts and how long it is."""
    return PageRequest(cursor=cursor, limit=limit)


PageDep = Annotated[PageRequest, Depends(get_page)]

ExternalIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=EXTERNAL_ID_PATTERN,
        description="The record's external_id.",
        examples=["ALT-2026-00042"],
    ),
]

RoundPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=EXTERNAL_ID_PATTERN,
        description="The round's external_id.",
        examples=["R2026-MAIN"],
    ),
]
RunPath = Annotated[
    int,
    BeforeValidator(_whole_number),
    Path(ge=1, le=MAX_ID, description="The run's id (from its Location).", examples=[12]),
]
ProgrammeYearPath = Annotated[
    int,
    BeforeValidator(_whole_number),
    Path(ge=1987, le=2100, description="The JET programme year.", examples=[2026]),
]
OfferPath = Annotated[
    int,
    BeforeValidator(_whole_number),
    Path(ge=1, le=MAX_ID, description="The offer's id.", examples=[7]),
]
