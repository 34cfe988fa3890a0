"""Safe writes: versions as ETags, If-Match checks, commits and idempotent creates.

Every organization, opening and participant row has a `version`, bumped by each write;
its ETag is `"<version>"`. Updates compare-and-swap on the version (`UPDATE ... WHERE
version = :seen`), so two writers that read the same version cannot both win.

A POST sent with an `Idempotency-Key` stores its answer in the same transaction as the
record it created; a retry with the same key and the same request gets that answer
again, a retry with a different request is refused (IdempotencyKeyReused). Keys are
scoped per API key and kept `ttl` long.

Races: two requests that create the same record at once both pass the existence check;
the database's unique constraints let one win. The loser's IntegrityError, raised by a
flush, a bulk statement or the commit, becomes a 409 Conflict (never a server error);
a retry that overlapped the request holding the same Idempotency-Key gets that request's
answer if it has finished by then, and 409 otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from jet_match import models
from jet_match.errors import (
    AlreadyExists,
    Conflict,
    IdempotencyKeyReused,
    PreconditionFailed,
    PreconditionRequired,
)
from jet_match.services.kit.access import Caller

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Written(Generic[M]):
    """The outcome of a write: the resource as answered, its ETag and HTTP status."""

    resource: M
    etag: str | None = None
    status_code: int = 200
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """The client's Idempotency-Key for one POST, and how long its answer is kept."""

    key: str
    ttl: timedelta = field(default=timedelta(hours=24))


def etag_of(version: int) -> str:
    """The strong ETag of a row version."""
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Refuse a write without If-Match (428) or with a stale one (412).

    `*` matches any current version; weak tags (`W/"3"`) never match, as RFC 9110 asks
    for strong comparison on If-Match.
    """
    check_if_match_tag(if_match, etag_of(version))


def check_if_match_tag(if_match: str | None, etag: str) -> None:
    """`check_if_match` for a resource whose ETag is not a row version (a digest)."""
    if if_match is None:
        raise PreconditionRequired(
            "send If-Match with the ETag of the version you are changing (or *)"
        )
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags or etag in tags:
        return
    raise PreconditionFailed(f"the record changed since that version; it is now at ETag {etag}")


def updated_one(result: object) -> bool:
    """Whether a conditional UPDATE (`... WHERE id = :id AND <what was read>`) changed
    exactly one row: the row was still as read, and the write is ours."""
    return getattr(result, "rowcount", 0) == 1


def compare_and_swap(
    session: Session, table: type[Any], row_id: int, seen_version: int, **values: Any
) -> int:
    """Update a row if it is still at `seen_version`; return the new version or raise 412."""
    new_version = seen_version + 1
    result = session.execute(
        update(table)
        .where(col(table.id) == row_id, col(table.version) == seen_version)
        .values(version=new_version, updated_at=models.utcnow(), **values)
    )
    if not updated_one(result):
        session.rollback()
        raise PreconditionFailed("the record was changed by another request meanwhile")
    return new_version


def commit(session: Session) -> None:
    """Commit, turning a unique-constraint race into a 409 instead of a server error."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _race_lost() from exc


def fingerprint(operation: str, payload: BaseModel | bytes) -> str:
    """A digest of what was asked, to recognise a key reused for another request."""
    body = payload if isinstance(payload, bytes) else payload.model_dump_json().encode()
    return hashlib.sha256(operation.encode() + b"\n" + body).hexdigest()


def run_idempotent(
    *,
    session: Session,
    caller: Caller,
    idempotency: IdempotencyKey | None,
    operation: str,
    payload: BaseModel | bytes,
    answer_model: type[M],
    produce: Callable[[], Written[M]],
) -> Written[M]:
    """Run `produce` (which flushes, never commits) once per Idempotency-Key, then commit."""
    if idempotency is None or caller.key_id is None:
        try:
            written = produce()
        except IntegrityError as exc:
            session.rollback()
            raise _race_lost() from exc
        commit(session)
        return written
    digest = fingerprint(operation, payload)
    replay = _replay(session, caller.key_id, idempotency, operation, digest, answer_model)
    if replay is not None:
        return replay
    try:
        written = produce()
        session.execute(
            delete(models.IdempotencyRecord).where(
                col(models.IdempotencyRecord.api_key_id) == caller.key_id,
                col(models.IdempotencyRecord.created_at) < models.utcnow() - idempotency.ttl,
            )
        )
        session.add(
            models.IdempotencyRecord(
                api_key_id=caller.key_id,
                key=idempotency.key,
                operation=operation,
                fingerprint=digest,
                status_code=written.status_code,
                etag=written.etag,
                body=written.resource.model_dump_json(),
            )
        )
        session.commit()
    except (IntegrityError, AlreadyExists) as exc:
        session.rollback()
        refusal = _race_lost() if isinstance(exc, IntegrityError) else exc
        # A retry that overlapped the first request: its answer, if it has committed by now.
        replay = _replay(session, caller.key_id, idempotency, operation, digest, answer_model)
        if replay is not None:
            return replay
        raise refusal from exc
    return written


def _race_lost() -> Conflict:
    """The 409 of a request whose transaction lost a unique-constraint race."""
    return Conflict("a concurrent request wrote a conflicting record; read it again and retry")


def _replay(
    session: Session,
    key_id: int,
    idempotency: IdempotencyKey,
    operation: str,
    digest: str,
    answer_model: type[M],
) -> Written[M] | None:
    """The stored answer to this key (refused if it was for another request), or None."""
    stored = session.scalars(
        select(models.IdempotencyRecord).where(
            col(models.IdempotencyRecord.api_key_id) == key_id,
            col(models.IdempotencyRecord.key) == idempotency.key,
        )
    ).first()
    if stored is not None and _expired(stored, idempotency.ttl):
        session.delete(stored)
        session.flush()
        stored = None
    if stored is None:
        return None
    if stored.operation != operation or stored.fingerprint != digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request; use a new key"
        )
    return Written(
        answer_model.model_validate_json(stored.body),
        stored.etag,
        stored.status_code,
        replayed=True,
    )


def _expired(stored: models.IdempotencyRecord, ttl: timedelta) -> bool:
    created = stored.created_at
    if created.tzinfo is None:  # SQLite returns naive UTC timestamps
        created = created.replace(tzinfo=models.utcnow().tzinfo)
    return created < models.utcnow() - ttl
