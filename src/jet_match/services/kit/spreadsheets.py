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
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from charset_normalizer import from_bytes
from openpyxl import load_workbook

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import (
    Abandoned,
    FieldProblem,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KIND_RECORDS: dict[
    str, tuple[str, type[fmt.Organization | fmt.Opening | fmt.Participant | fmt.Contract]]
] = {
    "organizations": ("organization", fmt.Organization),
    "openings": ("opening", fmt.Opening),
    "participants": ("participant", fmt.Participant),
    "contracts": ("contract", fmt.Contract),
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


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """What one imported sheet may cost; every limit is a setting (docs/operations.md).

    The zip limits are checked from the zip directory before anything is unpacked (Python's
    zipfile never unpacks a member past its declared size: a lying directory only gets a CRC
    error); the row, column and cell limits while the sheet is streamed row by row, so a
    refused file never has more than one row of its sheet in memory beyond what was kept.
    """

    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_compression_ratio: int = 200
    max_zip_members: int = 200
    max_rows: int = 20_000
    max_columns: int = 64
    max_cells: int = 500_000
    time_budget_s: float = 60.0

    @classmethod
    def of(cls, settings: Settings) -> SheetLimits:
        """The limits the service is configured with."""
        return cls(
            max_unpacked_bytes=settings.import_max_unpacked_bytes,
            max_compression_ratio=settings.import_max_compression_ratio,
            max_zip_members=settings.import_max_zip_members,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
            max_cells=settings.import_max_cells,
            time_budget_s=settings.import_time_budget_s,
        )


Row = tuple[int, dict[str, Any]]
#: Asked now and then during long work: True once its requester has gone (the client
#: disconnected); the work then raises `Abandoned` before writing anything.
Stop = Callable[[], bool]


def stop_if_asked(stop: Stop | None) -> None:
    """Raise `Abandoned` if `stop()` says the work is no longer wanted."""
    if stop is not None and stop():
        raise Abandoned("the client went away: the import was stopped and nothing was written")


# A member this large or larger is checked for its compression ratio (small ones may be
# anything: a 2 KB styles part of repeated tags compresses 100:1 quite honestly).
_RATIO_FROM_BYTES = 1024 * 1024
# How far into an XML part a document type declaration could hide before the root element.
_PROLOG_BYTES = 64 * 1024


def _too_large(limit: str, value: int, message: str) -> PayloadTooLarge:
    message = f"{message} ({limit}={value})"
    return PayloadTooLarge(message, [FieldProblem("sheet", None, None, "too_large", message)])


def _over_limit(limit: str, value: float, message: str, row: int | None = None) -> InvalidInput:
    return InvalidInput(
        f"{message} ({limit}={value})",
        [FieldProblem("sheet", None, None, "over_limit", f"{message} ({limit}={value})", row=row)],
    )


class _Reading:
    """The rows of a sheet as they are read, counted and timed against the limits."""

    def __init__(self, limits: SheetLimits, stop: Stop | None = None) -> None:
        self.limits = limits
        self.stop = stop
        self.header: list[str] | None = None
        self.rows: list[Row] = []
        self.cells = 0
        self.number = 0
        self.started = time.monotonic()

    def add(self, cells: Sequence[Any]) -> None:
        """Take the next row of the sheet (row numbers count from 1, blank rows included)."""
        self.number += 1
        limits = self.limits
        if self.number > limits.max_rows + 1:
            message = f"the sheet has more than {limits.max_rows} rows below its header"
            raise _over_limit("import_max_rows", limits.max_rows, message, self.number)
        if self.number % 256 == 0:
            if time.monotonic() - self.started > limits.time_budget_s:
                message = f"reading the sheet took longer than {limits.time_budget_s:g} s"
                raise _over_limit(
                    "import_time_budget_s", limits.time_budget_s, message, self.number
                )
            stop_if_asked(self.stop)
        width = len(cells)
        while width and _blank(cells[width - 1]):
            width -= 1
        if width > limits.max_columns:
            message = f"row {self.number} has cells beyond column {limits.max_columns}"
            raise _over_limit("import_max_columns", limits.max_columns, message, self.number)
        self.cells += sum(1 for cell in cells[:width] if not _blank(cell))
        if self.cells > limits.max_cells:
            message = f"the sheet has more than {limits.max_cells} non-empty cells"
            raise _over_limit("import_max_cells", limits.max_cells, message, self.number)
        if self.header is None:
            self.header = _header(cells[:width])
            return
        if width > len(self.header):
            raise InvalidInput(
                f"row {self.number} has a cell beyond the header, in column {width}",
                [
                    FieldProblem(
                        "sheet",
                        None,
                        None,
                        "cell_beyond_header",
                        f"row {self.number} has a value in column {width}, which the header "
                        "does not name",
                        row=self.number,
                    )
                ],
            )
        row = {
            name: cell
            for name, cell in zip(self.header, cells, strict=False)
            if not _blank(cell) and cell != ""
        }
        if row:
            self.rows.append((self.number, row))

    def result(self) -> tuple[list[str], list[Row]]:
        if self.header is None or not any(self.header):
            raise InvalidInput(
                "the sheet is empty: its first row must name the columns",
                [FieldProblem("sheet", None, None, "empty", "no header row")],
            )
        return self.header, self.rows


def _header(cells: Sequence[Any]) -> list[str]:
    """The column names; a blank or repeated name is refused (which of two would count?)."""
    names = ["" if cell is None else str(cell).strip() for cell in cells]
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            message = f"column {position} of the header has no name"
            problems.append(FieldProblem("sheet", None, None, "unnamed_column", message, row=1))
        elif name in seen:
            message = f"the header names the column '{name}' twice"
            problems.append(FieldProblem("sheet", None, name, "duplicate_column", message, row=1))
        seen.add(name)
    if problems:
        raise InvalidInput(problems[0].message, problems)
    return names


def read_csv(
    raw: bytes, limits: SheetLimits | None = None, stop: Stop | None = None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (sheet row number, cells) of each non-empty row of a CSV file; `stop()`
    is asked every 256 rows whether to give up (`Abandoned`)."""
    reading = _Reading(limits or SheetLimits(), stop)
    text = decode_text(raw)
    _refuse_nul(text)
    try:
        for cells in csv.reader(io.StringIO(text, newline="")):
            reading.add(cells)
    except csv.Error as exc:
        raise InvalidInput(
            f"the CSV file cannot be read: {exc}",
            [FieldProblem("sheet", None, None, "invalid_csv", str(exc))],
        ) from None
    return reading.result()


def read_xlsx(
    raw: bytes, limits: SheetLimits | None = None, stop: Stop | None = None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (sheet row number, cells) of each non-empty row of the first worksheet.

    The zip is checked first (`_check_zip`), then the sheet is streamed row by row; its
    claimed range is checked before the first row is read.
    """
    limits = limits or SheetLimits()
    _check_zip(raw, limits)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (PayloadTooLarge, InvalidInput):
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnsupportedMediaType(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    reading = _Reading(limits, stop)
    try:
        sheet = workbook.worksheets[0]
        _check_claimed_range(sheet, limits)
        # Rows are padded to the widest claimed column otherwise: read them as they are.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell(value) for value in values]
            _refuse_nul_cells(cells, reading.number + 1)
            reading.add(cells)
    except (PayloadTooLarge, InvalidInput, Abandoned):
        raise
    except Exception as exc:  # a sheet part that is not the XML it claims to be
        raise InvalidInput(
            f"the XLSX sheet cannot be read ({type(exc).__name__})",
            [FieldProblem("sheet", None, None, "invalid_xlsx", type(exc).__name__)],
        ) from None
    finally:
        workbook.close()
    return reading.result()


def _check_zip(raw: bytes, limits: SheetLimits) -> None:
    """Refuse a workbook whose directory promises too much, before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedMediaType("not a readable XLSX workbook (not a zip file)") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            message = f"the workbook holds {len(members)} files"
            raise _too_large("import_max_zip_members", limits.max_zip_members, message)
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.max_unpacked_bytes:
            message = f"the workbook unpacks to {unpacked} bytes"
            raise _too_large("import_max_unpacked_bytes", limits.max_unpacked_bytes, message)
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size >= _RATIO_FROM_BYTES and ratio > limits.max_compression_ratio:
                message = f"the workbook part {member.filename} is packed {ratio:.0f} to 1"
                raise _too_large(
                    "import_max_compression_ratio", limits.max_compression_ratio, message
                )
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _refuse_document_type(archive, member)
        strings = next((m for m in members if m.filename.lower() == "xl/sharedstrings.xml"), None)
        if strings is not None:
            _count_shared_strings(archive, strings, limits)


def _refuse_document_type(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """No XLSX part has a DTD: one that does may expand entities (a "billion laughs")."""
    try:
        with archive.open(member) as part:
            prolog = part.read(_PROLOG_BYTES)
    except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, zlib.error):
        raise UnsupportedMediaType("not a readable XLSX workbook (a damaged part)") from None
    if b"<!doctype" in prolog.replace(b"\x00", b"").lower():
        message = f"the workbook part {member.filename} declares a document type"
        raise InvalidInput(
            message, [FieldProblem("sheet", None, None, "xml_document_type", message)]
        )


def _count_shared_strings(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: SheetLimits
) -> None:
    """Refuse more shared strings than the sheet may have cells: openpyxl keeps them all."""
    count = 0
    tail = b""
    try:
        with archive.open(member) as part:
            while chunk := part.read(1024 * 1024):
                window = tail + chunk
                count += window.count(b"<si>") + window.count(b"<si ")
                tail = window[-3:]
                count -= tail.count(b"<si")  # counted again with the next chunk
                if count > limits.max_cells:
                    message = "the workbook has more shared strings than the sheet may have cells"
                    raise _over_limit("import_max_cells", limits.max_cells, message)
    except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, zlib.error):
        raise UnsupportedMediaType("not a readable XLSX workbook (a damaged part)") from None


def _check_claimed_range(sheet: Any, limits: SheetLimits) -> None:
    """Refuse a sheet whose `dimension` claims more rows or columns than the limits."""
    if not sheet.max_row or not sheet.max_column:
        return  # no claim: the rows are counted as they come
    claimed = f"{sheet.min_row}:{sheet.max_row} x {sheet.min_column}:{sheet.max_column}"
    if sheet.max_row > limits.max_rows + 1:
        message = f"the sheet claims {sheet.max_row} rows ({claimed})"
        raise _over_limit("import_max_rows", limits.max_rows, message)
    if sheet.max_column > limits.max_columns:
        message = f"the sheet claims {sheet.max_column} columns ({claimed})"
        raise _over_limit("import_max_columns", limits.max_columns, message)


def _refuse_nul(text: str) -> None:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        message = f"line {line} holds a NUL character, which no field may contain"
        raise InvalidInput(message, [FieldProblem("sheet", None, None, "nul_character", message)])


def _refuse_nul_cells(cells: Sequence[Any], number: int) -> None:
    if any(isinstance(cell, str) and "\x00" in cell for cell in cells):
        message = f"row {number} holds a NUL character, which no field may contain"
        raise InvalidInput(
            message, [FieldProblem("sheet", None, None, "nul_character", message, row=number)]
        )


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date().isoformat()  # a date cell (contracts' dates)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
