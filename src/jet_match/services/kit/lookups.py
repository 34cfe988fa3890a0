"""Record lookups the use cases share: a record by its external_id, as the caller may see it.

Each raises `NotFound` (or `InvalidInput` naming the body field that named it) when there
is no such record; a record the caller may not see is not found either (the same answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import FieldProblem, InvalidInput, NotFound
from jet_match.services.kit.access import Caller


def readable_by(caller: Caller) -> Any:
    """The condition on `organizations` of the records a caller may read, or None for any:
    a host reads its own organization's, or with prefecture scope its prefecture's."""
    if caller.reads_prefecture:
        return models.Organization.prefecture == caller.prefecture
    if caller.scoped_to_organization:
        return models.Organization.id == caller.organization_id
    return None


def visible_organizations(caller: Caller) -> Any:
    """SELECT of the organizations the caller may see."""
    statement = select(models.Organization)
    if caller.scoped_to_organization:
        statement = statement.where(models.Organization.id == caller.organization_id)
    return statement


def find_organization(session: Session, caller: Caller, external_id: str) -> models.Organization:
    """The organization, if the caller may see it; NotFound otherwise (the same answer)."""
    row: models.Organization | None = session.scalars(
        visible_organizations(caller).where(models.Organization.external_id == external_id)
    ).first()
    if row is None:
        raise NotFound(f"no organization '{external_id}'")
    return row


def find_readable_organization(
    session: Session, caller: Caller, external_id: str
) -> models.Organization:
    """The organization, if the caller may read its records (a host with prefecture scope:
    any organization of its prefecture); NotFound otherwise (the same answer)."""
    statement = select(models.Organization).where(models.Organization.external_id == external_id)
    scope = readable_by(caller)
    if scope is not None:
        statement = statement.where(scope)
    row: models.Organization | None = session.scalars(statement).first()
    if row is None:
        raise NotFound(f"no organization '{external_id}'")
    return row


def prefecture_of_scope(session: Session, organization_id: int | None) -> int | None:
    """The prefecture an organization's users and keys may be given read scope over: its
    own prefecture if it is a prefecture (kind `prefecture`), None otherwise."""
    if organization_id is None:
        return None
    row = session.get(models.Organization, organization_id)
    if row is None or row.kind != "prefecture":
        return None
    return row.prefecture


def find_participant(session: Session, external_id: str) -> models.Participant:
    """The participant; NotFound if there is none."""
    row = session.scalars(
        select(models.Participant).where(models.Participant.external_id == external_id)
    ).first()
    if row is None:
        raise NotFound(f"no participant '{external_id}'")
    return row


def find_opening(session: Session, external_id: str, *, field: str | None = None) -> models.Opening:
    """The opening; NotFound, or InvalidInput naming `field` when it comes from a body."""
    row = session.scalars(
        select(models.Opening).where(models.Opening.external_id == external_id)
    ).first()
    if row is None:
        message = f"no opening '{external_id}'"
        if field is None:
            raise NotFound(message)
        raise InvalidInput(
            message, [FieldProblem("plan", external_id, field, "unknown_opening", message)]
        )
    return row


def organization_external_ids(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The external ids of the organizations with these ids, in one query (none if empty)."""
    wanted = sorted({organization_id for organization_id in ids if organization_id is not None})
    if not wanted:
        return {}
    table = models.Organization
    found = session.execute(select(table.id, table.external_id).where(col(table.id).in_(wanted)))
    return {int(organization_id): str(external_id) for organization_id, external_id in found}
