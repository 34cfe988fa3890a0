"""Every route x every kind of caller answers what docs/api.md ("Roles") promises.

The routes come from the app itself: a new route without an entry in CASES fails
`test_every_route_has_a_case`, so nobody adds an endpoint without deciding who may call it.
Each route runs on its own fresh database; callers that may write go last, and bodies
differ per caller so that one caller's success does not change another's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.main import create_app
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.operations import workers
from jet_match.services.security import accounts
from jet_match.statuses import Role
from round_support import (
    ROUND,
    create_round,
    move,
    published_round,
    queue_run,
    solved_round,
)
from service_support import Keys

CALLERS = ("anonymous", "revoked", "career_fair", "host_other", "host_own", "coordinator")

# Expected status per caller, in CALLERS order.
PUBLIC = (200, 200, 200, 200, 200, 200)
COORDINATORS_ONLY = (401, 401, 403, 403, 403, 200)
COORDINATORS_CREATE = (401, 401, 403, 403, 403, 201)
HOST_READS_LIST = (401, 401, 403, 200, 200, 200)
HOST_OWN_RECORD = (401, 401, 403, 404, 200, 200)
HOST_ORG_READ_ONLY = (401, 401, 403, 403, 403, 200)


@dataclass(frozen=True)
class Case:
    """How to call a route, and what each caller gets."""

    expected: tuple[int, ...]
    path: str | None = None  # concrete path; None: the route's own
    body: Callable[[str], Any] | None = None  # JSON body per caller
    content: Callable[[str], tuple[bytes, str]] | None = None  # (raw body, content type)
    headers: dict[str, str] = field(default_factory=dict)
    # Prepares the database (rounds, runs ...); returns values for `{name}` in the path.
    setup: Callable[[Engine, Settings], dict[str, str]] | None = None


def _org(who: str) -> dict[str, Any]:
    return {
        "external_id": f"ORG-NEW-{who}",
        "name": "New organization",
        "kind": "municipality",
        "prefecture": 2,
        "area_type": "rural",
    }


def _opening(who: str) -> dict[str, Any]:
    return {
        "external_id": f"OPN-NEW-{who}",
        "organization": "ORG-A",
        "position": "ALT",
        "slots": 1,
        "school_level": "elementary",
    }


def _participant(who: str) -> dict[str, Any]:
    return {
        "external_id": f"P-NEW-{who}",
        "family_name": "New",
        "given_name": "Person",
        "email": "new@example.org",
        "citizenship": "IE",
        "position": "ALT",
    }


def _sheet(who: str) -> tuple[bytes, str]:
    row = f"ORG-CSV-{who},Sheet org,municipality,3,rural"
    return (f"external_id,name,kind,prefecture,area_type\n{row}\n").encode(), "text/csv"


def _dataset(who: str) -> tuple[bytes, str]:
    import orjson

    return orjson.dumps({"format": "jet-match/dataset@1", "organizations": [_org(who)]}), (
        "application/json"
    )


ANY_VERSION = {"If-Match": "*"}
HOST_OWN_PLACEMENTS = (401, 401, 403, 404, 200, 200)
RESULTS_READERS = (401, 401, 200, 403, 403, 200)
COORDINATORS_ACCEPT = (401, 401, 403, 403, 403, 202)


def _worker_alive(engine: Engine, _settings: Settings) -> dict[str, str]:
    with Session(engine) as session:
        workers.beat(session, worker="elsewhere:1:1", run_id=None)
    return {}


def _signed_in(engine: Engine, _settings: Settings) -> dict[str, str]:
    with Session(engine) as session:
        accounts.create_user(
            session=session,
            caller=COMMAND_LINE,
            email="staff@example.org",
            role=Role.COORDINATOR,
            password="a long enough password 1",
        )
        signed = accounts.sign_in(
            session=session,
            email="staff@example.org",
            password="a long enough password 1",
            policy=accounts.SignInPolicy(),
        )
        account = accounts.resume(
            session=session, token=signed.token, policy=accounts.SignInPolicy()
        )
    assert account is not None
    return {"staff_session": str(account.session_id)}


R = f"/api/v1/rounds/{ROUND}"


def _draft(engine: Engine, _settings: Settings) -> dict[str, str]:
    create_round(engine)
    return {}


def _queued(engine: Engine, _settings: Settings) -> dict[str, str]:
    create_round(engine)
    return {"run": str(queue_run(engine))}


def _solved(engine: Engine, settings: Settings) -> dict[str, str]:
    solved_round(engine, settings)
    return {"run": "1"}


def _published(engine: Engine, settings: Settings) -> dict[str, str]:
    published_round(engine, settings)
    return {}


def _forbidden(engine: Engine, settings: Settings) -> dict[str, str]:
    solved_round(engine, settings)
    from sqlmodel import Session

    from jet_match.schemas.plans import ForbiddenCreate
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.rounds import plans

    with Session(engine) as session:
        plans.forbid_pair(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            pair=ForbiddenCreate(participant="P-5", opening="OPN-A2"),
            if_match="*",
        )
    return {}


def _vacancy(engine: Engine, settings: Settings) -> dict[str, str]:
    published_round(engine, settings)
    move(engine, "P-1", PlanChange(opening=None))
    return {}


def _round(who: str) -> dict[str, Any]:
    return {"external_id": f"R-{who}", "name": f"Round of {who}", "programme_year": 2026}


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/openapi.json"): Case(PUBLIC),
    ("GET", "/docs"): Case(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Case(PUBLIC),
    ("GET", "/redoc"): Case(PUBLIC),
    ("GET", "/api/v1/health"): Case(PUBLIC),
    ("GET", "/api/v1/health/live"): Case(PUBLIC),
    # A key is optional; a bad one is refused, a coordinator's adds the reasons.
    ("GET", "/api/v1/health/ready"): Case((200, 401, 200, 200, 200, 200), setup=_worker_alive),
    ("GET", "/metrics"): Case(COORDINATORS_ONLY),
    ("GET", "/api/v1/organizations"): Case(HOST_READS_LIST),
    ("POST", "/api/v1/organizations"): Case(COORDINATORS_CREATE, body=_org),
    ("GET", "/api/v1/organizations/{external_id}"): Case(
        HOST_OWN_RECORD, path="/api/v1/organizations/ORG-A"
    ),
    ("PATCH", "/api/v1/organizations/{external_id}"): Case(
        HOST_ORG_READ_ONLY,
        path="/api/v1/organizations/ORG-A",
        body=lambda who: {"name": f"Renamed by {who}"},
        headers=ANY_VERSION,
    ),
    ("GET", "/api/v1/openings"): Case(HOST_READS_LIST),
    # Another organization is unknown to a host org: posting for it is a 422 like a typo.
    ("POST", "/api/v1/openings"): Case((401, 401, 403, 422, 201, 201), body=_opening),
    ("GET", "/api/v1/openings/{external_id}"): Case(
        HOST_OWN_RECORD, path="/api/v1/openings/OPN-A1"
    ),
    ("PATCH", "/api/v1/openings/{external_id}"): Case(
        HOST_OWN_RECORD,
        path="/api/v1/openings/OPN-A1",
        body=lambda who: {"slots": 3 if who == "coordinator" else 4},
        headers=ANY_VERSION,
    ),
    ("DELETE", "/api/v1/openings/{external_id}"): Case(
        HOST_OWN_RECORD, path="/api/v1/openings/OPN-A1", headers=ANY_VERSION
    ),
    ("GET", "/api/v1/participants"): Case(COORDINATORS_ONLY),
    ("POST", "/api/v1/participants"): Case(COORDINATORS_CREATE, body=_participant),
    ("GET", "/api/v1/participants/{external_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1"
    ),
    ("GET", "/api/v1/participants/{external_id}/personal-data"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1/personal-data", setup=_published
    ),
    ("PATCH", "/api/v1/participants/{external_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/participants/P-1",
        body=lambda who: {"teaching_experience_years": 3},
        headers=ANY_VERSION,
    ),
    ("POST", "/api/v1/imports"): Case(COORDINATORS_ONLY, content=_dataset),
    ("POST", "/api/v1/imports/{kind}"): Case(
        COORDINATORS_ONLY, path="/api/v1/imports/organizations", content=_sheet
    ),
    ("GET", "/api/v1/exports/dataset"): Case(COORDINATORS_ONLY),
    ("GET", "/api/v1/exports/{kind}"): Case(
        COORDINATORS_ONLY, path="/api/v1/exports/participants?format=xlsx"
    ),
    ("POST", "/api/v1/api-keys"): Case(
        COORDINATORS_CREATE, body=lambda who: {"role": "career_fair", "name": f"by {who}"}
    ),
    ("GET", "/api/v1/api-keys"): Case(COORDINATORS_ONLY),
    ("GET", "/api/v1/api-keys/{key_id}"): Case(COORDINATORS_ONLY, path="/api/v1/api-keys/{spare}"),
    ("GET", "/api/v1/sessions"): Case(COORDINATORS_ONLY),
    ("DELETE", "/api/v1/sessions/{session_id}"): Case(
        (401, 401, 403, 403, 403, 204), path="/api/v1/sessions/{staff_session}", setup=_signed_in
    ),
    ("POST", "/api/v1/api-keys/{key_id}/rotate"): Case(
        COORDINATORS_CREATE, path="/api/v1/api-keys/{spare}/rotate"
    ),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/api-keys/{spare}"
    ),
    ("GET", "/api/v1/audit"): Case(COORDINATORS_ONLY),
    ("POST", "/api/v1/rounds"): Case(COORDINATORS_CREATE, body=_round),
    ("GET", "/api/v1/rounds"): Case(COORDINATORS_ONLY, setup=_draft),
    ("GET", "/api/v1/rounds/{round_id}"): Case(COORDINATORS_ONLY, path=R, setup=_draft),
    ("PATCH", "/api/v1/rounds/{round_id}"): Case(
        COORDINATORS_ONLY,
        path=R,
        body=lambda who: {"name": f"Renamed by {who}"},
        headers=ANY_VERSION,
        setup=_draft,
    ),
    ("POST", "/api/v1/rounds/{round_id}/close"): Case(
        COORDINATORS_ONLY, path=f"{R}/close", headers=ANY_VERSION, setup=_draft
    ),
    ("POST", "/api/v1/rounds/{round_id}/runs"): Case(
        COORDINATORS_ACCEPT, path=f"{R}/runs", setup=_draft
    ),
    ("GET", "/api/v1/rounds/{round_id}/runs"): Case(
        COORDINATORS_ONLY, path=f"{R}/runs", setup=_queued
    ),
    ("GET", "/api/v1/runs/{run_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/runs/{run}", setup=_queued
    ),
    ("POST", "/api/v1/runs/{run_id}/cancel"): Case(
        COORDINATORS_ONLY, path="/api/v1/runs/{run}/cancel", setup=_queued
    ),
    ("GET", "/api/v1/rounds/{round_id}/plan"): Case(
        COORDINATORS_ONLY, path=f"{R}/plan", setup=_solved
    ),
    ("PUT", "/api/v1/rounds/{round_id}/plan/{participant_id}"): Case(
        COORDINATORS_ONLY,
        path=f"{R}/plan/P-5",
        body=lambda who: {"opening": "OPN-A2", "pinned": True},
        headers=ANY_VERSION,
        setup=_solved,
    ),
    ("GET", "/api/v1/rounds/{round_id}/forbidden"): Case(
        COORDINATORS_ONLY, path=f"{R}/forbidden", setup=_forbidden
    ),
    ("POST", "/api/v1/rounds/{round_id}/forbidden"): Case(
        COORDINATORS_CREATE,
        path=f"{R}/forbidden",
        body=lambda who: {"participant": "P-1", "opening": "OPN-A1"},
        headers=ANY_VERSION,
        setup=_solved,
    ),
    ("DELETE", "/api/v1/rounds/{round_id}/forbidden/{participant_id}/{opening_id}"): Case(
        (401, 401, 403, 403, 403, 204),
        path=f"{R}/forbidden/P-5/OPN-A2",
        headers=ANY_VERSION,
        setup=_forbidden,
    ),
    ("GET", "/api/v1/rounds/{round_id}/participants/{participant_id}/explanation"): Case(
        COORDINATORS_ONLY, path=f"{R}/participants/P-1/explanation", setup=_solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/openings/{opening_id}/candidates"): Case(
        COORDINATORS_ONLY, path=f"{R}/openings/OPN-A1/candidates", setup=_solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/compare"): Case(
        COORDINATORS_ONLY, path=f"{R}/compare?a=run:1&b=current", setup=_solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/report"): Case(
        COORDINATORS_ONLY, path=f"{R}/report?format=xlsx", setup=_solved
    ),
    ("POST", "/api/v1/rounds/{round_id}/publish"): Case(
        COORDINATORS_ONLY, path=f"{R}/publish", headers=ANY_VERSION, setup=_solved
    ),
    ("GET", "/api/v1/organizations/{organization_id}/placements"): Case(
        HOST_OWN_PLACEMENTS, path="/api/v1/organizations/ORG-A/placements", setup=_published
    ),
    ("GET", "/api/v1/results"): Case(RESULTS_READERS, setup=_published),
    ("POST", "/api/v1/participants/{participant_id}/withdraw"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1/withdraw", setup=_solved
    ),
    ("POST", "/api/v1/rounds/{round_id}/fill-vacancies"): Case(
        COORDINATORS_ONLY, path=f"{R}/fill-vacancies", headers=ANY_VERSION, setup=_vacancy
    ),
}


def _routes() -> list[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite://", environment="test"))
    found = set()
    # FastAPI keeps included routers nested in app.routes; iter_route_contexts flattens them.
    for route in iter_route_contexts(app.routes):
        for method in getattr(route, "methods", None) or ():
            if method not in ("HEAD", "OPTIONS") and route.path is not None:
                if route.path == "/app" or route.path.startswith("/app/"):
                    continue  # pages for people: tests/web/test_web_access.py
                found.add((method, route.path))
    return sorted(found)


ROUTES = _routes()


def test_every_route_has_a_case() -> None:
    missing = [route for route in ROUTES if route not in CASES]
    stale = [route for route in CASES if route not in ROUTES]
    assert not missing, f"decide who may call these routes and add them to CASES: {missing}"
    assert not stale, f"CASES names routes that no longer exist: {stale}"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_route_answers_each_caller_as_documented(
    method: str,
    path: str,
    client: TestClient,
    keys: Keys,
    make_key: Any,
    engine: Engine,
    settings: Settings,
) -> None:
    case = CASES[(method, path)]
    spare = make_key(Role.CAREER_FAIR, name="spare")
    url = (case.path or path).replace("{spare}", spare.split("_")[1])
    for name, value in (case.setup(engine, settings) if case.setup else {}).items():
        url = url.replace("{" + name + "}", value)
    answers = {}
    for who in CALLERS:
        headers = {**keys.header(who), **case.headers}
        kwargs: dict[str, Any] = {}
        if case.body is not None:
            kwargs["json"] = case.body(who)
        if case.content is not None:
            raw, media_type = case.content(who)
            kwargs["content"] = raw
            headers["Content-Type"] = media_type
        response = client.request(method, url, headers=headers, **kwargs)
        answers[who] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == response.status_code
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert answers == dict(zip(CALLERS, case.expected, strict=True))
