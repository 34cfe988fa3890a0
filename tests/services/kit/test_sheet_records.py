"""Sheet rows to dataset records: list and partner columns, names kept exactly, blank
given names, numbers in text columns (the sheet's reading: test_spreadsheets.py)."""

from __future__ import annotations

from jet_match.services.kit import sheet_records, spreadsheets


def test_rows_become_dataset_records() -> None:
    header, rows = spreadsheets.read_csv(
        b"external_id,preferred_prefectures,partner.external_id,partner.constraint,sport\n"
        b"P-1, 13 ;27,P-2,same_prefecture,\n"
    )
    records = sheet_records.records_from_rows("participants", header, (row for _, row in rows))
    assert records == [
        {
            "external_id": "P-1",
            "preferred_prefectures": ["13", "27"],
            "partner": {"external_id": "P-2", "constraint": "same_prefecture"},
        }
    ]


def test_a_blank_given_name_is_a_single_name_not_a_missing_one() -> None:
    header, rows = spreadsheets.read_csv(b"external_id,family_name,given_name\nP-1,Suharto,\n")
    records = sheet_records.records_from_rows("participants", header, (row for _, row in rows))
    assert records == [{"external_id": "P-1", "family_name": "Suharto", "given_name": ""}]


def test_names_keep_their_spaces_and_other_cells_are_trimmed() -> None:
    header, rows = spreadsheets.read_csv(
        b"external_id,family_name,given_name,citizenship\n P-1 , Spaced ,'' ,US \n"
    )
    records = sheet_records.records_from_rows("participants", header, (row for _, row in rows))
    assert records == [
        {"external_id": "P-1", "family_name": " Spaced ", "given_name": "' ", "citizenship": "US"}
    ]


def test_numbers_in_text_columns_are_read_as_their_digits() -> None:
    rows = [{"external_id": 20240001, "partner.external_id": 20240002, "alternate_rank": 2}]
    records = sheet_records.records_from_rows("participants", list(rows[0]), rows)
    assert records == [
        {"external_id": "20240001", "partner": {"external_id": "20240002"}, "alternate_rank": 2}
    ]
