"""Small hand-built datasets for the dataset tests: a valid base and ways to load it."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from jet_match.dataset.validation import DatasetInvalid, DatasetIssue, parse_dataset

FORMAT = "jet-match/dataset@1"


def organization(external_id: str, prefecture: int, **fields: Any) -> dict[str, Any]:
    """A municipality with medical access, urban."""
    return {
        "external_id": external_id,
        "name": f"{external_id} City",
        "kind": "municipality",
        "prefecture": prefecture,
        "area_type": "urban",
        "medical_access": True,
        **fields,
    }


def opening(external_id: str, organization_id: str, **fields: Any) -> dict[str, Any]:
    """An open one-slot ALT opening at mixed schools unless told otherwise."""
    return {
        "external_id": external_id,
        "organization": organization_id,
        "position": "ALT",
        "slots": 1,
        "school_level": "mixed",
        **fields,
    }


def participant(external_id: str, **fields: Any) -> dict[str, Any]:
    """A shortlisted ALT from the US unless told otherwise."""
    return {
        "external_id": external_id,
        "family_name": "Nguyễn",
        "given_name": "Zoë",
        "email": f"{external_id.lower()}@example.org",
        "citizenship": "US",
        "position": "ALT",
        **fields,
    }


def valid_dataset() -> dict[str, Any]:
    """A small valid dataset with every kind of record; tests break one rule at a time."""
    return copy.deepcopy(
        {
            "format": FORMAT,
            "organizations": [
                organization("ORG-1", 13, sister_regions=["US-WA"]),
                organization("ORG-2", 27),
            ],
            "openings": [
                opening("OP-1", "ORG-1"),
                opening("OP-2", "ORG-2", slots=2, requested_countries=["US"]),
                opening(
                    "OP-CIR",
                    "ORG-1",
                    position="CIR",
                    school_level="office",
                    min_japanese_level="N2",
                ),
                opening("OP-SEA", "ORG-2", position="SEA", school_level="office", sport="rugby"),
            ],
            "participants": [
                participant("P-1", preferred_prefectures=[13, 27], home_region="US-WA"),
                participant("P-2", citizenship="IE", family_name="O'Connor", given_name="Seán"),
                participant("P-CIR", position="CIR", japanese_level="N1", citizenship="KR"),
                participant("P-SEA", position="SEA", sport="rugby", citizenship="NZ"),
                participant("P-ALT-1", status="alternate", alternate_rank=1),
                participant("P-GONE", status="withdrawn"),
            ],
            "contracts": [
                contract("C-1", "ORG-2", "OP-2", intention="reappointing"),
                contract("C-2", "ORG-1", "OP-CIR", position="CIR", citizenship="KR"),
            ],
            "pins": [{"participant": "P-1", "opening": "OP-1"}],
            "forbidden": [{"participant": "P-2", "opening": "OP-1"}],
            "previous_plan": [{"participant": "P-2", "opening": "OP-2"}],
        }
    )


def contract(
    external_id: str, organization_id: str, opening_id: str, **fields: Any
) -> dict[str, Any]:
    """A second-year ALT from the US in post until the end of July 2026, undecided."""
    return {
        "external_id": external_id,
        "family_name": "Okafor",
        "given_name": "Ada",
        "citizenship": "US",
        "position": "ALT",
        "organization": organization_id,
        "opening": opening_id,
        "started_on": "2025-08-01",
        "ends_on": "2026-07-31",
        "year_in_programme": 2,
        **fields,
    }


def issues_of(data: Any) -> list[DatasetIssue]:
    """Every issue `parse_dataset` reports for `data` (empty when it is valid)."""
    raw = data if isinstance(data, bytes) else orjson.dumps(data)
    try:
        parse_dataset(raw)
    except DatasetInvalid as invalid:
        return invalid.issues
    return []


def record(data: dict[str, Any], list_name: str, external_id: str) -> dict[str, Any]:
    """The record of `list_name` with this external_id (to edit it in place)."""
    found: dict[str, Any] = next(r for r in data[list_name] if r["external_id"] == external_id)
    return found
