"""External ids that differ only in case cannot both exist (organizations, openings,
participants, rounds): imports refuse them with a 422 naming both records, creates with a
409 naming both, and the database's unique index on lower(external_id) backs both up.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.testclient import TestClient

from jet_match.dataset import format as fmt
from service_support import Keys, auth

ORGANIZATION = {
    "external_id": "org-a",
    "name": "Lower-case twin",
    "kind": "municipality",
    "prefecture": 2,
    "area_type": "rural",
}


def _import(client: TestClient, key: str, **parts: Any) -> Any:
    body = {"format": fmt.FORMAT, **parts}
    return client.post(
        "/api/v1/imports",
        content=orjson.dumps(body),
        headers={**auth(key), "Content-Type": "application/json"},
    )


def _organization_ids(client: TestClient, key: str) -> list[str]:
    answer = client.get("/api/v1/organizations", headers=auth(key))
    return [item["external_id"] for item in answer.json()["items"]]


class TestImports:
    def test_an_id_differing_from_a_stored_one_only_in_case_is_refused_naming_both(
        self, client: TestClient, keys: Keys
    ) -> None:
        before = _organization_ids(client, keys.coordinator)
        new = {**ORGANIZATION, "external_id": "ORG-NEW"}
        answer = _import(client, keys.coordinator, organizations=[new, ORGANIZATION])
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["errors"]
        assert problem["record"] == "organization"
        assert problem["external_id"] == "org-a"
        assert problem["field"] == "external_id"
        assert problem["code"] == "case_duplicate"
        assert "'org-a'" in problem["message"]
        assert "'ORG-A'" in problem["message"]
        assert problem["index"] == 1
        assert _organization_ids(client, keys.coordinator) == before  # nothing written

    def test_two_ids_of_one_import_differing_only_in_case_are_refused(
        self, client: TestClient, keys: Keys
    ) -> None:
        opening = {
            "external_id": "OPN-CASE",
            "organization": "ORG-A",
            "position": "ALT",
            "slots": 1,
            "school_level": "mixed",
        }
        twin = {**opening, "external_id": "opn-Case"}
        answer = _import(client, keys.coordinator, openings=[opening, twin])
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["errors"]
        assert (problem["record"], problem["external_id"]) == ("opening", "opn-Case")
        assert "'OPN-CASE'" in problem["message"]
        assert "in this import" in problem["message"]

    def test_a_sheet_names_the_row_of_the_clash(self, client: TestClient, keys: Keys) -> None:
        sheet = (
            "external_id,name,kind,prefecture,area_type\n"
            "ORG-SHEET,Town,municipality,3,rural\n"
            "Org-B,Twin,municipality,3,rural\n"
        )
        answer = client.post(
            "/api/v1/imports/organizations",
            content=sheet.encode(),
            headers={**auth(keys.coordinator), "Content-Type": "text/csv"},
        )
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["errors"]
        assert (problem["external_id"], problem["row"]) == ("Org-B", 3)
        assert "'ORG-B'" in problem["message"]

    def test_the_same_id_in_the_same_case_still_updates(
        self, client: TestClient, keys: Keys
    ) -> None:
        same = {**ORGANIZATION, "external_id": "ORG-B", "name": "Shinjuku Ward"}
        answer = _import(client, keys.coordinator, organizations=[same])
        assert answer.status_code == 200, answer.text
        assert answer.json()["organizations"]["updated"] == 1


class TestCreates:
    def test_an_organization_differing_only_in_case_is_a_409_naming_both(
        self, client: TestClient, keys: Keys
    ) -> None:
        answer = client.post(
            "/api/v1/organizations", json=ORGANIZATION, headers=auth(keys.coordinator)
        )
        assert answer.status_code == 409, answer.text
        assert "'org-a'" in answer.json()["detail"]
        assert "'ORG-A'" in answer.json()["detail"]

    def test_a_participant_differing_only_in_case_is_a_409(
        self, client: TestClient, keys: Keys
    ) -> None:
        person = client.get("/api/v1/participants/P-1", headers=auth(keys.coordinator)).json()
        body = {
            k: v
            for k, v in person.items()
            if k in fmt.Participant.model_fields and k not in ("partner",)
        }
        answer = client.post(
            "/api/v1/participants",
            json={**body, "external_id": "p-1"},
            headers=auth(keys.coordinator),
        )
        assert answer.status_code == 409, answer.text
        assert "'P-1'" in answer.json()["detail"]

    def test_an_opening_differing_only_in_case_is_a_409(
        self, client: TestClient, keys: Keys
    ) -> None:
        opening = {
            "external_id": "opn-a1",
            "organization": "ORG-A",
            "position": "ALT",
            "slots": 1,
            "school_level": "mixed",
        }
        answer = client.post("/api/v1/openings", json=opening, headers=auth(keys.coordinator))
        assert answer.status_code == 409, answer.text
        assert "'OPN-A1'" in answer.json()["detail"]
        host = client.post("/api/v1/openings", json=opening, headers=auth(keys.host_own))
        assert host.status_code == 409
        assert "OPN-A1" not in host.json()["detail"]  # whose id it is stays unsaid

    def test_a_round_differing_only_in_case_is_a_409(self, client: TestClient, keys: Keys) -> None:
        body = {"external_id": "R-CASE", "name": "Case", "programme_year": 2026}
        first = client.post("/api/v1/rounds", json=body, headers=auth(keys.coordinator))
        assert first.status_code == 201, first.text
        twin = client.post(
            "/api/v1/rounds",
            json={**body, "external_id": "r-case"},
            headers=auth(keys.coordinator),
        )
        assert twin.status_code == 409, twin.text
        assert "'R-CASE'" in twin.json()["detail"]
