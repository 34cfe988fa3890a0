"""Sheets written (services/kit/sheet_writing.py): CSV with a BOM and escaped formulas,
XLSX tables, and the workbooks meant for people (frozen header, filter, widths for
Japanese text, percentages)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from jet_match.services.kit import sheet_writing


def test_a_table_is_csv_with_a_bom_and_escaped_formulas() -> None:
    raw = sheet_writing.write_table_csv(
        ["name", "count", "flag", "items", "missing"],
        [{"name": "=HYPERLINK(1)", "count": 3, "flag": True, "items": ["a", "b"]}],
    )
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows == [
        ["name", "count", "flag", "items", "missing"],
        ["'=HYPERLINK(1)", "3", "true", "a;b", ""],
    ]


def test_records_of_a_kind_flatten_the_partner() -> None:
    raw = sheet_writing.write_xlsx(
        "participants",
        [{"external_id": "P1", "partner": {"external_id": "P2", "constraint": "same_prefecture"}}],
    )
    sheet = load_workbook(io.BytesIO(raw))["participants"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert row["external_id"] == "P1"
    assert row["partner.external_id"] == "P2"
    assert row["partner.constraint"] == "same_prefecture"


def test_tables_keep_numbers_and_escape_text() -> None:
    raw = sheet_writing.write_tables_xlsx(
        {"plan": (["who", "score", "share"], [{"who": "@x", "score": 12, "share": 0.5}])}
    )
    sheet = load_workbook(io.BytesIO(raw))["plan"]
    assert [cell.value for cell in sheet[2]] == ["'@x", 12, 0.5]


def test_a_report_for_people_is_ready_to_read() -> None:
    raw = sheet_writing.write_report_xlsx(
        [
            sheet_writing.ReportSheet(
                "配置 summary with a title longer than thirty-one characters",
                ["都道府県", "share"],
                [["北海道", 0.25], ["=1", 1.0]],
                percent_columns=frozenset({1}),
            )
        ]
    )
    workbook = load_workbook(io.BytesIO(raw))
    (sheet,) = workbook.worksheets
    assert len(sheet.title) == 31
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet["B2"].number_format == "0.0%"
    assert sheet["A3"].value == "'=1"
    # A Japanese character is about two columns wide: 都道府県 needs 8 + 2.
    assert sheet.column_dimensions["A"].width == 10
