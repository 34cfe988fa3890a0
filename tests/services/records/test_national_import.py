"""A national-scale dataset goes in through the API in one all-or-nothing import, and a
second import of the same document changes nothing. (Timings live in the report of
`jet-match import` and benchmarks/bench_demand.py, not here: this checks that the bulk
path holds at scale, contracts in post and their demand included.)"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.generator import ScaleName, generate_scale
from jet_match.statuses import Role
from service_support import MakeKey, auth


@pytest.mark.slow
def test_a_national_dataset_imports_and_reimports_unchanged(
    client: TestClient, make_key: MakeKey
) -> None:
    dataset = generate_scale(ScaleName.NATIONAL, seed=1)
    raw = dataset_to_json(dataset)
    headers = {**auth(make_key(Role.COORDINATOR)), "Content-Type": "application/json"}
    first = client.post("/api/v1/imports", content=raw, headers=headers)
    assert first.status_code == 200, first.text[:2000]
    assert first.json()["participants"]["created"] == len(dataset.participants)
    second = client.post("/api/v1/imports", content=raw, headers=headers)
    assert second.json()["participants"] == {
        "created": 0,
        "updated": 0,
        "unchanged": len(dataset.participants),
    }
    page = client.get("/api/v1/participants?limit=500", headers=headers).json()
    assert len(page["items"]) == 500
    assert page["next_cursor"] is not None
    assert first.json()["contracts"]["created"] == len(dataset.contracts)
    # The generator's ledger leaves exactly each open opening's slots as new places.
    demand = client.get("/api/v1/demand?programme_year=2026", headers=headers).json()
    open_slots = sum(o.slots for o in dataset.openings if o.status == "open")
    assert demand["total"]["new_places"] == open_slots
    assert demand["total"]["reappointing"] == sum(
        c.intention == "reappointing" for c in dataset.contracts
    )
