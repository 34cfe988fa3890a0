"""Contracts over HTTP: the ledger's create/read/change with ETags, If-Match and
Idempotency-Key, strict bodies, problems that name the field, and hosts' intentions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from season_support import add_contracts, contract
from service_support import Keys, auth

C = "/api/v1/contracts"


@pytest.fixture
def ledger(keys: Keys, engine: Engine) -> Keys:
    add_contracts(engine)
    return keys


def _post(client: TestClient, keys: Keys, body: Any, **headers: str) -> Any:
    return client.post(C, json=body, headers={**auth(keys.coordinator), **headers})


def test_a_contract_is_created_read_and_changed_with_its_etag(
    client: TestClient, keys: Keys
) -> None:
    body = contract("C-1", "ORG-A", "OPN-A1", japanese_level="N3")
    created = _post(client, keys, body)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{C}/C-1"
    assert created.json()["intention"] == "undecided"
    assert created.json()["intention_set_on"] is None
    read = client.get(f"{C}/C-1", headers=auth(keys.coordinator))
    assert read.json() == created.json()
    etag = read.headers["ETag"]
    changed = client.patch(
        f"{C}/C-1",
        json={"intention": "reappointing"},
        headers={**auth(keys.host_own), "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["intention"] == "reappointing"
    assert changed.json()["intention_set_on"] is not None
    assert changed.headers["ETag"] != etag
    stale = client.patch(
        f"{C}/C-1",
        json={"intention": "leaving"},
        headers={**auth(keys.coordinator), "If-Match": etag},
    )
    assert stale.status_code == 412


def test_a_change_without_if_match_is_refused(client: TestClient, ledger: Keys) -> None:
    answer = client.patch(
        f"{C}/C-A1", json={"intention": "leaving"}, headers=auth(ledger.coordinator)
    )
    assert answer.status_code == 428


def test_a_retried_create_with_the_same_key_is_answered_once(
    client: TestClient, keys: Keys
) -> None:
    body = contract("C-1", "ORG-A", "OPN-A1")
    first = _post(client, keys, body, **{"Idempotency-Key": "k-1"})
    again = _post(client, keys, body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _post(client, keys, body).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"year_in_programme": "2"}, "year_in_programme"),
        ({"year_in_programme": 6}, "year_in_programme"),
        ({"intention": "maybe"}, "intention"),
        ({"started_on": "2025-13-01"}, "started_on"),
        ({"organization": "ORG-NONE"}, "organization"),
        ({"ends_on": "2024-07-31"}, "ends_on"),
    ],
)
def test_a_bad_contract_is_refused_naming_the_field(
    client: TestClient, keys: Keys, change: dict[str, Any], field: str
) -> None:
    answer = _post(client, keys, {**contract("C-1", "ORG-A", "OPN-A1"), **change})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in {str(problem["field"]).split(".")[-1] for problem in answer.json()["errors"]}
    assert client.get(f"{C}/C-1", headers=auth(keys.coordinator)).status_code == 404


def test_unknown_fields_are_refused(client: TestClient, keys: Keys) -> None:
    body = {**contract("C-1", "ORG-A", "OPN-A1"), "salary": 1}
    assert _post(client, keys, body).status_code == 422


def test_a_host_sets_only_intentions_of_its_own_contracts(client: TestClient, ledger: Keys) -> None:
    own = {**auth(ledger.host_own), "If-Match": "*"}
    assert client.patch(f"{C}/C-A1", json={"family_name": "X"}, headers=own).status_code == 403
    other = {**auth(ledger.host_other), "If-Match": "*"}
    answer = client.patch(f"{C}/C-A1", json={"intention": "leaving"}, headers=other)
    assert answer.status_code == 404
    listed = client.get(C, headers=auth(ledger.host_other)).json()
    assert [item["external_id"] for item in listed["items"]] == ["C-B1"]


def test_the_list_pages_and_filters(client: TestClient, ledger: Keys) -> None:
    first = client.get(C, params={"limit": 2}, headers=auth(ledger.coordinator)).json()
    assert [item["external_id"] for item in first["items"]] == ["C-A1", "C-A2"]
    rest = client.get(
        C, params={"limit": 2, "cursor": first["next_cursor"]}, headers=auth(ledger.coordinator)
    ).json()
    assert [item["external_id"] for item in rest["items"]] == ["C-A3", "C-B1"]
    leaving = client.get(C, params={"intention": "leaving"}, headers=auth(ledger.coordinator))
    assert [item["external_id"] for item in leaving.json()["items"]] == ["C-B1"]
    typo = client.get(C, params={"intentions": "leaving"}, headers=auth(ledger.coordinator))
    assert typo.status_code == 422
