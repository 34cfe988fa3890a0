"""Keys are stored hashed, scoped to an organization for host orgs, and revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import InvalidInput, Unauthenticated
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.security import api_keys
from jet_match.statuses import Role


def test_the_secret_is_never_stored(session: Session) -> None:
    created = api_keys.create_key(
        session=session, caller=COMMAND_LINE, key_in=ApiKeyCreate(role=Role.COORDINATOR, name="k")
    )
    secret = created.key.split("_", 2)[2]
    row = session.scalars(select(models.ApiKey)).one()
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in row.model_dump().values())
    assert secret not in stored


def test_authenticate_gives_the_callers_scope(session: Session, loaded: fmt.Dataset) -> None:
    created = api_keys.create_key(
        session=session,
        caller=COMMAND_LINE,
        key_in=ApiKeyCreate(role=Role.HOST_ORG, organization="ORG-B", name="k"),
    )
    caller = api_keys.authenticate(session, created.key, "req-1")
    organization = session.scalars(
        select(models.Organization).where(models.Organization.external_id == "ORG-B")
    ).one()
    assert (caller.role, caller.organization_id, caller.request_id) == (
        Role.HOST_ORG,
        organization.id,
        "req-1",
    )
    assert caller.actor == f"key:{created.id}"


@pytest.mark.parametrize("token", [None, "", "Bearer", "jm_", "jm_abc", "xx_12345678_secret"])
def test_malformed_tokens_are_unauthenticated(session: Session, token: str | None) -> None:
    with pytest.raises(Unauthenticated):
        api_keys.authenticate(session, token)


def test_revoked_keys_are_unauthenticated(session: Session) -> None:
    created = api_keys.create_key(
        session=session, caller=COMMAND_LINE, key_in=ApiKeyCreate(role=Role.CAREER_FAIR, name="k")
    )
    api_keys.revoke_key(session=session, caller=COMMAND_LINE, key_id=created.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        api_keys.authenticate(session, created.key)


def test_only_host_org_keys_name_an_organization(session: Session, loaded: fmt.Dataset) -> None:
    with pytest.raises(InvalidInput):
        api_keys.create_key(
            session=session,
            caller=COMMAND_LINE,
            key_in=ApiKeyCreate(role=Role.CAREER_FAIR, organization="ORG-A", name="k"),
        )
