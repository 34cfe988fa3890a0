"""CSV and XLSX sheets of one kind of record, read and written with the dataset's field names.

Columns are the record's fields; a participant's partner is two columns,
`partner.external_id` and `partner.constraint`. List fields (`sister_regions`,
`requested_countries`, `preferred_prefectures`) hold their items separated by `;`
(`13;27;1`). Booleans are `true`/`false`; an empty cell means "not given" (the field's
default), except in a required text column that may be empty (`given_name`, for people
with a single name), where it is the empty text. Names are read exactly as written,
spaces included; other cells are trimmed. A number in a text column (an XLSX id typed as
`20240001`) is read as its digits. CSV is read as UTF-8 (with or without BOM) or, failing
that, Shift_JIS/cp932; it is written as UTF-8 with a BOM so spreadsheet programs open it
correctly.

Formula injection: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is written with a leading `'`, so a spreadsheet shows it as text instead of
running it; so is one that starts with `'` itself. Reading strips one leading `'`, so an
export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from charset_normalizer import from_bytes
from openpyxl import Workbook, load_workbook
from pydantic.fields import FieldInfo

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
TEXT_MARK = "'"
# What a Western file (Windows-1252, Latin-1) read as cp932 shows and Japanese text does
# not: private-use or C1 characters, or a letter glued into a Latin word ("Fran輟ise",
# "ﾀlex", from "Françoise" and "Àlex").
_NOT_JAPANESE = re.compile(
    r"[\u0080-\u009f\ue000-\uf8ff]|[A-Za-z][^\x00-\x7f]+[a-z]|[\uff61-\uff9f][a-z]"
)
_JAPANESE_GUESSES = frozenset({"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp"})


def columns(kind: str) -> list[str]:
    """The sheet's header for a kind of record, in the format's field order."""
    names: list[str] = []
    for name in KIND_RECORDS[kind][1].model_fields:
        names.extend(
            ("partner.external_id", "partner.constraint") if name == "partner" else (name,)
        )
    return names


def escape_formula(text: str) -> str:
    """Text a spreadsheet will not evaluate (and that `unescape_formula` gives back)."""
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def unescape_formula(text: str) -> str:
    """Undo `escape_formula`: drop one leading `'`."""
    return text.removeprefix(TEXT_MARK)


def decode_text(raw: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not) or Shift_JIS/cp932; anything else is refused.

    Strict decoding decides, not a guess: a one-line file or one with cp932-only
    characters (髙, ①, ㈱) is too short or too unusual for a detector. Many Western files
    are valid cp932 too, read as nonsense: such a reading is refused rather than stored
    in place of the names. The detector only suggests what a refused file may be.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        pass
    else:
        if not _NOT_JAPANESE.search(text):
            return text
    best = from_bytes(raw).best()
    guess = best.encoding if best is not None else None
    looks_like = f" (it may be {guess})" if guess and guess not in _JAPANESE_GUESSES else ""
    raise UnsupportedMediaType(
        f"the CSV file is neither UTF-8 nor Shift_JIS (cp932){looks_like}; "
        "save it as UTF-8 and retry"
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
            if name and cell is not None and cell != ""
        }
        if not all(_blank(cell) for cell in row.values()):
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
    rules = _column_rules(kind)
    present = [name for name in header if name]
    return [_record(rules, present, row) for row in rows]


@dataclass(frozen=True, slots=True)
class _Column:
    """How a column's cells are read, from the type of the field it holds."""

    text: bool = False  # a string field: a number in the cell is read as its digits
    name: bool = False  # free text (no pattern): kept exactly, spaces included
    blank_is_empty: bool = False  # required and may be "": a blank cell is ""


@cache
def _column_rules(kind: str) -> dict[str, _Column]:
    model = KIND_RECORDS[kind][1]
    rules = {name: _column_of(field) for name, field in model.model_fields.items()}
    for name, field in fmt.Partner.model_fields.items():
        rules[f"partner.{name}"] = _column_of(field)
    return rules


def _column_of(field: FieldInfo) -> _Column:
    annotation, metadata = field.annotation, list(field.metadata)
    if get_origin(annotation) in (Union, types.UnionType):  # `X | None`
        options = [option for option in get_args(annotation) if option is not type(None)]
        annotation = options[0] if len(options) == 1 else None
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata += extra
    if annotation is not str:
        return _Column()
    patterned = any(getattr(item, "pattern", None) for item in metadata)
    may_be_empty = not any(getattr(item, "min_length", None) for item in metadata)
    return _Column(
        text=True,
        name=not patterned,
        blank_is_empty=field.is_required() and not patterned and may_be_empty,
    )


def _record(
    rules: dict[str, _Column], header: Sequence[str], row: dict[str, Any]
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    partner: dict[str, Any] = {}
    for name in header:
        value = _value(rules.get(name, _Column()), row.get(name))
        if value is None:
            continue
        if name in LIST_FIELDS:
            value = [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]
        if name.startswith("partner."):
            partner[name.removeprefix("partner.")] = value
        else:
            record[name] = value
    if partner:
        record["partner"] = partner
    return record


def _value(column: _Column, cell: Any) -> Any:
    """A cell's value for the record; None: not given (the field's default applies)."""
    if isinstance(cell, str):
        cell = unescape_formula(cell if column.name else cell.strip())
    elif column.text and isinstance(cell, int | float) and not isinstance(cell, bool):
        cell = str(cell)  # whole numbers are ints already (`_cell`): no ".0"
    if cell is None or cell == "":
        return "" if column.blank_is_empty else None
    return cell


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
