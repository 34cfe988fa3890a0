"""Openings: list, read, create, update, cancel. A host organization works on its own only.

An opening is never deleted: cancelling sets `status` to `cancelled` (DELETE and
`PATCH {"status": "cancelled"}` do the same), which keeps it in the audit trail and in
plans that referred to it; `PATCH {"status": "open"}` reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.record_changes import OpeningChanged
from jet_match.schemas.records import OpeningUpdate
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.consistency import check_records, merge
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.records import (
    opening_data,
    opening_record,
    opening_values,
    organization_record,
)
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    compare_and_swap,
    etag_of,
)
from jet_match.services.notifications import outbox
from jet_match.services.records import saving
from jet_match.statuses import EventKind

Opening = models.Opening
Organization = models.Organization


@dataclass(frozen=True, slots=True)
class OpeningFilter:
    """Filters of the opening list; None means any."""

    organization: str | None = None
    prefecture: int | None = None
    position: fmt.Position | None = None
    status: fmt.OpeningStatus | None = None
    school_level: fmt.SchoolLevel | None = None


def visible(caller: Caller, *, reading: bool = False) -> Any:
    """SELECT of (opening, organization external_id) the caller may change, or with
    `reading` may read (a host with prefecture scope reads its prefecture's)."""
    statement = select(Opening, Organization.external_id).join(
        Organization,
        col(Organization.id) == Opening.organization_id,
    )
    scope = lookups.readable_by(caller) if reading else None
    if scope is not None:
        statement = statement.where(scope)
    elif caller.scoped_to_organization:
        statement = statement.where(Opening.organization_id == caller.organization_id)
    return statement


def find(
    session: Session, caller: Caller, external_id: str, *, reading: bool = False
) -> tuple[models.Opening, str]:
    """The opening and its organization's external_id, if visible; NotFound otherwise."""
    statement = visible(caller, reading=reading).where(Opening.external_id == external_id)
    found = session.execute(statement).first()
    if found is None:
        raise NotFound(f"no opening '{external_id}'")
    return found[0], found[1]


def list_openings(
    *, session: Session, caller: Caller, filters: OpeningFilter, page: PageRequest
) -> Page[fmt.Opening]:
    """Openings ordered by external_id."""
    authorize(caller, Action.OPENINGS_READ)
    statement = visible(caller, reading=True)
    if filters.organization is not None:
        statement = statement.where(Organization.external_id == filters.organization)
    if filters.prefecture is not None:
        statement = statement.where(Organization.prefecture == filters.prefecture)
    if filters.position is not None:
        statement = statement.where(Opening.position == filters.position.value)
    if filters.status is not None:
        statement = statement.where(Opening.status == filters.status.value)
    if filters.school_level is not None:
        statement = statement.where(Opening.school_level == filters.school_level.value)
    result = paginate(session, statement, col(Opening.external_id), page)
    return Page(
        items=[opening_record(row, org) for row, org in result.rows],
        next_cursor=result.next_cursor,
    )


def get_opening(*, session: Session, caller: Caller, external_id: str) -> Written[fmt.Opening]:
    """One opening and its ETag."""
    authorize(caller, Action.OPENINGS_READ)
    row, organization = find(session, caller, external_id, reading=True)
    return Written(opening_record(row, organization), etag_of(row.version))


def _organization_of(session: Session, caller: Caller, opening: fmt.Opening) -> models.Organization:
    """The opening's organization, if the caller may post for it (else: unknown, like a typo)."""
    try:
        return lookups.find_organization(session, caller, opening.organization)
    except NotFound:
        problem = FieldProblem(
            "opening",
            opening.external_id,
            "organization",
            "unknown_organization",
            f"no organization '{opening.organization}'",
        )
        raise InvalidInput(problem.message, [problem]) from None


def _taken(caller: Caller, external_id: str, holder: str) -> AlreadyExists:
    """The 409 for an external_id in use; a host org is told nothing about whose opening it is.

    Opening ids are one namespace across all organizations, so a taken id cannot be hidden
    from a host org; the answer is the same whether its own opening or another
    organization's holds the id (docs/api.md, Keys and roles).
    """
    if caller.scoped_to_organization:
        return AlreadyExists(
            f"the external_id '{external_id}' is taken: opening ids are unique across all "
            "organizations, without regard to case; choose another (for example, one that "
            "begins with your organization's external_id)"
        )
    return AlreadyExists(saving.taken_message("opening", external_id, holder))


def create_opening(
    *,
    session: Session,
    caller: Caller,
    opening_in: fmt.Opening,
    idempotency: IdempotencyKey | None = None,
) -> Written[fmt.Opening]:
    """Create an opening of an organization the caller may post for."""
    authorize(caller, Action.OPENINGS_WRITE)

    def insert() -> models.Opening:
        organization = _organization_of(session, caller, opening_in)
        holder = saving.taken(session, Opening, opening_in.external_id)
        if holder is not None:
            raise _taken(caller, opening_in.external_id, holder)
        check_records(
            focus=opening_in,
            kind="opening",
            organizations=[organization_record(organization)],
            openings=[opening_in],
        )
        assert organization.id is not None
        row = Opening(**opening_values(opening_in, organization.id))
        session.add(row)
        session.flush()
        return row

    return saving.create_record(
        session=session,
        caller=caller,
        idempotency=idempotency,
        kind="opening",
        record=opening_in,
        insert=insert,
    )


def update_opening(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: OpeningUpdate,
    if_match: str | None,
) -> Written[OpeningChanged]:
    """Change some fields of an opening, if it is still at the version the caller saw."""
    authorize(caller, Action.OPENINGS_WRITE)
    row, organization_id = find(session, caller, external_id)
    seen_version = row.version  # the row object may be refreshed before the write
    check_if_match(if_match, seen_version)
    current = opening_data(row, organization_id)
    updated = merge(
        fmt.Opening, current, changes.model_dump(mode="json", exclude_unset=True), "opening"
    )
    return _save(session, caller, row, current, updated, seen_version)


def cancel_opening(
    *, session: Session, caller: Caller, external_id: str, if_match: str | None
) -> Written[OpeningChanged]:
    """Cancel an opening (status `cancelled`); cancelling a cancelled opening changes nothing."""
    authorize(caller, Action.OPENINGS_WRITE)
    row, organization_id = find(session, caller, external_id)
    seen_version = row.version  # the row object may be refreshed before the write
    check_if_match(if_match, seen_version)
    current = opening_data(row, organization_id)
    updated = fmt.Opening.model_validate({**current, "status": fmt.OpeningStatus.CANCELLED})
    return _save(session, caller, row, current, updated, seen_version)


def _save(
    session: Session,
    caller: Caller,
    row: models.Opening,
    current: dict[str, Any],
    updated: fmt.Opening,
    seen_version: int,
) -> Written[OpeningChanged]:
    organization = _organization_of(session, caller, updated)
    check_records(
        focus=updated,
        kind="opening",
        organizations=[organization_record(organization)],
        openings=[updated],
    )
    assert row.id is not None
    assert organization.id is not None
    row_id, organization_id = row.id, organization.id

    def cancelled_or_updated(fields: list[str]) -> str:
        cancelled = "status" in fields and updated.status is fmt.OpeningStatus.CANCELLED
        return "opening.cancel" if cancelled else "opening.update"

    def tell_coordinators(fields: list[str]) -> None:
        # A host's change reaches the coordinators (their own changes need no telling).
        if caller.scoped_to_organization:
            outbox.record_event(
                session=session,
                kind=EventKind.OPENING_CHANGED,
                organization_id=organization_id,
                payload={
                    "opening": updated.external_id,
                    "organization": organization.external_id,
                    "fields": fields,
                    "status": updated.status.value,
                },
            )

    return saving.save_changes(
        session=session,
        caller=caller,
        kind="opening",
        row=row,
        before=current,
        after=updated.model_dump(mode="json"),
        updated=updated,
        answer=lambda record, vacated: OpeningChanged(**dict(record), vacated=vacated),
        write=lambda _: compare_and_swap(
            session, Opening, row_id, seen_version, **opening_values(updated, organization_id)
        ),
        action=cancelled_or_updated,
        also=tell_coordinators,
    )
