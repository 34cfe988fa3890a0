"""Exports: the stored records as a dataset document, or as a CSV/XLSX sheet per kind.

Exports contain personal data (participants), so each one is audited.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.records import opening_data, organization_data, participant_data
from jet_match.services.kit.writes import commit
from jet_match.services.records import spreadsheets
from jet_match.services.security import audit


class SheetFormat(StrEnum):
    """File formats of a sheet export."""

    CSV = "csv"
    XLSX = "xlsx"


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
    return {"organizations": organizations, "openings": openings, "participants": participants}


def export_dataset(*, session: Session, caller: Caller) -> fmt.Dataset:
    """The stored organizations, openings and participants as one dataset document."""
    authorize(caller, Action.EXPORT)
    data = stored_data(session)
    dataset = fmt.Dataset.model_validate(
        {"format": fmt.FORMAT, **{kind: list(records.values()) for kind, records in data.items()}}
    )
    audit.record(
        session,
        caller,
        "dataset.export",
        "dataset",
        counts={kind: len(records) for kind, records in data.items()},
    )
    commit(session)
    return dataset


def export_sheet(
    *, session: Session, caller: Caller, kind: str, sheet_format: SheetFormat
) -> bytes:
    """One kind of record as a CSV (UTF-8 with BOM) or XLSX file, formulas escaped."""
    authorize(caller, Action.EXPORT)
    records = stored_data(session)[kind].values()
    audit.record(
        session, caller, f"{kind}.export", kind, count=len(records), format=sheet_format.value
    )
    commit(session)
    if sheet_format is SheetFormat.XLSX:
        return spreadsheets.write_xlsx(kind, records)
    return spreadsheets.write_csv(kind, records)
