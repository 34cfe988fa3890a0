"""API keys: create (the secret is shown once), list, revoke, and authenticate a request.

A key reads `jm_<prefix>_<secret>`: the prefix (public, 8 hex digits) finds the row,
the secret (32 random bytes, URL-safe) is checked against its SHA-256, compared in
constant time. A 256-bit random secret needs no slow password hash: guessing it is
hopeless, and the database never holds anything that would let one use a key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import Conflict, FieldProblem, InvalidInput, NotFound, Unauthenticated
from jet_match.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from jet_match.schemas.common import Page
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import commit
from jet_match.services.security import audit
from jet_match.statuses import Role

KEY_PREFIX = "jm_"

#: `last_used_at` is written at most once a minute per key: a write on every request
#: would cost more than the answer it tells.
LAST_USED_PRECISION = timedelta(minutes=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _touch(session: Session, key_id: int | None, now: datetime) -> None:
    """Record the key's use; two requests racing both write, harmlessly."""
    session.execute(
        update(models.ApiKey).where(col(models.ApiKey.id) == key_id).values(last_used_at=now)
    )
    session.commit()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(row: models.ApiKey, organization: str | None) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=row.prefix,
        role=Role(row.role),
        organization=organization,
        name=row.name,
        prefecture_scope=row.prefecture_scope,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def _select() -> Any:
    return select(models.ApiKey, col(models.Organization.external_id)).outerjoin(
        models.Organization,
        col(models.Organization.id) == models.ApiKey.organization_id,
    )


def create_key(
    *, session: Session, caller: Caller, key_in: ApiKeyCreate, **extra_audit: str
) -> ApiKeyCreated:
    """Create a key; host_org keys are bound to an organization, other roles to none."""
    authorize(caller, Action.API_KEYS)
    organization_id = None
    if key_in.role is Role.HOST_ORG:
        if key_in.organization is None:
            raise _invalid_organization("a host_org key needs the organization it acts for")
        try:
            organization_id = lookups.find_organization(session, caller, key_in.organization).id
        except NotFound:
            raise _invalid_organization(f"no organization '{key_in.organization}'") from None
    elif key_in.organization is not None:
        raise _invalid_organization(f"a {key_in.role.value} key is not bound to an organization")
    if key_in.prefecture_scope and lookups.prefecture_of_scope(session, organization_id) is None:
        message = (
            "prefecture scope is for host_org keys of a prefecture (organization kind prefecture)"
        )
        raise InvalidInput(
            message, [FieldProblem("api_key", None, "prefecture_scope", "invalid", message)]
        )
    if key_in.expires_at is not None and key_in.expires_at <= models.utcnow():
        message = "expires_at must be in the future"
        raise InvalidInput(message, [FieldProblem("api_key", None, "expires_at", "past", message)])
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    row = models.ApiKey(
        prefix=prefix,
        secret_hash=_hash(secret),
        role=key_in.role.value,
        organization_id=organization_id,
        name=key_in.name,
        prefecture_scope=key_in.prefecture_scope,
        created_by_key_id=caller.key_id,
        expires_at=key_in.expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        caller,
        "api_key.rotate" if extra_audit else "api_key.create",
        "api_key",
        prefix,
        role=key_in.role.value,
        organization=key_in.organization,
        prefecture_scope=key_in.prefecture_scope,
        expires_at=key_in.expires_at.isoformat() if key_in.expires_at else None,
        **extra_audit,
    )
    commit(session)
    public = _public(row, key_in.organization)
    return ApiKeyCreated(**public.model_dump(), key=f"{KEY_PREFIX}{prefix}_{secret}")


def _invalid_organization(message: str) -> InvalidInput:
    return InvalidInput(
        message, [FieldProblem("api_key", None, "organization", "invalid", message)]
    )


def list_keys(*, session: Session, caller: Caller, page: PageRequest) -> Page[ApiKeyPublic]:
    """Keys ordered by prefix (never their secrets), revoked ones included."""
    authorize(caller, Action.API_KEYS)
    result = paginate(session, _select(), col(models.ApiKey.prefix), page)
    return Page(
        items=[_public(row, org) for row, org in result.rows], next_cursor=result.next_cursor
    )


def get_key(*, session: Session, caller: Caller, key_id: str) -> ApiKeyPublic:
    """One key by its prefix."""
    authorize(caller, Action.API_KEYS)
    found = session.execute(_select().where(models.ApiKey.prefix == key_id)).first()
    if found is None:
        raise NotFound(f"no API key '{key_id}'")
    return _public(found[0], found[1])


def rotate_key(
    *, session: Session, caller: Caller, key_id: str, expires_at: datetime | None = None
) -> ApiKeyCreated:
    """A second key for the same client (role, organization, name), so that it can switch
    without downtime; the first keeps working until it is revoked or expires."""
    current = get_key(session=session, caller=caller, key_id=key_id)
    if current.revoked_at is not None:
        message = f"the API key '{key_id}' is revoked: create a new one instead"
        raise Conflict(message)
    return create_key(
        session=session,
        caller=caller,
        key_in=ApiKeyCreate(
            role=current.role,
            organization=current.organization,
            name=current.name,
            expires_at=expires_at,
        ),
        replaces=key_id,
    )


def revoke_key(*, session: Session, caller: Caller, key_id: str) -> ApiKeyPublic:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    authorize(caller, Action.API_KEYS)
    row = session.scalars(select(models.ApiKey).where(models.ApiKey.prefix == key_id)).first()
    if row is None:
        raise NotFound(f"no API key '{key_id}'")
    if row.revoked_at is None:
        row.revoked_at = models.utcnow()
        audit.record(session, caller, "api_key.revoke", "api_key", key_id)
        commit(session)
    return get_key(session=session, caller=caller, key_id=key_id)


def authenticate(session: Session, token: str | None, request_id: str | None = None) -> Caller:
    """The caller a bearer token stands for; Unauthenticated if unknown or revoked."""
    if not token:
        raise Unauthenticated("send an API key: Authorization: Bearer <key>")
    prefix, _, secret = token.removeprefix(KEY_PREFIX).partition("_")
    if not token.startswith(KEY_PREFIX) or not prefix or not secret:
        raise Unauthenticated("the API key is malformed")
    row = session.scalars(select(models.ApiKey).where(models.ApiKey.prefix == prefix)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        raise Unauthenticated("the API key is not valid")
    if row.revoked_at is not None:
        raise Unauthenticated("the API key was revoked")
    now = models.utcnow()
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        raise Unauthenticated("the API key expired")
    if row.last_used_at is None or _aware(row.last_used_at) < now - LAST_USED_PRECISION:
        _touch(session, row.id, now)
    return Caller(
        role=Role(row.role),
        key_id=row.id,
        key_prefix=row.prefix,
        organization_id=row.organization_id,
        request_id=request_id,
        prefecture=(
            lookups.prefecture_of_scope(session, row.organization_id)
            if row.prefecture_scope
            else None
        ),
    )
