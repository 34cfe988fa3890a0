"""Prospect sheets: the pipeline as CSV or XLSX, and a sheet imported back (all or nothing).

Columns are the prospect's fields (`external_id`, then those of `ProspectFields`); headers
are the field names, as in every sheet of the service (docs/api.md, Sheets). An import
creates the prospects it does not know and changes the fields given of those it knows
(an empty cell keeps the field); it never converts: `hosting` is refused, and so is a
stage change of a prospect already hosting. Every row is checked before anything is
written; problems name the sheet row and field.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import FieldProblem, InvalidInput, UnsupportedMediaType
from jet_match.schemas.development import (
    ProspectCreate,
    ProspectFields,
    ProspectImport,
    ProspectStage,
)
from jet_match.services.development.prospects import FIELDS, prospect_values
from jet_match.services.kit import sheet_writing, spreadsheets
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.consistency import validation_problems
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    commit,
    compare_and_swap,
    run_idempotent,
)
from jet_match.services.security import audit

COLUMNS = ("external_id", *FIELDS)


def export_prospects(*, session: Session, caller: Caller, sheet_format: str) -> bytes:
    """Every prospect as a CSV (UTF-8 with BOM) or XLSX sheet (audited)."""
    authorize(caller, Action.DEVELOPMENT)
    rows = [
        {name: _cell(getattr(row, name)) for name in COLUMNS}
        for row in session.scalars(
            select(models.Prospect).order_by(col(models.Prospect.external_id))
        )
    ]
    audit.record(
        session, caller, "prospect.export", "prospect", format=sheet_format, count=len(rows)
    )
    commit(session)
    if sheet_format == "csv":
        return sheet_writing.write_table_csv(COLUMNS, rows)
    return sheet_writing.write_tables_xlsx({"prospects": (COLUMNS, rows)})


def _cell(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def import_prospects(
    *,
    session: Session,
    caller: Caller,
    raw: bytes,
    media_type: str,
    idempotency: IdempotencyKey | None = None,
    limits: spreadsheets.SheetLimits | None = None,
) -> Written[ProspectImport]:
    """Create or change prospects from a CSV or XLSX sheet (coordinators)."""
    authorize(caller, Action.DEVELOPMENT)
    if media_type == spreadsheets.CSV_MEDIA_TYPE:
        header, rows = spreadsheets.read_csv(raw, limits)
    elif media_type == spreadsheets.XLSX_MEDIA_TYPE:
        header, rows = spreadsheets.read_xlsx(raw, limits)
    else:
        accepted = f"{spreadsheets.CSV_MEDIA_TYPE} or {spreadsheets.XLSX_MEDIA_TYPE}"
        raise UnsupportedMediaType(f"send {accepted}, not {media_type!r}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "external_id" not in header:
        name = unknown[0] if unknown else "external_id"
        message = (
            f"the sheet's column '{name}' is not a prospect field"
            if unknown
            else ("the sheet has no external_id column")
        )
        raise InvalidInput(
            message, [FieldProblem("sheet", None, name, "unknown_column", message, row=1)]
        )
    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="prospect.import",
        payload=raw,
        answer_model=ProspectImport,
        produce=lambda: Written(_apply(session, caller, rows)),
    )


def _given(cells: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in cells.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[name] = (
            spreadsheets.unescape_formula(value.strip()) if isinstance(value, str) else value
        )
    if "prefecture" in out and isinstance(out["prefecture"], str) and out["prefecture"].isdigit():
        out["prefecture"] = int(out["prefecture"])
    if "next_action_on" in out and hasattr(out["next_action_on"], "date"):
        out["next_action_on"] = out["next_action_on"].date()
    return out


def _apply(
    session: Session, caller: Caller, rows: list[tuple[int, dict[str, Any]]]
) -> ProspectImport:
    existing = {row.external_id: row for row in session.scalars(select(models.Prospect))}
    problems: list[FieldProblem] = []
    plans: list[tuple[models.Prospect | None, ProspectFields, str]] = []
    seen: set[str] = set()
    for number, cells in rows:
        given = _given(cells)
        external_id = str(given.get("external_id", ""))
        if external_id in seen:
            message = f"prospect '{external_id}' is in the sheet twice"
            problems.append(
                FieldProblem(
                    "prospect", external_id, "external_id", "duplicate", message, row=number
                )
            )
            continue
        seen.add(external_id)
        row = existing.get(external_id)
        try:
            if row is None:
                record: ProspectFields = ProspectCreate.model_validate(given)
            else:
                current = ProspectFields.model_validate(
                    {name: getattr(row, name) for name in FIELDS}
                ).model_dump(mode="json")
                given.pop("external_id", None)
                record = ProspectFields.model_validate({**current, **given})
        except ValidationError as exc:
            for problem in validation_problems(exc, "prospect", external_id or None):
                problems.append(
                    FieldProblem(
                        problem.record,
                        problem.external_id,
                        problem.field,
                        problem.code,
                        problem.message,
                        row=number,
                    )
                )
            continue
        hosting = ProspectStage.HOSTING
        if (record.stage is hosting) != (row is not None and row.stage == hosting.value):
            message = "a prospect becomes hosting by conversion, and stays hosting"
            problems.append(
                FieldProblem(
                    "prospect", external_id, "stage", "hosting_by_conversion", message, row=number
                )
            )
            continue
        plans.append((row, record, external_id))
    if problems:
        raise InvalidInput(f"{problems[0].message} (row {problems[0].row})", problems)
    created = updated = unchanged = 0
    for row, record, external_id in plans:
        values = prospect_values(record)
        if row is None:
            session.add(models.Prospect(**values, external_id=external_id))
            audit.record(
                session, caller, "prospect.create", "prospect", external_id, source="sheet"
            )
            created += 1
            continue
        before = ProspectFields.model_validate({name: getattr(row, name) for name in FIELDS})
        fields = audit.changed_fields(
            before.model_dump(mode="json"), record.model_dump(mode="json")
        )
        if not fields:
            unchanged += 1
            continue
        assert row.id is not None
        compare_and_swap(session, models.Prospect, row.id, row.version, **values)
        audit.record(
            session,
            caller,
            "prospect.update",
            "prospect",
            external_id,
            fields=fields,
            source="sheet",
        )
        updated += 1
    session.flush()
    return ProspectImport(created=created, updated=updated, unchanged=unchanged)
