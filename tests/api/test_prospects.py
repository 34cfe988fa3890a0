"""Prospects over HTTP: sheets in and out (all or nothing, problems by row and field),
the contact log and conversion with If-Match."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service_support import Keys, auth

HEADER = "external_id,name,name_ja,prefecture,kind,area_type,stage,next_action_on"


def _import(client: TestClient, keys: Keys, rows: list[str]) -> Any:
    body = "\n".join([HEADER, *rows]) + "\n"
    return client.post(
        "/api/v1/development/prospects-sheet",
        headers=auth(keys.coordinator) | {"Content-Type": "text/csv"},
        content=body.encode(),
    )


def test_a_sheet_is_all_or_nothing_and_names_the_row_and_field(
    client: TestClient, keys: Keys
) -> None:
    bad = _import(
        client,
        keys,
        [
            "PRO-1,Kurume City,久留米市,40,municipality,semi_urban,identified,2027-01-15",
            "PRO-2,Nowhere,,48,municipality,rural,identified,",
            "PRO-3,Hosting already,,40,municipality,rural,hosting,",
        ],
    )
    assert bad.status_code == 422
    problems = bad.json()["errors"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "prefecture"), (4, "stage")]
    listed = client.get("/api/v1/prospects", headers=auth(keys.coordinator)).json()
    assert listed["items"] == []
    good = _import(
        client,
        keys,
        [
            "PRO-1,Kurume City,久留米市,40,municipality,semi_urban,identified,2027-01-15",
            "PRO-2,Itoshima City,糸島市,40,municipality,rural,contacted,",
        ],
    )
    assert good.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = _import(
        client,
        keys,
        [
            "PRO-1,Kurume City,久留米市,40,municipality,semi_urban,interested,2027-01-15",
            "PRO-2,Itoshima City,糸島市,40,municipality,rural,contacted,",
        ],
    )
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 1}
    exported = client.get(
        "/api/v1/development/prospects-sheet?format=xlsx", headers=auth(keys.coordinator)
    )
    rows = list(
        load_workbook(io.BytesIO(exported.content))["prospects"].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("external_id", "name", "name_ja")
    assert [(r[0], r[2]) for r in rows[1:]] == [("PRO-1", "久留米市"), ("PRO-2", "糸島市")]
    report = client.get("/api/v1/development/pipeline", headers=auth(keys.coordinator)).json()
    assert report["by_stage"]["interested"] == 1
    assert report["by_stage"]["contacted"] == 1


def test_conversion_needs_if_match_and_an_agreed_prospect(client: TestClient, keys: Keys) -> None:
    coordinator = auth(keys.coordinator)
    created = client.post(
        "/api/v1/prospects",
        headers=coordinator,
        json={
            "external_id": "PRO-NIKKO",
            "name": "Nikko City",
            "prefecture": 9,
            "kind": "municipality",
            "area_type": "rural",
        },
    )
    assert created.status_code == 201
    body = {
        "organization": "ORG-NIKKO",
        "openings": [
            {"external_id": "OPN-NIKKO", "position": "ALT", "slots": 1, "school_level": "mixed"}
        ],
    }
    url = "/api/v1/prospects/PRO-NIKKO/convert"
    assert client.post(url, headers=coordinator, json=body).status_code == 428
    refused = client.post(
        url, headers=coordinator | {"If-Match": created.headers["ETag"]}, json=body
    )
    assert refused.status_code == 409  # still identified
    assert client.get("/api/v1/organizations/ORG-NIKKO", headers=coordinator).status_code == 404
