"""Getting a database ready to serve: migrate it, and for the demo, fill it and hand out keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.generator import DEMO_SEED, ScaleName, generate_scale
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.schemas.imports import ImportResult
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.security import api_keys
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
