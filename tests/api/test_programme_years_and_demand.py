"""Programme years and the demand over HTTP: ETags and If-Match, the dry run, strict
bodies and query parameters, and the deadline hosts meet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match import models
from season_support import add_contracts
from service_support import Keys, auth

D = "/api/v1/demand"
Y = "/api/v1/programme-years/2026"


@pytest.fixture
def ledger(keys: Keys, engine: Engine) -> Keys:
    add_contracts(engine)
    return keys


def test_demand_is_read_previewed_and_applied_with_its_etag(
    client: TestClient, ledger: Keys
) -> None:
    coordinator = auth(ledger.coordinator)
    read = client.get(D, params={"programme_year": 2026}, headers=coordinator)
    assert read.status_code == 200, read.text
    assert read.json()["total"]["new_places"] == 1
    etag = read.headers["ETag"]
    preview = client.post(
        f"{D}/apply", params={"programme_year": 2026, "dry_run": "true"}, headers=coordinator
    )
    assert preview.status_code == 200, preview.text
    assert [c["opening"] for c in preview.json()["changes"]] == ["OPN-A1", "OPN-A2"]
    assert (
        client.get(D, params={"programme_year": 2026}, headers=coordinator).headers["ETag"] == etag
    )
    missing = client.post(f"{D}/apply", params={"programme_year": 2026}, headers=coordinator)
    assert missing.status_code == 428
    stale = client.post(
        f"{D}/apply",
        params={"programme_year": 2026},
        headers={**coordinator, "If-Match": '"d-0"'},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    applied = client.post(
        f"{D}/apply", params={"programme_year": 2026}, headers={**coordinator, "If-Match": etag}
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["changes"] == preview.json()["changes"]
    assert applied.headers["ETag"] != etag
    opening = client.get("/api/v1/openings/OPN-A2", headers=coordinator).json()
    assert (opening["status"], opening["posts"]) == ("cancelled", 1)


def test_the_demand_needs_a_year_and_refuses_unknown_parameters(
    client: TestClient, ledger: Keys
) -> None:
    coordinator = auth(ledger.coordinator)
    assert client.get(D, headers=coordinator).status_code == 422
    assert client.get(D, params={"programme_year": "x"}, headers=coordinator).status_code == 422
    typo = client.get(D, params={"programme_year": 2026, "year": 1}, headers=coordinator)
    assert typo.status_code == 422


def test_a_host_reads_only_its_own_lines(client: TestClient, ledger: Keys) -> None:
    own = client.get(D, params={"programme_year": 2026}, headers=auth(ledger.host_other)).json()
    assert [line["opening"] for line in own["openings"]] == ["OPN-B1"]
    assert [line["organization"] for line in own["organizations"]] == ["ORG-B"]


def test_a_year_is_set_whole_with_if_match_and_strict_types(
    client: TestClient, ledger: Keys
) -> None:
    coordinator = auth(ledger.coordinator)
    first = client.get(Y, headers=auth(ledger.host_own))
    assert (first.status_code, first.headers["ETag"]) == (200, '"0"')
    loose = client.put(
        Y, json={"undecided_as_leaving": "yes"}, headers={**coordinator, "If-Match": '"0"'}
    )
    assert loose.status_code == 422
    unknown = client.put(Y, json={"deadline": None}, headers={**coordinator, "If-Match": '"0"'})
    assert unknown.status_code == 422
    deadline = (models.utcnow() - timedelta(hours=1)).isoformat()
    put = client.put(
        Y, json={"intention_deadline": deadline}, headers={**coordinator, "If-Match": '"0"'}
    )
    assert put.status_code == 200, put.text
    assert put.json()["deadline_passed"] is True
    assert put.headers["ETag"] == '"1"'
    late = client.patch(
        "/api/v1/contracts/C-A1",
        json={"intention": "leaving"},
        headers={**auth(ledger.host_own), "If-Match": "*"},
    )
    assert late.status_code == 403
    assert "deadline" in late.json()["detail"]
    assert client.get("/api/v1/programme-years/1900", headers=coordinator).status_code == 422
