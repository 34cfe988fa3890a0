"""CSV and XLSX sheets written: records of one kind with the dataset's field names
(`write_csv`, `write_xlsx`, the columns of `spreadsheets.columns`), any table
(`write_table_csv`, `write_tables_xlsx`), and workbooks meant for people
(`write_report_xlsx`). Reading, and the rules both share (formula escaping, list cells),
are in spreadsheets.py.

CSV is written as UTF-8 with a BOM so spreadsheet programs open it correctly; a text
cell that a spreadsheet would run as a formula is written with a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from jet_match.services.kit.spreadsheets import LIST_SEPARATOR, columns, escape_formula


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in record.items() if k != "partner"}
    if "partner" in record:
        partner = record["partner"] or {}
        flat["partner.external_id"] = partner.get("external_id")
        flat["partner.constraint"] = partner.get("constraint")
    return flat


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return escape_formula(value) if isinstance(value, str) else str(value)


def write_csv(kind: str, records: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 CSV with a BOM; formulas escaped."""
    return write_table_csv(columns(kind), (_flat(record) for record in records))


def write_xlsx(kind: str, records: Iterable[dict[str, Any]]) -> bytes:
    """An XLSX workbook with one sheet named after the kind; formulas escaped."""
    return write_tables_xlsx({kind: (columns(kind), [_flat(record) for record in records])})


def write_table_csv(names: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """Any table as UTF-8 CSV with a BOM (`names` is the header); formulas escaped."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_text(row.get(name)) for name in names])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_tables_xlsx(
    sheets: dict[str, tuple[Sequence[str], Iterable[dict[str, Any]]]],
) -> bytes:
    """An XLSX workbook, one sheet per (header, rows) table; formulas escaped."""
    workbook = Workbook(write_only=True)
    for title, (names, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(list(names))
        for row in rows:
            sheet.append([_xlsx_value(row.get(name)) for name in names])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    return _text(value)


@dataclass(frozen=True)
class ReportSheet:
    """A sheet meant for people: a title, headers, rows (values in header order), the
    columns (0-based) shown as percentages."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    percent_columns: frozenset[int] = frozenset()


def write_report_xlsx(sheets: Sequence[ReportSheet]) -> bytes:
    """An XLSX workbook for people: each sheet with its header row frozen, an auto-filter,
    columns as wide as their contents (within reason) and percentages formatted;
    formulas escaped."""
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        sheet.append([_xlsx_value(h) for h in spec.headers])
        for row in spec.rows:
            sheet.append([_xlsx_value(v) for v in row])
        sheet.freeze_panes = "A2"
        if spec.rows:
            sheet.auto_filter.ref = sheet.dimensions
        for index, header in enumerate(spec.headers):
            letter = sheet.cell(row=1, column=index + 1).column_letter
            widest = max(
                [_width(header), *(_width(row[index]) for row in spec.rows[:1000])], default=8
            )
            sheet.column_dimensions[letter].width = min(max(widest + 2, 8), 60)
            if index in spec.percent_columns:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                    cell.number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _width(value: Any) -> int:
    """Display width: a Japanese character takes about two columns."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
