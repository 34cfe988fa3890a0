"""Hostile files for the import limits, made on the spot (nothing hostile is committed).

Each builder returns the bytes of a file a careless or malicious client could send; the
tests send them through the API in a child process and measure what it cost.
"""

from __future__ import annotations

import io
import zipfile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
HEADER = ("external_id", "name", "kind", "prefecture", "area_type")

_OPENXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OPENXML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_OPENXML}.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="organizations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, cells: tuple[str, ...], first_column: int = 1) -> str:
    """One `<row>` of inline strings."""
    inner = "".join(
        f'<c r="{_column(first_column + i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(cells)
    )
    return f'<row r="{number}">{inner}</row>'


def _write_package(archive: zipfile.ZipFile) -> None:
    """The parts every workbook has besides its sheet."""
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _ROOT_RELS)
    archive.writestr("xl/workbook.xml", _WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def workbook(sheet_xml: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal XLSX holding one worksheet part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_package(archive)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet(rows: str, dimension: str | None = None) -> bytes:
    """Worksheet XML from row XML, with a claimed `dimension` if given."""
    claimed = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{_SHEET_START}{claimed}<sheetData>{rows}</sheetData></worksheet>".encode()


def organization(number: int) -> tuple[str, ...]:
    """The cells of a valid organization row."""
    return (f"ORG-{number:07d}", f"Town {number}", "municipality", "13", "urban")


def largest_xlsx() -> bytes:
    """A valid sheet of as many organizations as the default limits allow."""
    return valid_xlsx(20_000)


def valid_xlsx(rows: int = 3) -> bytes:
    """An ordinary sheet of organizations."""
    body = row_xml(1, HEADER) + "".join(row_xml(n + 1, organization(n)) for n in range(1, rows + 1))
    return workbook(sheet(body, f"A1:E{rows + 1}"))


def claimed_whole_grid() -> bytes:
    """1.6 KB that claims A1:XFD1048576, with rows only at 1 and 1,048,576."""
    body = row_xml(1, HEADER) + row_xml(1_048_576, organization(1))
    return workbook(sheet(body, "A1:XFD1048576"))


def unclaimed_far_row() -> bytes:
    """No dimension, a header, and one row at 1,048,576 (the gap is read, not trusted)."""
    return workbook(sheet(row_xml(1, HEADER) + row_xml(1_048_576, organization(1))))


def far_column() -> bytes:
    """A row with one cell at column XFD."""
    return workbook(sheet(row_xml(1, HEADER) + row_xml(2, ("x",), first_column=16_384)))


def huge_sheet(target_bytes: int = 110 * 1024 * 1024) -> bytes:
    """A sheet that unpacks to more than 100 MB (millions of rows), a few hundred KB packed."""
    one = row_xml(2, organization(1))
    count = target_bytes // len(one) + 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_package(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f"{_SHEET_START}<sheetData>".encode())
            part.write(row_xml(1, HEADER).encode())
            block = one.encode() * 10_000
            for _ in range(count // 10_000 + 1):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small file with a member that unpacks to 256 MB of zeros beside the sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_package(archive)
        archive.writestr("xl/worksheets/sheet1.xml", sheet(row_xml(1, HEADER)))
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as part:
            zeros = bytes(1024 * 1024)
            for _ in range(256):
                part.write(zeros)
    return out.getvalue()


def many_members(count: int = 5_000) -> bytes:
    """A workbook of thousands of tiny parts."""
    extra = {f"xl/media/part{n}.bin": b"x" for n in range(count)}
    return workbook(sheet(row_xml(1, HEADER)), extra=extra)


def entity_expansion() -> bytes:
    """A sheet with a DTD whose entities expand a billion times ("billion laughs")."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{n} "{("&a" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return workbook(xml.encode())


def deep_xml(depth: int = 100_000) -> bytes:
    """A sheet whose cell text sits under hundreds of thousands of nested elements."""
    rows = row_xml(1, HEADER)
    nested = "<x>" * depth + "deep" + "</x>" * depth
    row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{nested}</t></is></c></row>'
    return workbook(sheet(rows + row, "A1:E2"))


def many_shared_strings(count: int = 1_000_000) -> bytes:
    """A shared-strings part of millions of strings beside a one-row sheet."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{n}</t></si>" for n in range(count))
        + "</sst>"
    )
    return workbook(sheet(row_xml(1, HEADER)), extra={"xl/sharedStrings.xml": strings.encode()})


def csv_of(lines: list[str]) -> bytes:
    """A UTF-8 CSV file."""
    return ("\r\n".join(lines) + "\r\n").encode()


def csv_many_cells(rows: int = 400_000) -> bytes:
    """A CSV of hundreds of thousands of rows (beyond the row and cell limits)."""
    line = ",".join(organization(1))
    return csv_of([",".join(HEADER), *([line] * rows)])
