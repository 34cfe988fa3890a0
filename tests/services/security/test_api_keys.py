"""Keys are stored hashed, scoped to an organization for host orgs, and revocable."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

import pytest
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict, InvalidInput, Unauthenticated
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


def _create(session: Session, **fields: object) -> str:
    key_in = ApiKeyCreate.model_validate({"role": "coordinator", "name": "k", **fields})
    return api_keys.create_key(session=session, caller=COMMAND_LINE, key_in=key_in).key


def _row(session: Session, key: str) -> models.ApiKey:
    session.expire_all()
    return session.scalars(
        select(models.ApiKey).where(models.ApiKey.prefix == key.split("_")[1])
    ).one()


def test_an_expired_key_is_unauthenticated(session: Session) -> None:
    key = _create(session, expires_at=models.utcnow() + timedelta(hours=1))
    api_keys.authenticate(session, key)
    row = _row(session, key)
    row.expires_at = models.utcnow() - timedelta(seconds=1)
    session.commit()
    with pytest.raises(Unauthenticated, match="expired"):
        api_keys.authenticate(session, key)


def test_a_key_cannot_be_created_already_expired(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        _create(session, expires_at=models.utcnow() - timedelta(minutes=1))
    assert refused.value.problems[0].field == "expires_at"


def test_last_used_at_is_written_at_most_once_a_minute(session: Session) -> None:
    key = _create(session)
    assert _row(session, key).last_used_at is None
    api_keys.authenticate(session, key)
    first = _row(session, key).last_used_at
    assert first is not None
    api_keys.authenticate(session, key)
    assert _row(session, key).last_used_at == first  # within the minute: not written again
    row = _row(session, key)
    row.last_used_at = models.utcnow() - timedelta(minutes=2)
    session.commit()
    api_keys.authenticate(session, key)
    later = _row(session, key).last_used_at
    assert later is not None
    assert (later if later.tzinfo else later.replace(tzinfo=UTC)) > models.utcnow() - timedelta(
        seconds=30
    )


def test_rotation_gives_a_second_key_for_the_same_client(
    session: Session, loaded: fmt.Dataset
) -> None:
    old = _create(session, role="host_org", organization="ORG-A", name="Sapporo BoE")
    new = api_keys.rotate_key(session=session, caller=COMMAND_LINE, key_id=old.split("_")[1])
    assert (new.role, new.organization, new.name) == (Role.HOST_ORG, "ORG-A", "Sapporo BoE")
    assert new.key != old
    both = [api_keys.authenticate(session, key) for key in (old, new.key)]
    assert both[0].organization_id == both[1].organization_id  # no downtime: both work
    api_keys.revoke_key(session=session, caller=COMMAND_LINE, key_id=old.split("_")[1])
    with pytest.raises(Unauthenticated):
        api_keys.authenticate(session, old)
    api_keys.authenticate(session, new.key)
    with pytest.raises(Conflict):
        api_keys.rotate_key(session=session, caller=COMMAND_LINE, key_id=old.split("_")[1])
    actions = session.scalars(
        select(models.AuditEvent.action).where(col(models.AuditEvent.resource_id) == new.id)
    ).all()
    assert actions == ["api_key.rotate"]
