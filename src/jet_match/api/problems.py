"""Errors as RFC 9457 problem details (`application/problem+json`), in one place.

Every error the API answers, whether raised by a service (`jet_match.errors`), by
request validation, by routing (404, 405) or by a bug (500), leaves through here with
`type`, `title`, `status`, `detail`, `instance`, `request_id` and an `errors` list that
names the record and field at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from jet_match import errors
from jet_match.api.deps import authenticate_bearer
from jet_match.db import is_unavailable
from jet_match.errors import DomainError, FieldProblem
from jet_match.schemas.common import ProblemDetails, ProblemItem

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://jet-match.example/problems/"
#: The OpenAPI component of `ProblemDetails`: its name on the wire since the first release.
PROBLEM_COMPONENT = "Problem"
COMPONENTS = "#/components/schemas/"

STATUS: dict[type[DomainError], int] = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.AlreadyExists: 409,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.UnsupportedMediaType: 415,
    errors.InvalidInput: 422,
    errors.IdempotencyKeyReused: 422,
    errors.PreconditionRequired: 428,
    errors.PayloadTooLarge: 413,
    errors.TooManyAttempts: 429,
    errors.Unavailable: 503,
}

_HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed for this role"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    500: ("internal", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}
_TITLE_415 = _HTTP_CODES[415][1]

DESCRIPTIONS = {
    400: "The body cannot be read (not UTF-8 JSON).",
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`).",
    403: "The key's role may not use this operation at all.",
    404: "No such record, or one of another organization (the two look the same).",
    409: "A record with this external_id exists already, or a concurrent write won.",
    412: "`If-Match` names a version that is no longer current: read it again.",
    413: "The request body is larger than the service accepts, or an XLSX workbook "
    "unpacks to more than it accepts (docs/api.md, Limits).",
    415: "The body's media type or character encoding is not accepted.",
    422: "The request breaks a rule; `errors` names every record and field at fault.",
    428: "`If-Match` is required on this write.",
    429: "Too many failed authentications from this client: retry after `Retry-After` seconds.",
    503: "The database is unreachable for now: retry after `Retry-After` seconds.",
}

log = structlog.get_logger("jet_match.api")


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    problems: Sequence[FieldProblem] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response for this request."""
    body = ProblemDetails(
        type=PROBLEM_BASE + code,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        errors=[ProblemItem.model_validate(problem.to_dict()) for problem in problems],
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problems an operation can answer."""
    return {
        status: {"model": ProblemDetails, "description": DESCRIPTIONS[status]}
        for status in statuses
    }


def _record_kind(request: Request) -> str:
    segments = [s for s in request.url.path.split("/") if s]
    resource = segments[2] if len(segments) > 2 else "request"
    return {
        "organizations": "organization",
        "openings": "opening",
        "participants": "participant",
        "api-keys": "api_key",
        "imports": "dataset",
        "audit": "audit",
        "rounds": "round",
        "runs": "run",
        "results": "result",
    }.get(resource, "request")


def _named_record(request: Request, body: Any) -> tuple[str, str | None]:
    """The record a refused request is about: its kind, and its external_id from the path
    (`/rounds/{r}/plan/{p}` is the plan entry of p) or from the body being created."""
    kind = _record_kind(request)
    params = request.path_params
    segments = [s for s in request.url.path.split("/") if s]
    if kind == "round" and len(segments) > 4 and segments[4] == "plan":
        return "plan", params.get("participant_id")
    for name in ("external_id", "round_id", "run_id", "organization_id"):
        if isinstance(params.get(name), str):
            return kind, str(params[name])
    if isinstance(body, dict) and isinstance(body.get("external_id"), str):
        return kind, str(body["external_id"])[:64]
    return kind, None


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = next(s for cls, s in STATUS.items() if isinstance(exc, cls))
    headers = {"WWW-Authenticate": 'Bearer realm="jet-match"'} if status == 401 else None
    if isinstance(exc, errors.TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_s)}
    return problem_response(request, status, exc.code, exc.title, exc.detail, exc.problems, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    refusal = await _unauthenticated(request)
    if refusal is not None:
        return refusal
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not _is_json(media_type) and any(e.get("loc", ())[:1] == ("body",) for e in exc.errors()):
        # FastAPI reads a body of another media type as bytes, then calls them "not an object".
        detail = f"send the body as application/json, not {media_type}"
        return problem_response(request, 415, "unsupported-media-type", _TITLE_415, detail)
    kind, external_id = _named_record(request, exc.body)
    problems = []
    for error in exc.errors():
        if error["type"] == "json_invalid":
            problems.append(_malformed_json(kind, external_id, error, exc.body))
            continue
        loc = [str(part) for part in error.get("loc", ())]
        where, field = (loc[0], ".".join(loc[1:])) if loc else ("body", "")
        record = kind if where == "body" else where
        problems.append(
            FieldProblem(record, external_id, field or None, error["type"], error["msg"])
        )
    count = len(problems)
    return problem_response(
        request,
        422,
        "invalid",
        "Invalid input",
        f"the request is not valid: {count} problem{'s' * (count != 1)}",
        problems,
    )


def _is_json(media_type: str) -> bool:
    """Whether FastAPI parses a body of this media type as JSON (none given: it does)."""
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


def _malformed_json(
    record: str, external_id: str | None, error: dict[str, Any], document: Any
) -> FieldProblem:
    """Where the body stops being JSON, as line and column (FastAPI gives a character offset)."""
    loc = error.get("loc", ())
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    reason = error.get("ctx", {}).get("error", "invalid JSON")
    where = f"character {position}"
    if isinstance(document, str):
        line = document.count("\n", 0, position) + 1
        column = position - document.rfind("\n", 0, position)
        where = f"line {line}, column {column} (character {position})"
    message = f"the body is not valid JSON: {reason} at {where}"
    return FieldProblem(record, external_id, None, "json_invalid", message)


async def _unauthenticated(request: Request) -> JSONResponse | None:
    """The 401 of a request without a valid key, checked first even when its body is broken.

    FastAPI reads the body before it resolves the key: without this, a client that sends
    neither a key nor a valid body would be told about the body.
    """
    if not _needs_key(getattr(request.scope.get("route"), "dependant", None)):
        return None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    try:
        await run_in_threadpool(authenticate_bearer, request, bearer)
    except errors.Unauthenticated as exc:
        return await _domain_error(request, exc)
    return None


def _needs_key(dependant: Any) -> bool:
    return dependant is not None and any(
        isinstance(sub.call, HTTPBearer) or _needs_key(sub) for sub in dependant.dependencies
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        refusal = await _unauthenticated(request)
        if refusal is not None:
            return refusal
    code, title = _HTTP_CODES.get(exc.status_code, ("error", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "the body cannot be read as JSON: it is not UTF-8, or it is nested too deeply"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}"
    return problem_response(
        request, exc.status_code, code, title, detail, headers=dict(exc.headers or {})
    )


#: Seconds a client should wait before retrying while the database is unreachable.
RETRY_AFTER_S = 5


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database is unreachable; any other database error is
    a bug (500). Logged as one line without a traceback: an outage is expected, and the
    error's text may name the statement."""
    if not is_unavailable(exc):
        return await _unexpected(request, exc)
    log.warning("database_unavailable", error=type(exc).__name__, path=request.url.path)
    return problem_response(
        request,
        503,
        "unavailable",
        "Service unavailable",
        f"the database cannot be reached for now; retry in {RETRY_AFTER_S} seconds",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled_error", error=type(exc).__name__, path=request.url.path)
    debug = bool(getattr(request.app.state, "debug", False))
    detail = f"{type(exc).__name__}: {exc}" if debug else "an unexpected error occurred"
    return problem_response(request, 500, "internal", "Internal server error", detail)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unexpected)


#: Health answers (JSON whatever their status: a 503 says "not ready", not an error).
HEALTH_SCHEMAS = frozenset({"Health", "Readiness"})


def use_problem_media_type(openapi: dict[str, Any]) -> dict[str, Any]:
    """Document error responses as application/problem+json (FastAPI says application/json).

    Every operation documents 503 (the database unreachable for now, with Retry-After);
    every one that takes a key documents 429 (too many failed authentications); every one
    that reads a JSON body also documents 400 (not UTF-8 JSON) and 415 (another media
    type). The health checks' own answers stay JSON, 503 included. The `ProblemDetails`
    model is published under its wire name, `Problem` (the component name clients already
    know).
    """
    openapi = _renamed_component(openapi, ProblemDetails.__name__, PROBLEM_COMPONENT)
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"{COMPONENTS}{PROBLEM_COMPONENT}"}}}
    for path in openapi.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    schema = content["application/json"].get("schema", {}).get("$ref", "")
                    if schema.rpartition("/")[2] not in HEALTH_SCHEMAS:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            responses.setdefault("503", {"description": DESCRIPTIONS[503], "content": problem})
            if operation.get("security"):
                responses.setdefault("429", {"description": DESCRIPTIONS[429], "content": problem})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                for status in (400, 415):
                    responses.setdefault(
                        str(status), {"description": DESCRIPTIONS[status], "content": problem}
                    )
    return openapi


def _renamed_component(openapi: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The document with the schema component `old` named `new`, in the same place, and
    every reference to it following."""
    schemas = openapi.get("components", {}).get("schemas", {})
    if old not in schemas:
        return openapi
    openapi["components"]["schemas"] = {
        (new if name == old else name): schema for name, schema in schemas.items()
    }

    def follow(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: f"{COMPONENTS}{new}"
                if key == "$ref" and value == f"{COMPONENTS}{old}"
                else follow(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [follow(item) for item in node]
        return node

    renamed: dict[str, Any] = follow(openapi)
    return renamed
