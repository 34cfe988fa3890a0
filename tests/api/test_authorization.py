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
from season_support import add_contracts, contract
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
    from jet_match.services.rounds import forbidden

    with Session(engine) as session:
        forbidden.forbid_pair(
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


def _ledger(engine: Engine, _settings: Settings) -> dict[str, str]:
    add_contracts(engine)
    return {}


def _intention(who: str) -> dict[str, Any]:
    return {"intention": "leaving" if who == "coordinator" else "reappointing"}


def _offered(engine: Engine, settings: Settings) -> dict[str, str]:
    _vacancy(engine, settings)
    from sqlmodel import Session

    from jet_match.schemas.offers import OfferCreate
    from jet_match.services.kit.access import COMMAND_LINE
    from jet_match.services.season import offers

    with Session(engine) as session:
        offer = offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate(opening="OPN-B1"),
        ).resource
    return {"offer": str(offer.id)}


def _round(who: str) -> dict[str, Any]:
    return {"external_id": f"R-{who}", "name": f"Round of {who}", "programme_year": 2026}


def _hook_body(who: str) -> dict[str, Any]:
    return {"url": f"http://127.0.0.1:9/{who}", "events": ["placement.vacated"]}


def _webhook(engine: Engine, settings: Settings) -> dict[str, str]:
    """A webhook of ORG-A (host_own's organization) with one delivery."""
    from sqlmodel import Session, select

    from jet_match import models
    from jet_match.schemas.notifications import WebhookCreate
    from jet_match.services.kit.access import Caller
    from jet_match.services.notifications import delivery, outbox, webhooks
    from jet_match.statuses import EventKind

    with Session(engine, expire_on_commit=False) as session:
        org = session.scalars(
            select(models.Organization).where(models.Organization.external_id == "ORG-A")
        ).one()
        host = Caller(role=Role.HOST_ORG, organization_id=org.id, label="test")
        hook = webhooks.create_webhook(
            session=session,
            caller=host,
            webhook_in=WebhookCreate.model_validate(_hook_body("setup")),
            settings=settings,
        ).resource
        outbox.record_event(
            session=session,
            kind=EventKind.PLACEMENT_VACATED,
            organization_id=org.id,
            payload={"opening": "OPN-A1"},
        )
        session.commit()
        delivery.dispatch(session)
        found = session.scalars(select(models.NotificationDelivery.id)).one()
    return {"hook": hook.id, "delivery": str(found)}


W = "/api/v1/webhooks/{hook}"


def _prospect(engine: Engine, _settings: Settings) -> dict[str, str]:
    from sqlmodel import Session

    from jet_match.schemas.development import ProspectCreate
    from jet_match.services.development import prospects
    from jet_match.services.kit.access import COMMAND_LINE

    with Session(engine) as session:
        prospects.create_prospect(
            session=session,
            caller=COMMAND_LINE,
            prospect_in=ProspectCreate.model_validate(
                {
                    "external_id": "PRO-1",
                    "name": "Nikko City",
                    "prefecture": 9,
                    "kind": "municipality",
                    "area_type": "rural",
                    "stage": "interested",
                }
            ),
        )
    return {}


def _fair(engine: Engine, _settings: Settings) -> dict[str, str]:
    from datetime import date

    from sqlmodel import Session

    from jet_match.schemas.careerfair import EmployerCreate, FairCreate
    from jet_match.services.careerfair import fairs
    from jet_match.services.kit.access import COMMAND_LINE

    with Session(engine) as session:
        fairs.create_fair(
            session=session,
            caller=COMMAND_LINE,
            fair_in=FairCreate(
                external_id="FAIR-1", name="Fair", held_on=date(2027, 2, 20), capacity=100
            ),
        )
        fairs.add_employer(
            session=session,
            caller=COMMAND_LINE,
            fair_id="FAIR-1",
            employer_in=EmployerCreate(external_id="EMP-1", company="ACME", sector="trade"),
        )
    return {}


def _prospect_body(who: str) -> dict[str, Any]:
    return {
        "external_id": f"PRO-NEW-{who}",
        "name": "Prospect",
        "prefecture": 9,
        "kind": "municipality",
        "area_type": "rural",
    }


def _prospect_sheet(who: str) -> tuple[bytes, str]:
    row = f"PRO-CSV-{who},Sheet prospect,9,municipality,rural"
    return (f"external_id,name,prefecture,kind,area_type\n{row}\n").encode(), "text/csv"


FAIR_READERS = (401, 401, 200, 403, 403, 200)


def _roster(engine: Engine, settings: Settings) -> dict[str, str]:
    from sqlmodel import Session

    from jet_match.schemas.careerfair import ConsentGiven, RegistrationCreate
    from jet_match.services.careerfair import roster
    from jet_match.services.kit.access import COMMAND_LINE
    from season_support import add_contracts, contract

    _fair(engine, settings)
    add_contracts(
        engine,
        contract("C-1", "ORG-A", "OPN-A1", intention="leaving", ends_on="2027-07-31"),
        contract("C-2", "ORG-B", "OPN-B1", intention="leaving", ends_on="2027-07-31"),
    )
    with Session(engine) as session:
        for contract_id in ("C-1", "C-2"):
            roster.give_consent(
                session=session,
                caller=COMMAND_LINE,
                contract_id=contract_id,
                consent=ConsentGiven.model_validate({"given_on": "2027-01-10"}),
            )
        roster.register(
            session=session,
            caller=COMMAND_LINE,
            fair_id="FAIR-1",
            registration=RegistrationCreate(contract="C-1"),
        )
    return {}


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
    ("GET", "/api/v1/contracts"): Case(HOST_READS_LIST, setup=_ledger),
    ("POST", "/api/v1/contracts"): Case(
        COORDINATORS_CREATE, body=lambda who: contract(f"C-NEW-{who}", "ORG-A", "OPN-A1")
    ),
    ("GET", "/api/v1/contracts/{external_id}"): Case(
        HOST_OWN_RECORD, path="/api/v1/contracts/C-A1", setup=_ledger
    ),
    # A host sets the intention of its own contracts (only that field).
    ("PATCH", "/api/v1/contracts/{external_id}"): Case(
        HOST_OWN_RECORD,
        path="/api/v1/contracts/C-A1",
        body=_intention,
        headers=ANY_VERSION,
        setup=_ledger,
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
        HOST_READS_LIST, path="/api/v1/demand?programme_year=2026", setup=_ledger
    ),
    ("POST", "/api/v1/demand/apply"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/demand/apply?programme_year=2026",
        headers=ANY_VERSION,
        setup=_ledger,
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
    ("GET", "/api/v1/results/changes"): Case(RESULTS_READERS, setup=_published),
    ("POST", "/api/v1/participants/{participant_id}/withdraw"): Case(
        COORDINATORS_ONLY, path="/api/v1/participants/P-1/withdraw", setup=_solved
    ),
    ("POST", "/api/v1/rounds/{round_id}/fill-vacancies"): Case(
        COORDINATORS_ONLY, path=f"{R}/fill-vacancies", headers=ANY_VERSION, setup=_vacancy
    ),
    ("GET", "/api/v1/events"): Case(HOST_READS_LIST),
    ("POST", "/api/v1/webhooks"): Case((401, 401, 403, 201, 201, 201), body=_hook_body),
    ("GET", "/api/v1/webhooks"): Case(HOST_READS_LIST, setup=_webhook),
    ("GET", "/api/v1/webhooks/{webhook_id}"): Case(HOST_OWN_RECORD, path=W, setup=_webhook),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): Case(
        HOST_OWN_RECORD,
        path=W,
        body=lambda _who: {"active": True},
        headers=ANY_VERSION,
        setup=_webhook,
    ),
    # Deleted by its owner first, so the coordinator then finds none.
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Case(
        (401, 401, 403, 404, 204, 404), path=W, headers=ANY_VERSION, setup=_webhook
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Case(
        HOST_OWN_RECORD, path=f"{W}/deliveries", setup=_webhook
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): Case(
        HOST_OWN_RECORD, path=f"{W}/deliveries/{{delivery}}/redeliver", setup=_webhook
    ),
    # --- season: offers, arrival rosters, placement notices (issue 12, sections 2-5) ---
    ("GET", "/api/v1/rounds/{round_id}/offers"): Case(
        COORDINATORS_ONLY, path=f"{R}/offers", setup=_offered
    ),
    ("POST", "/api/v1/rounds/{round_id}/offers"): Case(
        COORDINATORS_CREATE,
        path=f"{R}/offers",
        body=lambda who: {"opening": "OPN-B1"},
        setup=_vacancy,
    ),
    ("GET", "/api/v1/offers/{offer_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/offers/{offer}", setup=_offered
    ),
    ("POST", "/api/v1/offers/{offer_id}/accept"): Case(
        COORDINATORS_ONLY, path="/api/v1/offers/{offer}/accept", headers=ANY_VERSION, setup=_offered
    ),
    ("POST", "/api/v1/offers/{offer_id}/decline"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/offers/{offer}/decline",
        headers=ANY_VERSION,
        setup=_offered,
    ),
    ("POST", "/api/v1/offers/{offer_id}/withdraw"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/offers/{offer}/withdraw",
        headers=ANY_VERSION,
        setup=_offered,
    ),
    ("GET", "/api/v1/rounds/{round_id}/arrivals"): Case(
        COORDINATORS_ONLY, path=f"{R}/arrivals?format=xlsx", setup=_published
    ),
    ("GET", "/api/v1/rounds/{round_id}/notices/organizations/{organization_id}"): Case(
        HOST_OWN_PLACEMENTS, path=f"{R}/notices/organizations/ORG-A", setup=_published
    ),
    ("GET", "/api/v1/rounds/{round_id}/notices/countries/{country}"): Case(
        COORDINATORS_ONLY, path=f"{R}/notices/countries/US?format=html", setup=_published
    ),
    ("GET", "/api/v1/development/demand"): Case(
        COORDINATORS_ONLY, path="/api/v1/development/demand?programme_year=2026", setup=_solved
    ),
    ("GET", "/api/v1/development/pipeline"): Case(COORDINATORS_ONLY, setup=_prospect),
    ("GET", "/api/v1/development/prospects-sheet"): Case(
        COORDINATORS_ONLY, path="/api/v1/development/prospects-sheet?format=xlsx", setup=_prospect
    ),
    ("POST", "/api/v1/development/prospects-sheet"): Case(
        COORDINATORS_ONLY, content=_prospect_sheet
    ),
    ("GET", "/api/v1/prospects"): Case(COORDINATORS_ONLY, setup=_prospect),
    ("POST", "/api/v1/prospects"): Case(COORDINATORS_CREATE, body=_prospect_body),
    ("GET", "/api/v1/prospects/{prospect_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/prospects/PRO-1", setup=_prospect
    ),
    ("PATCH", "/api/v1/prospects/{prospect_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/prospects/PRO-1",
        body=lambda who: {"owner": who},
        headers=ANY_VERSION,
        setup=_prospect,
    ),
    ("POST", "/api/v1/prospects/{prospect_id}/contacts"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/prospects/PRO-1/contacts",
        body=lambda who: {"contacted_on": "2026-12-01", "channel": "phone", "summary": who},
        setup=_prospect,
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
        setup=_prospect,
    ),
    ("GET", "/api/v1/fairs"): Case(FAIR_READERS, setup=_fair),
    ("POST", "/api/v1/fairs"): Case(
        COORDINATORS_CREATE,
        body=lambda who: {
            "external_id": f"FAIR-{who}",
            "name": "Fair",
            "held_on": "2027-02-20",
            "capacity": 10,
        },
    ),
    ("GET", "/api/v1/fairs/{fair_id}"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1", setup=_fair
    ),
    ("PATCH", "/api/v1/fairs/{fair_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/fairs/FAIR-1",
        body=lambda who: {"name": f"Fair of {who}"},
        headers=ANY_VERSION,
        setup=_fair,
    ),
    ("GET", "/api/v1/fairs/{fair_id}/employers"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/employers", setup=_fair
    ),
    ("GET", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/consents/C-1", setup=_roster
    ),
    ("PUT", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY,
        path="/api/v1/consents/C-1",
        body=lambda who: {"given_on": "2027-01-11", "available_month": "2027-09"},
        setup=_roster,
    ),
    ("DELETE", "/api/v1/consents/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/consents/C-1", setup=_roster
    ),
    ("POST", "/api/v1/fairs/{fair_id}/registrations"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/fairs/FAIR-1/registrations",
        body=lambda who: {"contract": "C-2"},
        setup=_roster,
    ),
    ("DELETE", "/api/v1/fairs/{fair_id}/registrations/{contract_id}"): Case(
        COORDINATORS_ONLY, path="/api/v1/fairs/FAIR-1/registrations/C-1", setup=_roster
    ),
    ("GET", "/api/v1/fairs/{fair_id}/roster"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/roster?format=xlsx", setup=_roster
    ),
    ("GET", "/api/v1/fairs/{fair_id}/roster/changes"): Case(
        FAIR_READERS, path="/api/v1/fairs/FAIR-1/roster/changes", setup=_roster
    ),
    ("POST", "/api/v1/fairs/{fair_id}/employers"): Case(
        COORDINATORS_CREATE,
        path="/api/v1/fairs/FAIR-1/employers",
        body=lambda who: {"external_id": f"EMP-{who}", "company": "Co", "sector": "trade"},
        setup=_fair,
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
