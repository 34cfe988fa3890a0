"""Getting a database ready to serve: migrate it, and for the demo, fill it and hand out keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.generator import DEMO_SEED, ScaleName, generate_scale
from jet_match.errors import NotFound
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.schemas.imports import ImportResult
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.security import accounts, api_keys
from jet_match.statuses import Role

DEMO_KEY_NAME = "demo (jet-match serve --demo)"


@dataclass(frozen=True, slots=True)
class DemoKeys:
    """Keys made for a demo session: a coordinator's and one host organization's."""

    coordinator: str
    host_org: str | None
    host_organization: str | None


def is_empty(session: Session) -> bool:
    """No organization, opening or participant is stored yet."""
    return all(
        session.scalar(select(func.count()).select_from(table)) == 0
        for table in (models.Organization, models.Opening, models.Participant)
    )


def load_demo(engine: Engine, dataset_file: Path) -> ImportResult | None:
    """Import the demo dataset if the database is empty (None: it was not)."""
    with Session(engine, expire_on_commit=False) as session:
        if not is_empty(session):
            return None
        if dataset_file.is_file():
            raw = dataset_file.read_bytes()
        else:  # an installed package without the repository's fixtures/
            raw = dataset_to_json(generate_scale(ScaleName.DEMO, seed=DEMO_SEED))
        return imports.import_dataset(session=session, caller=COMMAND_LINE, raw=raw).resource


def demo_keys(engine: Engine) -> DemoKeys:
    """Fresh demo keys (the previous session's demo keys are revoked: secrets are not kept)."""
    with Session(engine, expire_on_commit=False) as session:
        old = session.scalars(
            select(models.ApiKey).where(
                models.ApiKey.name == DEMO_KEY_NAME, col(models.ApiKey.revoked_at).is_(None)
            )
        ).all()
        for key in old:
            api_keys.revoke_key(session=session, caller=COMMAND_LINE, key_id=key.prefix)
        coordinator = api_keys.create_key(
            session=session,
            caller=COMMAND_LINE,
            key_in=ApiKeyCreate(role=Role.COORDINATOR, name=DEMO_KEY_NAME),
        )
        first = session.scalars(
            select(models.Organization).order_by(models.Organization.external_id)
        ).first()
        host = None
        if first is not None:
            host = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(
                    role=Role.HOST_ORG, organization=first.external_id, name=DEMO_KEY_NAME
                ),
            )
        return DemoKeys(
            coordinator.key,
            host.key if host else None,
            first.external_id if first else None,
        )


#: Demo accounts for the workspace; fixed passwords, acceptable only on the demo database.
DEMO_COORDINATOR = "coordinator@demo.jet-match.test"
DEMO_HOST = "host@demo.jet-match.test"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- the demo database only


@dataclass(frozen=True, slots=True)
class DemoUsers:
    """Who can sign in to the demo's workspace (both with DEMO_PASSWORD)."""

    coordinator: str
    host: str | None
    host_organization: str | None
    password: str = DEMO_PASSWORD


def demo_users(engine: Engine, host_organization: str | None) -> DemoUsers:
    """A demo coordinator and a demo host user of `host_organization`, with the demo password
    (created, or reset and unlocked if they exist)."""
    with Session(engine, expire_on_commit=False) as session:
        wanted: list[tuple[str, Role, str | None]] = [(DEMO_COORDINATOR, Role.COORDINATOR, None)]
        if host_organization is not None:
            wanted.append((DEMO_HOST, Role.HOST_ORG, host_organization))
        for email, role, organization in wanted:
            try:
                accounts.set_password(
                    session=session, caller=COMMAND_LINE, email=email, password=DEMO_PASSWORD
                )
            except NotFound:
                accounts.create_user(
                    session=session,
                    caller=COMMAND_LINE,
                    email=email,
                    role=role,
                    display_name=f"Demo {role.value}",
                    organization=organization,
                    password=DEMO_PASSWORD,
                )
    return DemoUsers(
        DEMO_COORDINATOR,
        DEMO_HOST if host_organization else None,
        host_organization,
    )
