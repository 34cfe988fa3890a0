"""Every route x every kind of caller answers what docs/api.md ("Roles") promises.

The routes come from the app itself: a new route without an entry in CASES fails
`test_every_route_has_a_case`, so nobody adds an endpoint without deciding who may call it.
Each route runs on its own fresh database; callers that may write go last, and bodies
differ per caller so that one caller's success does not change another's answer (the
callers, bodies and database states: authorization_setups.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from authorization_setups import (
    ANY_VERSION,
    CALLERS,
    COORDINATORS_ACCEPT,
    COORDINATORS_CREATE,
    COORDINATORS_ONLY,
    FAIR_READERS,
    HOST_ORG_READ_ONLY,
    HOST_OWN_PLACEMENTS,
    HOST_OWN_RECORD,
    HOST_READS_LIST,
    PUBLIC,
    RESULTS_READERS,
    Case,
    dataset_file,
    draft_round,
    fair,
    forbidden_pair,
    hook_body,
    intention_body,
    ledger,
    offered,
    opening_body,
    org_body,
    organizations_sheet,
    participant_body,
    prospect,
    prospect_body,
    prospects_sheet,
    published,
    queued_round,
    registered,
    round_body,
    signed_in,
    solved,
    vacancy,
    webhook,
    worker_alive,
)
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.main import create_app
from jet_match.statuses import Role
from round_support import ROUND
from season_support import contract
from service_support import Keys

R = f"/api/v1/rounds/{ROUND}"
W = "/api/v1/webhooks/{hook}"


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/openapi.json"): Case(PUBLIC),
    ("GET", "/docs"): Case(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Case(PUBLIC),
    ("GET", "/redoc"): Case(PUBLIC),
    ("GET", "/api/v1/health"): Case(PUBLIC),
    ("GET", "/api/v1/health/live"): Case(PUBLIC),
    # A key is optional; a bad one is refused, a coordinator's adds the reasons.
    ("GET", "/api/v1/health/ready"): Case((200, 401, 200, 200, 200, 200), setup=worker_alive),
    ("GET", "/metrics"): Case(COORDINATORS_ONLY),
    ("GET", "/api/v1/organizations"): Case(HOST_READS_LIST),
    ("POST", "/api/v1/organizations"): Case(COORDINATORS_CREATE, body=org_body),
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
    ("POST", "/api/v1/openings"): Case((401, 401, 403, 422, 201, 201), body=opening_body),
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
    ("GET", "/api/v1/contracts"): Case(HOST_READS_LIST, setup=ledger),
    ("POST", "/api/v1/contracts"): Case(
        COORDINATORS_CREATE, body=lambda who: contract(f"C-NEW-{who}", "ORG-A", "OPN-A1")
    ),
    ("GET", "/api/v1/contracts/{external_id}"): Case(
        HOST_OWN_RECORD, path="/api/v1/contracts/C-A1", setup=ledger
    ),
    # A host sets the intention of its own contracts (only that field).
    ("PATCH", "/api/v1/contracts/{external_id}"): Case(
        HOST_OWN_RECORD,
        path="/api/v1/contracts/C-A1",
        body=intention_body,
        headers=ANY_VERSION,
        setup=ledger,
    ),
    ("GET", "/api/v1/programme-years"): Case(HOST_READS_LIST),
    ("GET", "/api/v1/programme-years/{year}"): Case(
        HOST_READS_LIST, path="/api/v1/programme-years/2026"
    ),
    ("PUT", "/api/v1/programme-years/{year}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/programme-years/2026",
        body=lambda who: {"undecided_as_leaving": who == "coordinator"},
        headers=ANY_VERSION,
    ),
    # A host reads the demand of its own openings (its prefecture's with prefecture scope).
    ("GET", "/api/v1/demand"): Case(
        HOST_READS_LIST, path="/api/v1/demand?programme_year=2026", setup=ledger
    ),
    ("POST", "/api/v1/demand/apply"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/demand/apply?programme_year=2026",
        headers=ANY_VERSION,
        setup=ledger,
    ),
    ("GET", "/api/v1/participants"): Case(COORDINATORS_ONLY),
    ("POST", "/api/v1/participants"): Case(COORDINATORS_CREATE, body=participant_body),
    ("GET", "/api/v1/participants/{external_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1"
    ),
    ("GET", "/api/v1/participants/{external_id}/personal-data"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1/personal-data", setup=published
    ),
    ("PATCH", "/api/v1/participants/{external_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/participants/P-1",
        body=lambda who: {"teaching_experience_years": 3},
        headers=ANY_VERSION,
    ),
    ("POST", "/api/v1/imports"): Case(COORDINATORS_ONLY, content=dataset_file),
    ("POST", "/api/v1/imports/{kind}"): Case(
        COORDINATORS_ONLY, path="/api/v1/imports/organizations", content=organizations_sheet
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
        (401, 401, 403, 403, 403, 204), path="/api/v1/sessions/{staff_session}", setup=signed_in
    ),
    ("POST", "/api/v1/api-keys/{key_id}/rotate"): Case(
        COORDINATORS_CREATE, path="/api/v1/api-keys/{spare}/rotate"
    ),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/api-keys/{spare}"
    ),
    ("GET", "/api/v1/audit"): Case(COORDINATORS_ONLY),
    ("POST", "/api/v1/rounds"): Case(COORDINATORS_CREATE, body=round_body),
    ("GET", "/api/v1/rounds"): Case(COORDINATORS_ONLY, setup=draft_round),
    ("GET", "/api/v1/rounds/{round_id}"): Case(COORDINATORS_ONLY, path=R, setup=draft_round),
    ("PATCH", "/api/v1/rounds/{round_id}"): Case(
        COORDINATORS_ONLY,
        path=R,
        body=lambda who: {"name": f"Renamed by {who}"},
        headers=ANY_VERSION,
        setup=draft_round,
    ),
    ("POST", "/api/v1/rounds/{round_id}/close"): Case(
        COORDINATORS_ONLY, path=f"{R}/close", headers=ANY_VERSION, setup=draft_round
    ),
    ("POST", "/api/v1/rounds/{round_id}/runs"): Case(
        COORDINATORS_ACCEPT, path=f"{R}/runs", setup=draft_round
    ),
    ("GET", "/api/v1/rounds/{round_id}/runs"): Case(
        COORDINATORS_ONLY, path=f"{R}/runs", setup=queued_round
    ),
    ("GET", "/api/v1/runs/{run_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/runs/{run}", setup=queued_round
    ),
    ("POST", "/api/v1/runs/{run_id}/cancel"): Case(
        COORDINATORS_ONLY, path="/api/v1/runs/{run}/cancel", setup=queued_round
    ),
    ("GET", "/api/v1/rounds/{round_id}/plan"): Case(
        COORDINATORS_ONLY, path=f"{R}/plan", setup=solved
    ),
    ("PUT", "/api/v1/rounds/{round_id}/plan/{participant_id}"): Case(
        COORDINATORS_ONLY,
        path=f"{R}/plan/P-5",
        body=lambda who: {"opening": "OPN-A2", "pinned": True},
        headers=ANY_VERSION,
        setup=solved,
    ),
    ("GET", "/api/v1/rounds/{round_id}/forbidden"): Case(
        COORDINATORS_ONLY, path=f"{R}/forbidden", setup=forbidden_pair
    ),
    ("POST", "/api/v1/rounds/{round_id}/forbidden"): Case(
        COORDINATORS_CREATE,
        path=f"{R}/forbidden",
        body=lambda who: {"participant": "P-1", "opening": "OPN-A1"},
        headers=ANY_VERSION,
        setup=solved,
    ),
    ("DELETE", "/api/v1/rounds/{round_id}/forbidden/{participant_id}/{opening_id}"): Case(
        (401, 401, 403, 403, 403, 204),
        path=f"{R}/forbidden/P-5/OPN-A2",
        headers=ANY_VERSION,
        setup=forbidden_pair,
    ),
    ("GET", "/api/v1/rounds/{round_id}/participants/{participant_id}/explanation"): Case(
        COORDINATORS_ONLY, path=f"{R}/participants/P-1/explanation", setup=solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/openings/{opening_id}/candidates"): Case(
        COORDINATORS_ONLY, path=f"{R}/openings/OPN-A1/candidates", setup=solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/compare"): Case(
        COORDINATORS_ONLY, path=f"{R}/compare?a=run:1&b=current", setup=solved
    ),
    ("GET", "/api/v1/rounds/{round_id}/report"): Case(
        COORDINATORS_ONLY, path=f"{R}/report?format=xlsx", setup=solved
    ),
    ("POST", "/api/v1/rounds/{round_id}/publish"): Case(
        COORDINATORS_ONLY, path=f"{R}/publish", headers=ANY_VERSION, setup=solved
    ),
    ("GET", "/api/v1/organizations/{organization_id}/placements"): Case(
        HOST_OWN_PLACEMENTS, path="/api/v1/organizations/ORG-A/placements", setup=published
    ),
    ("GET", "/api/v1/results"): Case(RESULTS_READERS, setup=published),
    ("GET", "/api/v1/results/changes"): Case(RESULTS_READERS, setup=published),
    ("POST", "/api/v1/participants/{participant_id}/withdraw"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1/withdraw", setup=solved
    ),
    ("POST", "/api/v1/rounds/{round_id}/fill-vacancies"): Case(
        COORDINATORS_ONLY, path=f"{R}/fill-vacancies", headers=ANY_VERSION, setup=vacancy
    ),
    ("GET", "/api/v1/events"): Case(HOST_READS_LIST),
    ("POST", "/api/v1/webhooks"): Case((401, 401, 403, 201, 201, 201), body=hook_body),
    ("GET", "/api/v1/webhooks"): Case(HOST_READS_LIST, setup=webhook),
    ("GET", "/api/v1/webhooks/{webhook_id}"): Case(HOST_OWN_RECORD, path=W, setup=webhook),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): Case(
        HOST_OWN_RECORD,
        path=W,
        body=lambda _who: {"active": True},
        headers=ANY_VERSION,
        setup=webhook,
    ),
    # Deleted by its owner first, so the coordinator then finds none.
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Case(
        (401, 401, 403, 404, 204, 404), path=W, headers=ANY_VERSION, setup=webhook
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Case(
        HOST_OWN_RECORD, path=f"{W}/deliveries", setup=webhook
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): Case(
        HOST_OWN_RECORD, path=f"{W}/deliveries/{{delivery}}/redeliver", setup=webhook
    ),
    # --- season: offers, arrival rosters, placement notices (issue 12, sections 2-5) ---
    ("GET", "/api/v1/rounds/{round_id}/offers"): Case(
        COORDINATORS_ONLY, path=f"{R}/offers", setup=offered
    ),
    ("POST", "/api/v1/rounds/{round_id}/offers"): Case(
        COORDINATORS_CREATE,
        path=f"{R}/offers",
        body=lambda who: {"opening": "OPN-B1"},
        setup=vacancy,
    ),
    ("GET", "/api/v1/offers/{offer_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/offers/{offer}", setup=offered
    ),
    ("POST", "/api/v1/offers/{offer_id}/accept"): Case(
        COORDINATORS_ONLY, path="/api/v1/offers/{offer}/accept", headers=ANY_VERSION, setup=offered
    ),
    ("POST", "/api/v1/offers/{offer_id}/decline"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/offers/{offer}/decline",
        headers=ANY_VERSION,
        setup=offered,
    ),
    ("POST", "/api/v1/offers/{offer_id}/withdraw"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/offers/{offer}/withdraw",
        headers=ANY_VERSION,
        setup=offered,
    ),
    ("GET", "/api/v1/rounds/{round_id}/arrivals"): Case(
        COORDINATORS_ONLY, path=f"{R}/arrivals?format=xlsx", setup=published
    ),
    ("GET", "/api/v1/rounds/{round_id}/notices/organizations/{organization_id}"): Case(
        HOST_OWN_PLACEMENTS, path=f"{R}/notices/organizations/ORG-A", setup=published
    ),
    ("GET", "/api/v1/rounds/{round_id}/notices/countries/{country}"): Case(
        COORDINATORS_ONLY, path=f"{R}/notices/countries/US?format=html", setup=published
    ),
    ("GET", "/api/v1/development/demand"): Case(
        COORDINATORS_ONLY, path="/api/v1/development/demand?programme_year=2026", setup=solved
    ),
    ("GET", "/api/v1/development/pipeline"): Case(COORDINATORS_ONLY, setup=prospect),
    ("GET", "/api/v1/development/prospects-sheet"): Case(
        COORDINATORS_ONLY, path="/api/v1/development/prospects-sheet?format=xlsx", setup=prospect
    ),
    ("POST", "/api/v1/development/prospects-sheet"): Case(
        COORDINATORS_ONLY, content=prospects_sheet
    ),
    ("GET", "/api/v1/prospects"): Case(COORDINATORS_ONLY, setup=prospect),
    ("POST", "/api/v1/prospects"): Case(COORDINATORS_CREATE, body=prospect_body),
    ("GET", "/api/v1/prospects/{prospect_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/prospects/PRO-1", setup=prospect
    ),
    ("PATCH", "/api/v1/prospects/{prospect_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/prospects/PRO-1",
        body=lambda who: {"owner": who},
        headers=ANY_VERSION,
        setup=prospect,
    ),
    ("POST", "/api/v1/prospects/{prospect_id}/contacts"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/prospects/PRO-1/contacts",
        body=lambda who: {"contacted_on": "2026-12-01", "channel": "phone", "summary": who},
        setup=prospect,
    ),
    ("POST", "/api/v1/prospects/{prospect_id}/convert"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/prospects/PRO-1/convert",
        body=lambda who: {
            "organization": f"ORG-CONV-{who}",
            "openings": [
                {
                    "external_id": f"OPN-CONV-{who}",
                    "position": "ALT",
                    "slots": 1,
                    "school_level": "elementary",
                }
            ],
        },
        headers=ANY_VERSION,
        setup=prospect,
    ),
    ("GET", "/api/v1/fairs"): Case(FAIR_READERS, setup=fair),
    ("POST", "/api/v1/fairs"): Case(
        COORDINATORS_CREATE,
        body=lambda who: {
            "external_id": f"FAIR-{who}",
            "name": "Fair",
            "held_on": "2027-02-20",
            "capacity": 10,
        },
    ),
    ("GET", "/api/v1/fairs/{fair_id}"): Case(FAIR_READERS, path="/api/v1/fairs/FAIR-1", setup=fair),
    ("PATCH", "/api/v1/fairs/{fair_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/fairs/FAIR-1",
        body=lambda who: {"name": f"Fair of {who}"},
        headers=ANY_VERSION,
        setup=fair,
    ),
    ("GET", "/api/v1/fairs/{fair_id}/employers"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/employers", setup=fair
    ),
    ("GET", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/consents/C-1", setup=registered
    ),
    ("PUT", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/consents/C-1",
        body=lambda who: {"given_on": "2027-01-11", "available_month": "2027-09"},
        setup=registered,
    ),
    ("DELETE", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/consents/C-1", setup=registered
    ),
    ("POST", "/api/v1/fairs/{fair_id}/registrations"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/fairs/FAIR-1/registrations",
        body=lambda who: {"contract": "C-2"},
        setup=registered,
    ),
    ("DELETE", "/api/v1/fairs/{fair_id}/registrations/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/fairs/FAIR-1/registrations/C-1", setup=registered
    ),
    ("GET", "/api/v1/fairs/{fair_id}/roster"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/roster?format=xlsx", setup=registered
    ),
    ("GET", "/api/v1/fairs/{fair_id}/roster/changes"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/roster/changes", setup=registered
    ),
    ("POST", "/api/v1/fairs/{fair_id}/employers"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/fairs/FAIR-1/employers",
        body=lambda who: {"external_id": f"EMP-{who}", "company": "Co", "sector": "trade"},
        setup=fair,
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
