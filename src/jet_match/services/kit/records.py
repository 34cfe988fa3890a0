"""Rows to dataset records and back; the one place that knows how a table maps to the format.

The organization, opening and participant `*_data` and `*_record` functions take a model
object or a plain row of its table (`sa.select(table)`: the same attribute names; bulk
reads skip building ORM objects).

Rows reference each other by integer ids, records by external_id: the functions here
take the external_ids they need, so callers can fetch them in bulk (a join or one
lookup dictionary), never one query per row. `stored_data` reads every stored record
as dataset JSON (what exports write and imports compare against).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem

#: Values the databases cannot hold although the format allows them.
_MAX_INTEGER = 2**31 - 1


def organization_data(row: models.Organization | Row[Any]) -> dict[str, Any]:
    """The organization as dataset JSON."""
    return {
        "external_id": row.external_id,
        "name": row.name,
        "name_ja": row.name_ja,
        "kind": row.kind,
        "prefecture": row.prefecture,
        "area_type": row.area_type,
        "medical_access": row.medical_access,
        "sister_regions": list(row.sister_regions),
    }


def opening_data(row: models.Opening | Row[Any], organization: str) -> dict[str, Any]:
    """The opening as dataset JSON; `organization` is its organization's external_id."""
    return {
        "external_id": row.external_id,
        "organization": organization,
        "position": row.position,
        "slots": row.slots,
        "school_level": row.school_level,
        "min_japanese_level": row.min_japanese_level,
        "driving_required": row.driving_required,
        "requested_countries": list(row.requested_countries),
        "country_required": row.country_required,
        "prefers_experience": row.prefers_experience,
        "sport": row.sport,
        "status": row.status,
        "posts": row.posts,
    }


def participant_data(row: models.Participant | Row[Any], partner: str | None) -> dict[str, Any]:
    """The participant as dataset JSON; `partner` is the partner's external_id, if any
    (`row` a participant or a row of the participants table)."""
    return {
        "external_id": row.external_id,
        "family_name": row.family_name,
        "given_name": row.given_name,
        "email": row.email,
        "citizenship": row.citizenship,
        "home_region": row.home_region,
        "position": row.position,
        "status": row.status,
        "alternate_rank": row.alternate_rank,
        "japanese_level": row.japanese_level,
        "teaching_experience_years": row.teaching_experience_years,
        "can_drive": row.can_drive,
        "preferred_prefectures": list(row.preferred_prefectures),
        "area_preference": row.area_preference,
        "school_level_preference": row.school_level_preference,
        "needs_medical_access": row.needs_medical_access,
        "sport": row.sport,
        "partner": (
            {"external_id": partner, "constraint": row.partner_constraint}
            if partner is not None
            else None
        ),
    }


def contract_data(row: models.Contract, organization: str, opening: str) -> dict[str, Any]:
    """The contract as dataset JSON; `organization` and `opening` are external_ids."""
    return {
        "external_id": row.external_id,
        "family_name": row.family_name,
        "given_name": row.given_name,
        "citizenship": row.citizenship,
        "position": row.position,
        "organization": organization,
        "opening": opening,
        "started_on": row.started_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "year_in_programme": row.year_in_programme,
        "japanese_level": row.japanese_level,
        "field_of_study": row.field_of_study,
        "intention": row.intention,
        "intention_set_on": (
            row.intention_set_on.isoformat() if row.intention_set_on is not None else None
        ),
    }


def contract_record(row: models.Contract, organization: str, opening: str) -> fmt.Contract:
    """The contract as a dataset record."""
    return fmt.Contract.model_validate(contract_data(row, organization, opening))


def contract_values(record: fmt.Contract, organization_id: int, opening_id: int) -> dict[str, Any]:
    """Column values of a contract record (its organization and opening resolved to ids)."""
    values = record.model_dump(exclude={"organization", "opening"})
    values["position"] = record.position.value
    values["japanese_level"] = record.japanese_level.value
    values["intention"] = record.intention.value
    values["organization_id"] = organization_id
    values["opening_id"] = opening_id
    return values


def organization_record(row: models.Organization | Row[Any]) -> fmt.Organization:
    """The organization as a dataset record."""
    return fmt.Organization.model_validate(organization_data(row))


def opening_record(row: models.Opening | Row[Any], organization: str) -> fmt.Opening:
    """The opening as a dataset record."""
    return fmt.Opening.model_validate(opening_data(row, organization))


def participant_record(row: models.Participant | Row[Any], partner: str | None) -> fmt.Participant:
    """The participant as a dataset record."""
    return fmt.Participant.model_validate(participant_data(row, partner))


def organization_values(record: fmt.Organization) -> dict[str, Any]:
    """Column values of an organization record."""
    return record.model_dump(mode="json")


def opening_values(record: fmt.Opening, organization_id: int) -> dict[str, Any]:
    """Column values of an opening record (its organization resolved to a row id)."""
    values = record.model_dump(mode="json", exclude={"organization"})
    values["organization_id"] = organization_id
    return values


def participant_values(record: fmt.Participant) -> dict[str, Any]:
    """Column values of a participant record, without the partner link (set separately)."""
    values = record.model_dump(mode="json", exclude={"partner"})
    values["partner_constraint"] = record.partner.constraint.value if record.partner else None
    return values


def storable_problems(
    record: BaseModel, kind: str, index: int | None = None
) -> Iterator[FieldProblem]:
    """Values the format allows but a database column cannot hold (NUL bytes, huge numbers)."""
    external_id = getattr(record, "external_id", None)
    for field, value in _leaves(record.model_dump(mode="json"), ""):
        if isinstance(value, str) and "\x00" in value:
            yield FieldProblem(
                kind,
                external_id,
                field,
                "nul_character",
                f"'{field}' contains a NUL character",
                index,
            )
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INTEGER:
            yield FieldProblem(
                kind, external_id, field, "number_too_large", f"'{field}' is too large", index
            )


def _leaves(value: Any, path: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def stored_data(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    """Every stored record as dataset JSON, by kind and external_id, in external_id order."""
    organization = models.Organization
    opening = models.Opening
    participant = models.Participant
    partner = aliased(models.Participant)
    organizations = {
        row.external_id: organization_data(row)
        for row in session.scalars(select(organization).order_by(organization.external_id))
    }
    openings = {
        row.external_id: opening_data(row, org)
        for row, org in session.execute(
            select(opening, col(organization.external_id))
            .join(organization, col(organization.id) == opening.organization_id)
            .order_by(opening.external_id)
        )
    }
    participants = {
        row.external_id: participant_data(row, partner_id)
        for row, partner_id in session.execute(
            select(participant, col(partner.external_id))
            .outerjoin(partner, col(partner.id) == participant.partner_id)
            .order_by(participant.external_id)
        )
    }
    contract = models.Contract
    held = aliased(models.Opening)
    contracts = {
        row.external_id: contract_data(row, org, opening_id)
        for row, org, opening_id in session.execute(
            select(contract, col(organization.external_id), col(held.external_id))
            .join(organization, col(organization.id) == contract.organization_id)
            .join(held, col(held.id) == contract.opening_id)
            .order_by(contract.external_id)
        )
    }
    return {
        "organizations": organizations,
        "openings": openings,
        "participants": participants,
        "contracts": contracts,
    }
