"""Exports: the stored records as a dataset document, or as a CSV/XLSX sheet per kind.

Exports contain personal data (participants), so each one is audited.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from jet_match.dataset import format as fmt
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.records import stored_data
from jet_match.services.kit.writes import commit
from jet_match.services.security import audit


class SheetFormat(StrEnum):
    """File formats of a sheet export."""

    CSV = "csv"
    XLSX = "xlsx"


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
        return sheet_writing.write_xlsx(kind, records)
    return sheet_writing.write_csv(kind, records)
