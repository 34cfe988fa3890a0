"""Organizations: list, read, create, update. A host organization sees only its own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists
from jet_match.schemas.common import Page
from jet_match.schemas.record_changes import OrganizationChanged
from jet_match.schemas.records import OrganizationUpdate
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.consistency import check_records, merge
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.records import (
    organization_data,
    organization_record,
    organization_values,
)
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    compare_and_swap,
    etag_of,
)
from jet_match.services.records import saving


@dataclass(frozen=True, slots=True)
class OrganizationFilter:
    """Filters of the organization list; None means any."""

    prefecture: int | None = None
    kind: fmt.OrganizationKind | None = None
    area_type: fmt.AreaType | None = None


def list_organizations(
    *, session: Session, caller: Caller, filters: OrganizationFilter, page: PageRequest
) -> Page[fmt.Organization]:
    """Organizations ordered by external_id."""
    authorize(caller, Action.ORGANIZATIONS_READ)
    table = models.Organization
    statement = lookups.visible_organizations(caller)
    if filters.prefecture is not None:
        statement = statement.where(table.prefecture == filters.prefecture)
    if filters.kind is not None:
        statement = statement.where(table.kind == filters.kind.value)
    if filters.area_type is not None:
        statement = statement.where(table.area_type == filters.area_type.value)
    result = paginate(session, statement, col(table.external_id), page)
    return Page(
        items=[organization_record(row) for (row,) in result.rows], next_cursor=result.next_cursor
    )


def get_organization(
    *, session: Session, caller: Caller, external_id: str
) -> Written[fmt.Organization]:
    """One organization and its ETag."""
    authorize(caller, Action.ORGANIZATIONS_READ)
    row = lookups.find_organization(session, caller, external_id)
    return Written(organization_record(row), etag_of(row.version))


def create_organization(
    *,
    session: Session,
    caller: Caller,
    organization_in: fmt.Organization,
    idempotency: IdempotencyKey | None = None,
) -> Written[fmt.Organization]:
    """Create an organization (coordinators)."""
    authorize(caller, Action.ORGANIZATIONS_WRITE)

    def insert() -> models.Organization:
        holder = saving.taken(session, models.Organization, organization_in.external_id)
        if holder is not None:
            raise AlreadyExists(
                saving.taken_message("organization", organization_in.external_id, holder)
            )
        check_records(focus=organization_in, kind="organization", organizations=[organization_in])
        row = models.Organization(**organization_values(organization_in))
        session.add(row)
        session.flush()
        return row

    return saving.create_record(
        session=session,
        caller=caller,
        idempotency=idempotency,
        kind="organization",
        record=organization_in,
        insert=insert,
    )


def update_organization(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: OrganizationUpdate,
    if_match: str | None,
) -> Written[OrganizationChanged]:
    """Change some fields of an organization (coordinators), if still at the version seen."""
    authorize(caller, Action.ORGANIZATIONS_WRITE)
    row = lookups.find_organization(session, caller, external_id)
    seen_version = row.version  # the row object may be refreshed before the write
    check_if_match(if_match, seen_version)
    current = organization_data(row)
    updated = merge(
        fmt.Organization,
        current,
        changes.model_dump(mode="json", exclude_unset=True),
        "organization",
    )
    check_records(focus=updated, kind="organization", organizations=[updated])
    values = organization_values(updated)
    assert row.id is not None
    row_id = row.id
    return saving.save_changes(
        session=session,
        caller=caller,
        kind="organization",
        row=row,
        before=current,
        after=values,
        updated=updated,
        answer=lambda record, vacated: OrganizationChanged(**dict(record), vacated=vacated),
        write=lambda _: compare_and_swap(
            session, models.Organization, row_id, seen_version, **values
        ),
    )
