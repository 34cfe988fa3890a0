"""Imports: a whole dataset, or one sheet of records, applied all-or-nothing by external_id.

The import is validated as the dataset the database would hold afterwards: the incoming
records overlaid on the stored ones, checked by `jet_match.dataset.validation` (so an
opening may name an organization imported earlier, and a couple must stay mutual). Any
problem rejects the whole import and lists every problem; otherwise new records are
inserted and changed ones updated (version bumped) in bulk, in one transaction.

`pins`, `forbidden`, `previous_plan` and `policy` belong to matching rounds: they are
validated but not stored, and counted under `skipped`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlmodel import Session, SQLModel

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.dataset.validation import (
    DatasetInvalid,
    dataset_from_data,
    parse_dataset,
    strict_type_issues,
)
from jet_match.db import refresh_statistics
from jet_match.errors import Abandoned, FieldProblem, InvalidInput, UnsupportedMediaType
from jet_match.schemas.imports import ImportResult, KindCounts
from jet_match.services.kit import sheet_records, spreadsheets
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.records import (
    contract_values,
    opening_values,
    organization_values,
    participant_values,
    storable_problems,
    stored_data,
)
from jet_match.services.kit.writes import IdempotencyKey, Written, run_idempotent
from jet_match.services.security import audit

KINDS = ("organizations", "openings", "participants", "contracts")
ROUND_PARTS = ("pins", "forbidden", "previous_plan", "policy")
_RECORD_OF = {
    "organizations": "organization",
    "openings": "opening",
    "participants": "participant",
    "contracts": "contract",
}
_TABLES: dict[str, type[SQLModel]] = {
    "organizations": models.Organization,
    "openings": models.Opening,
    "participants": models.Participant,
    "contracts": models.Contract,
}


def import_dataset(
    *,
    session: Session,
    caller: Caller,
    raw: bytes,
    idempotency: IdempotencyKey | None = None,
    stop: spreadsheets.Stop | None = None,
) -> Written[ImportResult]:
    """Apply a dataset document (JSON bytes) all-or-nothing.

    `stop()` is asked between the steps (decoding, validating, each kind's writes): once
    it says the client went away, the import raises `Abandoned` before its commit, so
    nothing is written.
    """
    authorize(caller, Action.IMPORT)
    data = _decode(raw)
    spreadsheets.stop_if_asked(stop)
    written = _unless_abandoned(
        session,
        lambda: run_idempotent(
            session=session,
            caller=caller,
            idempotency=idempotency,
            operation="import.dataset",
            payload=raw,
            answer_model=ImportResult,
            produce=lambda: Written(_apply(session, caller, data, source="dataset", stop=stop)),
        ),
    )
    refresh_statistics(session, *_TABLES.values(), rows_written=_written(written.resource))
    return written


def import_sheet(
    *,
    session: Session,
    caller: Caller,
    kind: str,
    raw: bytes,
    media_type: str,
    idempotency: IdempotencyKey | None = None,
    limits: spreadsheets.SheetLimits | None = None,
    stop: spreadsheets.Stop | None = None,
) -> Written[ImportResult]:
    """Apply one CSV or XLSX sheet of organizations, openings, participants or contracts.

    The sheet is read within `limits` (rows, columns, cells, unpacked size, time): a
    file beyond one is refused before anything is stored (`spreadsheets.SheetLimits`).
    `stop()` is asked while the sheet is read and between the steps after it, as for a
    dataset: a client that went away stops the import before anything is written.
    """
    authorize(caller, Action.IMPORT)
    if media_type == spreadsheets.CSV_MEDIA_TYPE:
        header, rows = spreadsheets.read_csv(raw, limits, stop)
    elif media_type == spreadsheets.XLSX_MEDIA_TYPE:
        header, rows = spreadsheets.read_xlsx(raw, limits, stop)
    else:
        accepted = f"{spreadsheets.CSV_MEDIA_TYPE} or {spreadsheets.XLSX_MEDIA_TYPE}"
        raise UnsupportedMediaType(f"send {accepted}, not {media_type!r}")
    spreadsheets.stop_if_asked(stop)
    records = sheet_records.records_from_rows(kind, header, (row for _, row in rows))
    spreadsheets.stop_if_asked(stop)
    data = {"format": fmt.FORMAT, kind: records}
    row_numbers = [number for number, _ in rows]
    written = _unless_abandoned(
        session,
        lambda: run_idempotent(
            session=session,
            caller=caller,
            idempotency=idempotency,
            operation=f"import.{kind}",
            payload=raw,
            answer_model=ImportResult,
            produce=lambda: Written(
                _apply(session, caller, data, source=kind, rows=row_numbers, stop=stop)
            ),
        ),
    )
    refresh_statistics(session, _TABLES[kind], rows_written=_written(written.resource))
    return written


def _unless_abandoned(
    session: Session, write: Callable[[], Written[ImportResult]]
) -> Written[ImportResult]:
    """Run the import's transaction; rolled back, not committed, if its client went away."""
    try:
        return write()
    except Abandoned:
        session.rollback()
        raise


def _written(result: ImportResult) -> int:
    """Rows an import inserted or updated."""
    counts = (result.organizations, result.openings, result.participants, result.contracts)
    return sum(kind.created + kind.updated for kind in counts)


def _decode(raw: bytes) -> dict[str, Any]:
    """The JSON object of a dataset; anything else gets the validator's own problems, and
    values of a looser JSON type than their field's (`true` or `"1"` for a number) are
    refused rather than converted."""
    try:
        data = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        data = None
    if not _has_record_lists(data):
        try:
            parse_dataset(raw)  # raises DatasetInvalid naming what is wrong
        except DatasetInvalid as exc:
            raise _invalid(exc, {}, None) from None
        raise InvalidInput("not a dataset", [])  # pragma: no cover - parse_dataset raised
    assert isinstance(data, dict)
    loose = strict_type_issues(raw, data)
    if loose:
        incoming = {kind: len(data.get(kind, [])) for kind in KINDS}
        raise _invalid(DatasetInvalid(loose), incoming, None)
    return data


def _has_record_lists(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("format") == fmt.FORMAT
        and all(isinstance(data.get(kind, []), list) for kind in KINDS)
    )


def _apply(
    session: Session,
    caller: Caller,
    data: dict[str, Any],
    *,
    source: str,
    rows: Sequence[int] | None = None,
    stop: spreadsheets.Stop | None = None,
) -> ImportResult:
    stored = stored_data(session)
    spreadsheets.stop_if_asked(stop)
    clashes = case_clashes(data, stored, rows)
    if clashes:
        count = len(clashes)
        raise InvalidInput(
            f"the import was refused and nothing was written: {count} external "
            f"id{'s' * (count != 1)} differ{'s' * (count == 1)} only in case from another",
            clashes,
        )
    incoming_counts = {kind: len(data.get(kind, [])) for kind in KINDS}
    merged = dict(data)
    for kind in KINDS:
        incoming = data.get(kind, [])
        ids = {item.get("external_id") for item in incoming if isinstance(item, dict)}
        merged[kind] = list(incoming) + [r for ext, r in stored[kind].items() if ext not in ids]
    try:
        dataset = dataset_from_data(merged)
    except DatasetInvalid as exc:
        raise _invalid(exc, incoming_counts, rows) from None
    spreadsheets.stop_if_asked(stop)
    records = {kind: getattr(dataset, kind)[: incoming_counts[kind]] for kind in KINDS}
    problems = [
        problem
        for kind in KINDS
        for index, record in enumerate(records[kind])
        for problem in storable_problems(record, _RECORD_OF[kind], index)
    ]
    if problems:
        raise InvalidInput(f"{len(problems)} values cannot be stored", problems)

    organizations = _upsert_organizations(session, records["organizations"], stored)
    spreadsheets.stop_if_asked(stop)
    openings = _upsert_openings(session, records["openings"], stored)
    spreadsheets.stop_if_asked(stop)
    participants = _upsert_participants(session, records["participants"], stored)
    spreadsheets.stop_if_asked(stop)
    contracts = _upsert_contracts(session, records["contracts"], stored)
    spreadsheets.stop_if_asked(stop)  # the last moment: past it, the import commits
    result = ImportResult(
        organizations=organizations,
        openings=openings,
        participants=participants,
        contracts=contracts,
        skipped={part: _size(data.get(part)) for part in ROUND_PARTS if _size(data.get(part))},
    )
    audit.record(
        session,
        caller,
        "import.apply",
        "dataset" if source == "dataset" else source,
        **result.model_dump(exclude={"skipped"}),
    )
    return result


def case_clashes(
    data: dict[str, Any],
    stored: dict[str, dict[str, dict[str, Any]]],
    rows: Sequence[int] | None = None,
) -> list[FieldProblem]:
    """External ids of the upload that differ only in case from another one of its kind,
    in the upload or stored (`ORG-1` and `org-1` cannot both exist; the database's unique
    index on lower(external_id) would refuse the second). Each problem names both."""
    problems = []
    for kind in KINDS:
        seen = {ext.lower(): ext for ext in stored[kind]}
        for index, item in enumerate(data.get(kind, [])):
            ext = item.get("external_id") if isinstance(item, dict) else None
            if not isinstance(ext, str):
                continue  # the validator says what is wrong with it
            other = seen.setdefault(ext.lower(), ext)
            if other == ext:
                continue
            where = "stored" if other in stored[kind] else "in this import"
            record = _RECORD_OF[kind]
            problems.append(
                FieldProblem(
                    record,
                    ext,
                    "external_id",
                    "case_duplicate",
                    f"{record} '{ext}' differs only in case from {record} '{other}' ({where}): "
                    "external ids are unique without regard to case",
                    index,
                    rows[index] if rows is not None and index < len(rows) else None,
                )
            )
    return problems


def _size(part: Any) -> int:
    if isinstance(part, list):
        return len(part)
    return 1 if part else 0


def _invalid(
    exc: DatasetInvalid, incoming: dict[str, int], rows: Sequence[int] | None
) -> InvalidInput:
    """Issues of the merged dataset, pointing into the upload (stored records have no index)."""
    problems = []
    for issue in exc.issues:
        kind = next((k for k, r in _RECORD_OF.items() if r == issue.record), None)
        problem = FieldProblem.from_issue(issue)
        if issue.index is not None and kind is not None and issue.index >= incoming.get(kind, 0):
            problem = FieldProblem(
                issue.record,
                issue.external_id,
                issue.field,
                issue.code,
                issue.message + " (in a record already stored)",
            )
        elif issue.index is not None and rows is not None and issue.index < len(rows):
            problem = FieldProblem.from_issue(issue, row=rows[issue.index])
        problems.append(problem)
    count = len(problems)
    return InvalidInput(
        f"the import was refused and nothing was written: {count} problem{'s' * (count != 1)}",
        problems,
    )


def _stamped(values: dict[str, Any], version: int) -> dict[str, Any]:
    now = models.utcnow()
    stamped = {**values, "version": version, "updated_at": now}
    if version == 1:
        stamped["created_at"] = now
    return stamped


def _split(
    kind: str, records: Sequence[Any], stored: dict[str, dict[str, dict[str, Any]]]
) -> tuple[list[Any], list[Any], KindCounts]:
    """New records, changed records, and the counts (unchanged records are left alone)."""
    new, changed = [], []
    unchanged = 0
    for record in records:
        before = stored[kind].get(record.external_id)
        if before is None:
            new.append(record)
        elif before != record.model_dump(mode="json"):
            changed.append(record)
        else:
            unchanged += 1
    return new, changed, KindCounts(created=len(new), updated=len(changed), unchanged=unchanged)


def _ids(session: Session, table: Any) -> dict[str, tuple[int, int]]:
    return {
        ext: (row_id, version)
        for ext, row_id, version in session.execute(
            select(table.external_id, table.id, table.version)
        )
    }


def _upsert(
    session: Session,
    kind: str,
    table: Any,
    records: Sequence[Any],
    stored: dict[str, Any],
    values_of: Callable[[Any], dict[str, Any]],
) -> tuple[KindCounts, list[Any]]:
    """Insert the new records and update the changed ones in bulk; return counts and both."""
    new, changed, counts = _split(kind, records, stored)
    ids = _ids(session, table)
    if new:
        session.execute(insert(table), [_stamped(values_of(r), 1) for r in new])
    if changed:
        session.execute(
            update(table),
            [
                {"id": ids[r.external_id][0], **_stamped(values_of(r), ids[r.external_id][1] + 1)}
                for r in changed
            ],
        )
    return counts, [*new, *changed]


def _upsert_organizations(
    session: Session, records: Sequence[fmt.Organization], stored: dict[str, Any]
) -> KindCounts:
    counts, _ = _upsert(
        session, "organizations", models.Organization, records, stored, organization_values
    )
    return counts


def _upsert_openings(
    session: Session, records: Sequence[fmt.Opening], stored: dict[str, Any]
) -> KindCounts:
    organization_ids = {ext: pair[0] for ext, pair in _ids(session, models.Organization).items()}
    counts, _ = _upsert(
        session,
        "openings",
        models.Opening,
        records,
        stored,
        lambda r: opening_values(r, organization_ids[r.organization]),
    )
    return counts


def _upsert_participants(
    session: Session, records: Sequence[fmt.Participant], stored: dict[str, Any]
) -> KindCounts:
    counts, written = _upsert(
        session, "participants", models.Participant, records, stored, participant_values
    )
    # Partners may be new rows: link them once every row of the import has an id.
    if written:
        ids = _ids(session, models.Participant)
        session.execute(
            update(models.Participant),
            [
                {
                    "id": ids[r.external_id][0],
                    "partner_id": ids[r.partner.external_id][0] if r.partner else None,
                }
                for r in written
            ],
        )
    return counts


def _upsert_contracts(
    session: Session, records: Sequence[fmt.Contract], stored: dict[str, Any]
) -> KindCounts:
    organization_ids = {ext: pair[0] for ext, pair in _ids(session, models.Organization).items()}
    opening_ids = {ext: pair[0] for ext, pair in _ids(session, models.Opening).items()}
    counts, _ = _upsert(
        session,
        "contracts",
        models.Contract,
        records,
        stored,
        lambda r: contract_values(r, organization_ids[r.organization], opening_ids[r.opening]),
    )
    return counts
