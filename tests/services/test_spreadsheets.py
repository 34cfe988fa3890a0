"""Sheet codec details: formula escaping, encodings, list and partner columns."""

from __future__ import annotations

import pytest

from jet_match.errors import UnsupportedMediaType
from jet_match.services import spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+81", "-5", "@A1", "\tx", "\rx"])
def test_formula_starts_are_escaped_and_restored(text: str) -> None:
    escaped = spreadsheets.escape_formula(text)
    assert escaped == "'" + text
    assert spreadsheets.unescape_formula(escaped) == text


def test_ordinary_text_is_left_alone() -> None:
    assert spreadsheets.escape_formula("Sapporo") == "Sapporo"
    assert spreadsheets.unescape_formula("'quoted") == "'quoted"


def test_encodings() -> None:
    assert spreadsheets.decode_text("札幌".encode()) == "札幌"
    assert spreadsheets.decode_text(b"\xef\xbb\xbfabc") == "abc"
    text = "external_id,name_ja\nORG-1,北海道教育委員会\nORG-2,札幌市教育委員会\n"
    assert spreadsheets.decode_text(text.encode("cp932")) == text
    with pytest.raises(UnsupportedMediaType):
        spreadsheets.decode_text(bytes(range(128, 256)) * 4)


def test_participant_columns_flatten_the_partner() -> None:
    columns = spreadsheets.columns("participants")
    assert "partner" not in columns
    assert columns[-2:] == ["partner.external_id", "partner.constraint"]


def test_rows_become_dataset_records() -> None:
    header, rows = spreadsheets.read_csv(
        b"external_id,preferred_prefectures,partner.external_id,partner.constraint,sport\n"
        b"P-1, 13 ;27,P-2,same_prefecture,\n"
    )
    records = spreadsheets.records_from_rows("participants", header, (row for _, row in rows))
    assert records == [
        {
            "external_id": "P-1",
            "preferred_prefectures": ["13", "27"],
            "partner": {"external_id": "P-2", "constraint": "same_prefecture"},
        }
    ]


def test_written_csv_reads_back() -> None:
    record = {
        "external_id": "ORG-1",
        "name": "=evil()",
        "sister_regions": ["US", "US-WA"],
        "medical_access": True,
    }
    raw = spreadsheets.write_csv("organizations", [record])
    header, rows = spreadsheets.read_csv(raw)
    back = spreadsheets.records_from_rows("organizations", header, (row for _, row in rows))
    assert back == [
        {
            "external_id": "ORG-1",
            "name": "=evil()",
            "sister_regions": ["US", "US-WA"],
            "medical_access": "true",
        }
    ]
