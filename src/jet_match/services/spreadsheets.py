"""CSV and XLSX sheets of one kind of record, read and written with the dataset's field names.

Columns are the record's fields; a participant's partner is two columns,
`partner.external_id` and `partner.constraint`. List fields (`sister_regions`,
`requested_countries`, `preferred_prefectures`) hold their items separated by `;`
(`13;27;1`). Booleans are `true`/`false`; an empty cell means "not given" (the field's
default). CSV is read as UTF-8 (with or without BOM) or Shift_JIS/cp932, detected; it is
written as UTF-8 with a BOM so spreadsheet programs open it correctly.

Formula injection: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is written with a leading `'`, so a spreadsheet shows it as text instead of
running it; reading strips that `'` again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import Workbook, load_workbook

from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput, UnsupportedMediaType

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KIND_RECORDS: dict[str, tuple[str, type[fmt.Organization | fmt.Opening | fmt.Participant]]] = {
    "organizations": ("organization", fmt.Organization),
    "openings": ("opening", fmt.Opening),
    "participants": ("participant", fmt.Participant),
}
LIST_FIELDS = frozenset({"sister_regions", "requested_countries", "preferred_prefectures"})
LIST_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_JAPANESE_ENCODINGS = frozenset(
    {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp"}
)


def columns(kind: str) -> list[str]:
    """The sheet's header for a kind of record, in the format's field order."""
    names: list[str] = []
    for name in KIND_RECORDS[kind][1].model_fields:
        names.extend(
            ("partner.external_id", "partner.constraint") if name == "partner" else (name,)
        )
    return names


def escape_formula(text: str) -> str:
    """Text a spreadsheet will not evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula`."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def decode_text(raw: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not) or Shift_JIS/cp932; anything else is refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    encoding = (best.encoding if best else "").lower()
    if encoding in _JAPANESE_ENCODINGS:
        try:
            return raw.decode("cp932")
        except UnicodeDecodeError:
            pass
    raise UnsupportedMediaType(
        "the CSV file is neither UTF-8 nor Shift_JIS (cp932); save it as UTF-8 and retry"
    )


def read_csv(raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (sheet row number, cells) of each non-empty row of a CSV file."""
    text = decode_text(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        table = list(reader)
    except csv.Error as exc:
        raise InvalidInput(
            f"the CSV file cannot be read: {exc}",
            [FieldProblem("sheet", None, None, "invalid_csv", str(exc))],
        ) from None
    return _rows(table)


def read_xlsx(raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (sheet row number, cells) of each non-empty row of the first worksheet."""
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnsupportedMediaType(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        table = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows(table)


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(table: Sequence[Sequence[Any]]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    if not table:
        raise InvalidInput(
            "the sheet is empty: its first row must name the columns",
            [FieldProblem("sheet", None, None, "empty", "no header row")],
        )
    header = ["" if cell is None else str(cell).strip() for cell in table[0]]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        row = {
            name: cell
            for name, cell in zip(header, cells, strict=False)
            if name and not _blank(cell)
        }
        if row:
            rows.append((number, row))
    return header, rows


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def records_from_rows(
    kind: str, header: Sequence[str], rows: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Dataset-shaped records from sheet rows; unknown columns are refused up front."""
    known = set(columns(kind))
    unknown = [name for name in header if name and name not in known]
    if unknown:
        problems = [
            FieldProblem(
                KIND_RECORDS[kind][0],
                None,
                name,
                "unknown_column",
                f"unknown column '{name}'; the columns are: {', '.join(columns(kind))}",
            )
            for name in unknown
        ]
        raise InvalidInput(problems[0].message, problems)
    return [_record(row) for row in rows]


def _record(row: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    partner: dict[str, Any] = {}
    for name, cell in row.items():
        value = unescape_formula(cell.strip()) if isinstance(cell, str) else cell
        if name in LIST_FIELDS:
            value = [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]
        if name.startswith("partner."):
            partner[name.removeprefix("partner.")] = value
        else:
            record[name] = value
    if partner:
        record["partner"] = partner
    return record


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
