"""Every /app route x every kind of signed-in person answers as docs/workspace.md promises.

The routes come from the app itself: a new page without an entry in CASES fails
`test_every_page_has_a_case`, so nobody adds a page without deciding who may use it (the
API's routes have the same table in tests/api/test_authorization.py). Every POST carries
the caller's own CSRF token, so what is checked here is the role and the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.main import create_app
from round_support import solved_round
from web.web_support import Staff, csrf_of, sign_in

CALLERS = ("anonymous", "host_other", "host_own", "coordinator")
ORG = "/app/organizations/ORG-A"  # host_own's organization; host_other is ORG-B's

EVERYONE_SIGNED_IN = (303, 200, 200, 200)
COORDINATORS = (303, 403, 403, 200)
OWN_ORGANIZATION = (303, 404, 200, 200)
NO_ROUND = (303, 403, 403, 404)
PARTICIPANT = "/app/rounds/R-NONE/participants/P-1"
OPENING = "/app/rounds/R-NONE/openings/OPN-A1"
ROUND = "/app/rounds/R-TEST"  # solved before each round page is called
ROUND_READERS = (303, 403, 403, 200)


@dataclass(frozen=True)
class Case:
    """How to call a page, and what each caller gets."""

    expected: tuple[int, ...]
    path: str | None = None  # concrete path; None: the route's own
    form: dict[str, str] = field(default_factory=dict)  # `{who}` is replaced by the caller
    version_of: str | None = None  # the page whose form's current version is sent


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/app"): Case((308, 308, 308, 308)),
    ("GET", "/app/"): Case(EVERYONE_SIGNED_IN),
    ("POST", "/app/rounds"): Case(
        (303, 403, 403, 303),
        form={
            "external_id": "R-{who}",
            "name": "A round",
            "programme_year": "2027",
            "positions": "ALT",
        },
    ),
    ("GET", "/app/login"): Case((200, 303, 303, 303)),
    ("POST", "/app/login"): Case(
        (401, 401, 401, 401), form={"email": "nobody@example.jp", "password": "x"}
    ),
    ("POST", "/app/logout"): Case((303, 303, 303, 303)),
    ("POST", "/app/language"): Case((303, 303, 303, 303), form={"language": "en"}),
    ("GET", "/app/users"): Case(COORDINATORS),
    ("POST", "/app/users"): Case(
        (303, 403, 403, 201), form={"email": "new-{who}@example.jp", "role": "coordinator"}
    ),
    ("POST", "/app/users/disable"): Case((303, 403, 403, 303), form={"email": "host-b@example.jp"}),
    # No such session: ending one is tested in test_web_sessions.py.
    ("POST", "/app/users/sessions/revoke"): Case(
        (303, 403, 403, 404), form={"session_id": "999999"}
    ),
    ("GET", "/app/audit"): Case(COORDINATORS),
    ("GET", "/app/notifications"): Case(EVERYONE_SIGNED_IN),
    ("POST", "/app/notifications"): Case((303, 303, 303, 303), form={"enabled": "run.failed"}),
    ("GET", "/app/development"): Case(COORDINATORS, path="/app/development?programme_year=2026"),
    ("GET", "/app/organizations/{organization}"): Case(OWN_ORGANIZATION, path=ORG),
    ("GET", "/app/organizations/{organization}/placements.{extension}"): Case(
        OWN_ORGANIZATION, path=f"{ORG}/placements.csv"
    ),
    ("GET", "/app/organizations/{organization}/openings/new"): Case(
        OWN_ORGANIZATION, path=f"{ORG}/openings/new"
    ),
    ("POST", "/app/organizations/{organization}/openings/new"): Case(
        (303, 404, 303, 303),
        path=f"{ORG}/openings/new",
        form={
            "external_id": "OPN-{who}",
            "position": "ALT",
            "slots": "1",
            "school_level": "mixed",
        },
    ),
    ("GET", "/app/organizations/{organization}/openings/{opening}"): Case(
        OWN_ORGANIZATION, path=f"{ORG}/openings/OPN-A1"
    ),
    ("POST", "/app/organizations/{organization}/openings/{opening}"): Case(
        (303, 404, 303, 303),
        path=f"{ORG}/openings/OPN-A1",
        form={"slots": "2"},
        version_of=f"{ORG}/openings/OPN-A1",
    ),
    ("POST", "/app/organizations/{organization}/openings/{opening}/cancel"): Case(
        (303, 404, 303, 303),
        path=f"{ORG}/openings/OPN-A1/cancel",
        version_of=f"{ORG}/openings/OPN-A1",
    ),
    # The round pages of coordinators (this table's database has no round: a 404 page).
    ("GET", "/app/rounds/{round_id}/participants/{participant}"): Case(NO_ROUND, path=PARTICIPANT),
    **{
        ("POST", f"/app/rounds/{{round_id}}/participants/{{participant}}/{action}"): Case(
            NO_ROUND, path=f"{PARTICIPANT}/{action}"
        )
        for action in ("preview", "move", "pin", "unassign", "forbid", "withdraw")
    },
    ("GET", "/app/rounds/{round_id}/openings/{opening}"): Case(NO_ROUND, path=OPENING),
    **{
        ("POST", f"/app/rounds/{{round_id}}/openings/{{opening}}/{action}"): Case(
            NO_ROUND, path=f"{OPENING}/{action}"
        )
        for action in ("fill/preview", "fill")
    },
    ("GET", "/app/rounds/{round_id}"): Case(ROUND_READERS, path=ROUND),
    ("GET", "/app/rounds/{round_id}/progress"): Case(ROUND_READERS, path=f"{ROUND}/progress"),
    ("POST", "/app/rounds/{round_id}/runs"): Case((303, 403, 403, 303), path=f"{ROUND}/runs"),
    ("POST", "/app/rounds/{round_id}/close"): Case(
        (303, 403, 403, 303), path=f"{ROUND}/close", version_of=ROUND
    ),
    ("GET", "/app/rounds/{round_id}/publish"): Case(ROUND_READERS, path=f"{ROUND}/publish"),
    ("POST", "/app/rounds/{round_id}/publish"): Case(
        (303, 403, 403, 303), path=f"{ROUND}/publish", version_of=f"{ROUND}/publish"
    ),
    ("GET", "/app/rounds/{round_id}/plan"): Case(ROUND_READERS, path=f"{ROUND}/plan"),
    ("GET", "/app/rounds/{round_id}/plan.{extension}"): Case(
        ROUND_READERS, path=f"{ROUND}/plan.xlsx"
    ),
    ("GET", "/app/rounds/{round_id}/compare"): Case(ROUND_READERS, path=f"{ROUND}/compare"),
    ("GET", "/app/rounds/{round_id}/report.xlsx"): Case(ROUND_READERS, path=f"{ROUND}/report.xlsx"),
    ("GET", "/app/rounds/{round_id}/bulk"): Case(ROUND_READERS, path=f"{ROUND}/bulk"),
    ("POST", "/app/rounds/{round_id}/bulk/preview"): Case(
        (303, 403, 403, 422), path=f"{ROUND}/bulk/preview"
    ),
    ("POST", "/app/rounds/{round_id}/bulk"): Case(
        (303, 403, 403, 303),
        path=f"{ROUND}/bulk",
        form={"changes": '[{"row": 2, "participant": "P-1", "opening": null}]'},
        version_of=ROUND,
    ),
}


def _pages() -> list[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite://", environment="test"))
    found = set()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path == "/app" or path.startswith("/app/"):
            found |= {(m, path) for m in getattr(route, "methods", None) or () if m != "HEAD"}
    return sorted(found)


PAGES = _pages()


def test_every_page_has_a_case() -> None:
    assert [page for page in PAGES if page not in CASES] == [], "add the pages to CASES"
    assert [page for page in CASES if page not in PAGES] == [], "CASES names gone pages"


def _client(app: FastAPI, staff: Staff, who: str) -> TestClient:
    client = TestClient(app, headers={"Accept-Language": "en"})
    email = {"host_other": staff.host_b, "host_own": staff.host_a}.get(who, staff.coordinator)
    if who != "anonymous":
        assert sign_in(client, email).status_code == 303
    return client


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_page_answers_each_caller_as_documented(
    method: str, path: str, app: FastAPI, staff: Staff, engine: Engine, settings: Settings
) -> None:
    case = CASES[(method, path)]
    if path.startswith(("/app/rounds/", "/app/development")):
        solved_round(engine, settings)
    answers = []
    for who in CALLERS:
        client = _client(app, staff, who)
        url = case.path or path
        if method == "GET":
            answers.append(client.get(url, follow_redirects=False).status_code)
            continue
        form = {name: value.replace("{who}", who) for name, value in case.form.items()}
        if case.version_of:
            opened = client.get(case.version_of, follow_redirects=False)
            found = opened.text.split('name="version" value="')
            form["version"] = found[1].split('"')[0] if len(found) > 1 else "1"
        form["csrf_token"] = csrf_of(client.get("/app/login").text)
        answers.append(client.post(url, data=form, follow_redirects=False).status_code)
    assert tuple(answers) == case.expected, dict(zip(CALLERS, answers, strict=True))
