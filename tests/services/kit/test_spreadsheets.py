"""Sheet codec details: formula escaping, encodings, list and partner columns (what is
written: test_sheet_writing.py; a written CSV read back: below)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from jet_match.errors import UnsupportedMediaType
from jet_match.services.kit import sheet_records, sheet_writing, spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+81", "-5", "@A1", "\tx", "\rx"])
def test_formula_starts_are_escaped_and_restored(text: str) -> None:
    escaped = spreadsheets.escape_formula(text)
    assert escaped == "'" + text
    assert spreadsheets.unescape_formula(escaped) == text


def test_ordinary_text_is_left_alone() -> None:
    assert spreadsheets.escape_formula("Sapporo") == "Sapporo"
    assert spreadsheets.unescape_formula("Sapporo") == "Sapporo"


@pytest.mark.parametrize("text", ["'quoted", "'=1+1", "''", "'"])
def test_text_starting_with_the_mark_itself_is_escaped_and_restored(text: str) -> None:
    escaped = spreadsheets.escape_formula(text)
    assert escaped == "'" + text
    assert spreadsheets.unescape_formula(escaped) == text


def test_encodings() -> None:
    assert spreadsheets.decode_text("札幌".encode()) == "札幌"
    assert spreadsheets.decode_text(b"\xef\xbb\xbfabc") == "abc"
    text = "external_id,name_ja\nORG-1,北海道教育委員会\nORG-2,札幌市教育委員会\n"
    assert spreadsheets.decode_text(text.encode("cp932")) == text
    with pytest.raises(UnsupportedMediaType):
        spreadsheets.decode_text(bytes(range(128, 256)) * 4)


@pytest.mark.parametrize(
    "text",
    [
        "SJ-3,Otaru,小樽市,municipality,1,urban\n",  # one short row: too little to guess from
        "external_id,name_ja\nORG-1,髙橋市①㈱\n",  # characters only cp932 has
        "x,ｶﾌﾞｼｷｶﾞｲｼｬ,iPhone用\n",
    ],
)
def test_shift_jis_is_read_however_short_or_unusual(text: str) -> None:
    assert spreadsheets.decode_text(text.encode("cp932")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("P-4,Renée,Françoise\n", "cp1252"),
        ("P-5,Sørensen,Bjørn\n", "cp1252"),
        ("P-6,Àlex,Ólafsdóttir\n", "cp1252"),
        ("P-2,Łukasz,Dvořák\n", "cp1250"),
    ],
)
def test_a_western_file_is_refused_not_read_as_shift_jis(text: str, encoding: str) -> None:
    # These bytes are valid cp932, but read so they would garble the names.
    with pytest.raises(UnsupportedMediaType) as refused:
        spreadsheets.decode_text(text.encode(encoding))
    assert "save it as UTF-8" in refused.value.detail


def test_participant_columns_flatten_the_partner() -> None:
    columns = spreadsheets.columns("participants")
    assert "partner" not in columns
    assert columns[-2:] == ["partner.external_id", "partner.constraint"]


def test_written_csv_reads_back() -> None:
    record = {
        "external_id": "ORG-1",
        "name": "=evil()",
        "sister_regions": ["US", "US-WA"],
        "medical_access": True,
    }
    raw = sheet_writing.write_csv("organizations", [record])
    header, rows = spreadsheets.read_csv(raw)
    back = sheet_records.records_from_rows("organizations", header, (row for _, row in rows))
    assert back == [
        {
            "external_id": "ORG-1",
            "name": "=evil()",
            "sister_regions": ["US", "US-WA"],
            "medical_access": "true",
        }
    ]


def test_date_cells_of_a_contract_sheet_are_read_as_dates() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["external_id", "started_on", "ends_on", "year_in_programme"])
    sheet.append(["C-1", datetime(2025, 8, 1), datetime(2026, 7, 31), 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, rows = spreadsheets.read_xlsx(buffer.getvalue())
    [record] = sheet_records.records_from_rows("contracts", header, (row for _, row in rows))
    assert record == {
        "external_id": "C-1",
        "started_on": "2025-08-01",
        "ends_on": "2026-07-31",
        "year_in_programme": 2,
    }
