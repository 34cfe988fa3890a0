"""Prefecture scope (取りまとめ): a prefecture's host key or user reads the contracts,
openings, demand and published placements of every organization in its prefecture, changes
only its own, and sees nothing outside its prefecture.

ORG-A is the Hokkaido prefecture (kind `prefecture`, code 1); the tests add ORG-C, a
Hokkaido municipality with opening OPN-C1 and contract C-C1; ORG-B is in Tokyo.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import InvalidInput
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import openings, organizations
from jet_match.services.security import accounts
from jet_match.statuses import Role
from round_support import published_round
from season_support import add_contracts, contract
from service_support import Keys, MakeKey, auth


@pytest.fixture
def hokkaido(keys: Keys, engine: Engine) -> Keys:
    with Session(engine) as session:
        organizations.create_organization(
            session=session,
            caller=COMMAND_LINE,
            organization_in=fmt.Organization(
                external_id="ORG-C",
                name="Otaru City",
                kind=fmt.OrganizationKind.MUNICIPALITY,
                prefecture=1,
                area_type=fmt.AreaType.URBAN,
            ),
        )
    with Session(engine) as session:
        openings.create_opening(
            session=session,
            caller=COMMAND_LINE,
            opening_in=fmt.Opening(
                external_id="OPN-C1",
                organization="ORG-C",
                position=fmt.Position.ALT,
                slots=1,
                school_level=fmt.SchoolLevel.ELEMENTARY,
            ),
        )
    add_contracts(engine)
    add_contracts(engine, contract("C-C1", "ORG-C", "OPN-C1"))
    return keys


@pytest.fixture
def scoped(hokkaido: Keys, make_key: MakeKey, client: TestClient) -> dict[str, str]:
    created = client.post(
        "/api/v1/api-keys",
        json={
            "role": "host_org",
            "organization": "ORG-A",
            "name": "pref",
            "prefecture_scope": True,
        },
        headers=auth(hokkaido.coordinator),
    )
    assert created.status_code == 201, created.text
    assert created.json()["prefecture_scope"] is True
    return auth(created.json()["key"])


def _ids(answer: Any, key: str = "external_id") -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item[key] for item in answer.json()["items"]]


def test_a_prefecture_key_reads_its_prefectures_records_and_nothing_outside(
    client: TestClient, scoped: dict[str, str]
) -> None:
    assert _ids(client.get("/api/v1/contracts", headers=scoped)) == [
        "C-A1",
        "C-A2",
        "C-A3",
        "C-C1",
    ]
    assert client.get("/api/v1/contracts/C-C1", headers=scoped).status_code == 200
    assert client.get("/api/v1/contracts/C-B1", headers=scoped).status_code == 404
    assert _ids(client.get("/api/v1/openings", headers=scoped)) == ["OPN-A1", "OPN-A2", "OPN-C1"]
    assert client.get("/api/v1/openings/OPN-C1", headers=scoped).status_code == 200
    assert client.get("/api/v1/openings/OPN-B1", headers=scoped).status_code == 404
    found = client.get("/api/v1/demand", params={"programme_year": 2026}, headers=scoped).json()
    assert [line["organization"] for line in found["organizations"]] == ["ORG-A", "ORG-C"]


def test_a_prefecture_key_changes_only_its_own_records(
    client: TestClient, scoped: dict[str, str]
) -> None:
    write = {**scoped, "If-Match": "*"}
    answer = client.patch("/api/v1/contracts/C-C1", json={"intention": "leaving"}, headers=write)
    assert answer.status_code == 404
    assert (
        client.patch("/api/v1/openings/OPN-C1", json={"slots": 2}, headers=write).status_code == 404
    )
    assert client.delete("/api/v1/openings/OPN-C1", headers=write).status_code == 404
    own = client.patch("/api/v1/contracts/C-A1", json={"intention": "leaving"}, headers=write)
    assert own.status_code == 200, own.text


def test_a_key_without_the_scope_reads_its_own_organization_only(
    client: TestClient, hokkaido: Keys
) -> None:
    assert _ids(client.get("/api/v1/contracts", headers=auth(hokkaido.host_own))) == [
        "C-A1",
        "C-A2",
        "C-A3",
    ]
    assert client.get("/api/v1/openings/OPN-C1", headers=auth(hokkaido.host_own)).status_code == 404


def test_published_placements_of_the_prefecture_are_readable(
    client: TestClient,
    scoped: dict[str, str],
    hokkaido: Keys,
    engine: Engine,
    settings: Settings,
) -> None:
    published_round(engine, settings)
    everyone: list[str] = []
    for organization in ("ORG-A", "ORG-C"):
        url = f"/api/v1/organizations/{organization}/placements"
        seen = _ids(client.get(url, headers=scoped), "participant")
        assert seen == _ids(client.get(url, headers=auth(hokkaido.coordinator)), "participant")
        everyone += seen
    assert len(everyone) == 4  # the CIR, the couple (same prefecture) and one more ALT
    outside = client.get("/api/v1/organizations/ORG-B/placements", headers=scoped)
    assert outside.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"role": "host_org", "organization": "ORG-B", "name": "city", "prefecture_scope": True},
        {"role": "career_fair", "name": "fair", "prefecture_scope": True},
    ],
)
def test_only_a_prefectures_host_key_gets_the_scope(
    client: TestClient, hokkaido: Keys, body: dict[str, Any]
) -> None:
    answer = client.post("/api/v1/api-keys", json=body, headers=auth(hokkaido.coordinator))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "prefecture_scope"


def test_a_prefecture_user_acts_with_the_scope(engine: Engine, hokkaido: Keys) -> None:
    with Session(engine) as session:
        created = accounts.create_user(
            session=session,
            caller=COMMAND_LINE,
            email="pref@example.org",
            role=Role.HOST_ORG,
            organization="ORG-A",
            prefecture_scope=True,
        )
    assert accounts.caller_of(created.user).prefecture == 1
    with Session(engine) as session, pytest.raises(InvalidInput):
        accounts.create_user(
            session=session,
            caller=COMMAND_LINE,
            email="city@example.org",
            role=Role.HOST_ORG,
            organization="ORG-B",
            prefecture_scope=True,
        )
