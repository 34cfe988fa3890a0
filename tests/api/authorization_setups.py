"""What `test_authorization.py`'s cases need: the callers, the answers they expect, each
route's request body per caller, and the database state a route is called in (a round,
a run, a contract ledger, a webhook, a fair...). Each state function prepares the fresh
database of one route's test and returns the values for `{name}` in its path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.careerfair import (
    ConsentGiven,
    EmployerCreate,
    FairCreate,
    RegistrationCreate,
)
from jet_match.schemas.development import ProspectCreate
from jet_match.schemas.notifications import WebhookCreate
from jet_match.schemas.offers import OfferCreate
from jet_match.schemas.plans import ForbiddenCreate, PlanChange
from jet_match.services.careerfair import fairs, roster
from jet_match.services.development import prospects
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.notifications import delivery, outbox, webhooks
from jet_match.services.operations import workers
from jet_match.services.rounds import forbidden
from jet_match.services.season import offers
from jet_match.services.security import accounts
from jet_match.statuses import EventKind, Role
from round_support import (
    ROUND,
    create_round,
    move,
    published_round,
    queue_run,
    solved_round,
)
from season_support import add_contracts, contract

CALLERS = ("anonymous", "revoked", "career_fair", "host_other", "host_own", "coordinator")

# Expected status per caller, in CALLERS order.
PUBLIC = (200, 200, 200, 200, 200, 200)
COORDINATORS_ONLY = (401, 401, 403, 403, 403, 200)
COORDINATORS_CREATE = (401, 401, 403, 403, 403, 201)
HOST_READS_LIST = (401, 401, 403, 200, 200, 200)
HOST_OWN_RECORD = (401, 401, 403, 404, 200, 200)
HOST_ORG_READ_ONLY = (401, 401, 403, 403, 403, 200)
HOST_OWN_PLACEMENTS = (401, 401, 403, 404, 200, 200)
RESULTS_READERS = (401, 401, 200, 403, 403, 200)
COORDINATORS_ACCEPT = (401, 401, 403, 403, 403, 202)
FAIR_READERS = (401, 401, 200, 403, 403, 200)

ANY_VERSION = {"If-Match": "*"}


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


# Request bodies, per caller.


def org_body(who: str) -> dict[str, Any]:
    return {
        "external_id": f"ORG-NEW-{who}",
        "name": "New organization",
        "kind": "municipality",
        "prefecture": 2,
        "area_type": "rural",
    }


def opening_body(who: str) -> dict[str, Any]:
    return {
        "external_id": f"OPN-NEW-{who}",
        "organization": "ORG-A",
        "position": "ALT",
        "slots": 1,
        "school_level": "elementary",
    }


def participant_body(who: str) -> dict[str, Any]:
    return {
        "external_id": f"P-NEW-{who}",
        "family_name": "New",
        "given_name": "Person",
        "email": "new@example.org",
        "citizenship": "IE",
        "position": "ALT",
    }


def organizations_sheet(who: str) -> tuple[bytes, str]:
    row = f"ORG-CSV-{who},Sheet org,municipality,3,rural"
    return (f"external_id,name,kind,prefecture,area_type\n{row}\n").encode(), "text/csv"


def dataset_file(who: str) -> tuple[bytes, str]:
    return orjson.dumps({"format": "jet-match/dataset@1", "organizations": [org_body(who)]}), (
        "application/json"
    )


def intention_body(who: str) -> dict[str, Any]:
    return {"intention": "leaving" if who == "coordinator" else "reappointing"}


def round_body(who: str) -> dict[str, Any]:
    return {"external_id": f"R-{who}", "name": f"Round of {who}", "programme_year": 2026}


def hook_body(who: str) -> dict[str, Any]:
    return {"url": f"http://127.0.0.1:9/{who}", "events": ["placement.vacated"]}


def prospect_body(who: str) -> dict[str, Any]:
    return {
        "external_id": f"PRO-NEW-{who}",
        "name": "Prospect",
        "prefecture": 9,
        "kind": "municipality",
        "area_type": "rural",
    }


def prospects_sheet(who: str) -> tuple[bytes, str]:
    row = f"PRO-CSV-{who},Sheet prospect,9,municipality,rural"
    return (f"external_id,name,prefecture,kind,area_type\n{row}\n").encode(), "text/csv"


# Database states, each returning the values for `{name}` in its route's path.


def worker_alive(engine: Engine, _settings: Settings) -> dict[str, str]:
    with Session(engine) as session:
        workers.beat(session, worker="elsewhere:1:1", run_id=None)
    return {}


def signed_in(engine: Engine, _settings: Settings) -> dict[str, str]:
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


def draft_round(engine: Engine, _settings: Settings) -> dict[str, str]:
    create_round(engine)
    return {}


def queued_round(engine: Engine, _settings: Settings) -> dict[str, str]:
    create_round(engine)
    return {"run": str(queue_run(engine))}


def solved(engine: Engine, settings: Settings) -> dict[str, str]:
    solved_round(engine, settings)
    return {"run": "1"}


def published(engine: Engine, settings: Settings) -> dict[str, str]:
    published_round(engine, settings)
    return {}


def forbidden_pair(engine: Engine, settings: Settings) -> dict[str, str]:
    solved_round(engine, settings)

    with Session(engine) as session:
        forbidden.forbid_pair(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            pair=ForbiddenCreate(participant="P-5", opening="OPN-A2"),
            if_match="*",
        )
    return {}


def vacancy(engine: Engine, settings: Settings) -> dict[str, str]:
    published_round(engine, settings)
    move(engine, "P-1", PlanChange(opening=None))
    return {}


def ledger(engine: Engine, _settings: Settings) -> dict[str, str]:
    add_contracts(engine)
    return {}


def offered(engine: Engine, settings: Settings) -> dict[str, str]:
    vacancy(engine, settings)

    with Session(engine) as session:
        offer = offers.make_offer(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            offer_in=OfferCreate(opening="OPN-B1"),
        ).resource
    return {"offer": str(offer.id)}


def webhook(engine: Engine, settings: Settings) -> dict[str, str]:
    """A webhook of ORG-A (host_own's organization) with one delivery."""
    with Session(engine, expire_on_commit=False) as session:
        org = session.scalars(
            select(models.Organization).where(models.Organization.external_id == "ORG-A")
        ).one()
        host = Caller(role=Role.HOST_ORG, organization_id=org.id, label="test")
        hook = webhooks.create_webhook(
            session=session,
            caller=host,
            webhook_in=WebhookCreate.model_validate(hook_body("setup")),
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


def prospect(engine: Engine, _settings: Settings) -> dict[str, str]:
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


def fair(engine: Engine, _settings: Settings) -> dict[str, str]:
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


def registered(engine: Engine, settings: Settings) -> dict[str, str]:
    fair(engine, settings)
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
