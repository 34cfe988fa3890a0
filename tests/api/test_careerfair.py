"""The career fair over HTTP: a tool with only a career_fair key lists a fair's roster in
every format with the listed fields and nothing else, and a withdrawal is gone from the
next sync."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from jet_match.schemas.careerfair import ROSTER_FIELDS, ROSTER_HEADINGS
from season_support import add_contracts, contract
from service_support import Keys, auth

FAIR = "/api/v1/fairs/FAIR-2027"


@pytest.fixture
def roster_ready(client: TestClient, keys: Keys, engine: Engine) -> None:
    """A 2027 fair; two leaving JETs registered with consent (set up over HTTP)."""
    add_contracts(
        engine,
        contract(
            "C-1",
            "ORG-A",
            "OPN-A1",
            intention="leaving",
            ends_on="2027-07-31",
            field_of_study="History",
            citizenship="GB",
        ),
        contract("C-2", "ORG-B", "OPN-B1", intention="leaving", ends_on="2027-07-31"),
    )
    coordinator = auth(keys.coordinator)
    created = client.post(
        "/api/v1/fairs",
        headers=coordinator,
        json={
            "external_id": "FAIR-2027",
            "name": "Tokyo",
            "held_on": "2027-02-20",
            "online": True,
            "capacity": 50,
        },
    )
    assert created.status_code == 201
    for contract_id in ("C-1", "C-2"):
        consent = client.put(
            f"/api/v1/consents/{contract_id}",
            headers=coordinator,
            json={"given_on": "2027-01-10", "scope": "named_fairs", "fairs": ["FAIR-2027"]},
        )
        assert consent.status_code == 201
        registered = client.post(
            f"{FAIR}/registrations", headers=coordinator, json={"contract": contract_id}
        )
        assert registered.status_code == 201


@pytest.mark.usefixtures("roster_ready")
def test_no_field_outside_the_list_appears_in_any_format(client: TestClient, keys: Keys) -> None:
    fair = auth(keys.career_fair)
    listed = client.get(f"{FAIR}/roster", headers=fair)
    assert listed.status_code == 200
    body = listed.json()
    assert set(body) == {"fair", "items"}
    assert [tuple(item) for item in body["items"]] == [ROSTER_FIELDS, ROSTER_FIELDS]
    assert "GB" not in listed.text
    assert "example.org" not in listed.text
    sheet = client.get(f"{FAIR}/roster?format=csv", headers=fair)
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == ROSTER_FIELDS
    assert len(rows) == 3
    assert "GB" not in sheet.text
    workbook = load_workbook(
        io.BytesIO(client.get(f"{FAIR}/roster?format=xlsx", headers=fair).content)
    )
    assert workbook.sheetnames == ["roster"]
    cells = list(workbook["roster"].iter_rows(values_only=True))
    assert tuple(cells[0]) == ROSTER_FIELDS
    assert len(cells) == 3
    assert all("GB" not in [str(v) for v in row] for row in cells)
    japanese = client.get(f"{FAIR}/roster?format=xlsx&language=ja", headers=fair)
    headed = list(load_workbook(io.BytesIO(japanese.content))["roster"].iter_rows(values_only=True))
    assert headed[0] == ROSTER_HEADINGS["ja"]
    assert [row[1:] for row in headed[1:]] == [row[1:] for row in cells[1:]]
    synced = client.get(f"{FAIR}/roster/changes", headers=fair).json()
    assert all(set(item) == {*ROSTER_FIELDS, "entry"} for item in synced["added"])


@pytest.mark.usefixtures("roster_ready")
def test_a_withdrawal_is_reported_removed_by_the_next_sync(client: TestClient, keys: Keys) -> None:
    fair = auth(keys.career_fair)
    first = client.get(f"{FAIR}/roster/changes", headers=fair).json()
    assert len(first["added"]) == 2
    gone = next(i["entry"] for i in first["added"] if i["field_of_study"] == "History")
    withdrawn = client.delete("/api/v1/consents/C-1", headers=auth(keys.coordinator))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False
    later = client.get(
        f"{FAIR}/roster/changes", params={"updated_since": first["as_of"]}, headers=fair
    ).json()
    assert later["removed"] == [gone]
    assert later["added"] == later["changed"] == []
    assert len(client.get(f"{FAIR}/roster", headers=fair).json()["items"]) == 1
    refused = client.delete("/api/v1/consents/C-1", headers=fair)
    assert refused.status_code == 403


def test_fair_and_prospect_bodies_are_strict(client: TestClient, keys: Keys) -> None:
    coordinator = auth(keys.coordinator)
    fair = {"external_id": "FAIR-X", "name": "X", "held_on": "2027-02-20", "capacity": 5}
    loose = client.post("/api/v1/fairs", headers=coordinator, json={**fair, "capacity": "5"})
    assert loose.status_code == 422
    assert loose.json()["errors"][0]["field"] == "capacity"
    no_such_day = client.post(
        "/api/v1/fairs", headers=coordinator, json={**fair, "held_on": "2027-02-30"}
    )
    assert no_such_day.status_code == 422
    extra = client.post("/api/v1/fairs", headers=coordinator, json={**fair, "secret": 1})
    assert extra.status_code == 422
    prospect = {
        "external_id": "PRO-X",
        "name": "X",
        "prefecture": True,
        "kind": "municipality",
        "area_type": "rural",
    }
    refused = client.post("/api/v1/prospects", headers=coordinator, json=prospect)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "prefecture"
    assert client.post("/api/v1/fairs", headers=coordinator, json=fair).status_code == 201
