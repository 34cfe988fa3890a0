"""How a record is created and changed: one frame for organizations, openings and
participants.

A create is idempotent (`Idempotency-Key`), refuses a taken external_id, inserts the row
and audits `<kind>.create`, answering 201 with the record and its ETag. A change, once
the kind has merged and checked it, writes only if some field differs: it notes what the
record's placements break now (`record_changes.watch`), writes the row (compare-and-swap
on the version read), audits the changed field names, and then vacates the placements
the change no longer allows. Each kind brings only what is its own: its checks, its row
values and, for participants, the partner links and withdrawals.

It lives beside the use cases, not in `kit/`, because a change follows into the plans
(`rounds.record_changes`), a layer `kit` sits below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from jet_match.schemas.withdrawals import FreedPlace
from jet_match.services.kit.access import Caller
from jet_match.services.kit.writes import IdempotencyKey, Written, commit, etag_of, run_idempotent
from jet_match.services.rounds import record_changes
from jet_match.services.rounds.record_changes import Watch
from jet_match.services.security import audit

R = TypeVar("R", bound=BaseModel)
A = TypeVar("A", bound=BaseModel)


def taken(session: Session, table: Any, external_id: str) -> str | None:
    """The external_id of the row of `table` that holds this one already, ignoring case
    (`ORG-1` takes `org-1`: the database keeps them unique without regard to case); None
    when it is free."""
    found = session.scalars(
        select(table.external_id).where(func.lower(table.external_id) == external_id.lower())
    ).first()
    return None if found is None else str(found)


def taken_message(kind: str, external_id: str, holder: str) -> str:
    """The 409's detail naming both ids when they differ only in case."""
    if holder == external_id:
        return f"{kind} '{external_id}' exists already"
    return (
        f"{kind} '{external_id}' clashes with {kind} '{holder}': "
        "external ids are unique without regard to case"
    )


def create_record(
    *,
    session: Session,
    caller: Caller,
    idempotency: IdempotencyKey | None,
    kind: str,
    record: R,
    insert: Callable[[], Any],
) -> Written[R]:
    """Create a record of `kind`: `insert` checks it and adds (and flushes) its row."""

    def produce() -> Written[R]:
        row = insert()
        audit.record(session, caller, f"{kind}.create", kind, row.external_id)
        return Written(record, etag_of(row.version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation=f"{kind}.create",
        payload=record,
        answer_model=type(record),
        produce=produce,
    )


def save_changes(
    *,
    session: Session,
    caller: Caller,
    kind: str,
    row: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    updated: R,
    answer: Callable[[R, list[FreedPlace]], A],
    write: Callable[[list[str]], int],
    action: Callable[[list[str]], str] | None = None,
    follow: Callable[[Watch, str, list[str]], list[FreedPlace]] | None = None,
    also: Callable[[list[str]], None] | None = None,
) -> Written[A]:
    """Save a checked change of `row` (`before` and `after` as JSON values): if some field
    differs, `write` (given the changed fields) writes it and returns the new version;
    `action` names the audited action (default `<kind>.update`); `follow` (default:
    `record_changes.follow`) vacates the places the change no longer allows; `answer`
    makes the answer of the record and the places vacated; `also` (given the changed
    fields) writes what else belongs to the change's transaction (an outbox event). Commits."""
    fields = audit.changed_fields(before, after)
    version: int = row.version
    vacated: list[FreedPlace] = []
    if fields:
        assert row.id is not None
        watched = record_changes.watch(session, **{f"{kind}_ids": [row.id]})
        version = write(fields)
        name = action(fields) if action else f"{kind}.update"
        audit.record(session, caller, name, kind, row.external_id, fields=fields)
        # Placements the record no longer allows leave the working plans (vacancies).
        reason = f"{kind} {row.external_id} changed ({', '.join(fields)})"
        if follow is None:
            vacated = record_changes.follow(session, caller, watched, reason=reason)
        else:
            vacated = follow(watched, reason, fields)
        if also is not None:
            also(fields)
    commit(session)
    return Written(answer(updated, vacated), etag_of(version))
