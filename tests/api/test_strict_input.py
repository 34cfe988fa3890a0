"""Strict input: exact JSON types on writes, UTF-8 bodies that say what they are, no NUL,
one Authorization header, ids and cursors within the id columns' range; the same answers
on SQLite and PostgreSQL (this module runs in both passes)."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from round_support import solved_round
from service_support import Keys, auth

OPENING = {
    "external_id": "OPN-STRICT-1",
    "organization": "ORG-A",
    "position": "ALT",
    "slots": 1,
    "school_level": "mixed",
    "min_japanese_level": "none",
}


def _post(client: TestClient, key: str, body: Any, content_type: str | None = None) -> Any:
    headers = {**auth(key)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post("/api/v1/openings", content=raw, headers=headers)


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"k": key})).decode().rstrip("=")


class TestExactTypes:
    @pytest.mark.parametrize("slots", [True, "1", 1.5])
    def test_slots_must_be_a_json_integer(
        self, client: TestClient, keys: Keys, slots: object
    ) -> None:
        answer = _post(client, keys.coordinator, {**OPENING, "slots": slots}, "application/json")
        assert answer.status_code == 422
        assert [problem["field"] for problem in answer.json()["errors"]] == ["slots"]

    def test_a_boolean_must_be_a_json_boolean(self, client: TestClient, keys: Keys) -> None:
        answer = _post(
            client, keys.coordinator, {**OPENING, "driving_required": 1}, "application/json"
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "driving_required"

    def test_exact_types_are_accepted(self, client: TestClient, keys: Keys) -> None:
        answer = _post(client, keys.coordinator, OPENING, "application/json")
        assert answer.status_code == 201, answer.text
        assert answer.json()["slots"] == 1


class TestBodies:
    def test_a_missing_content_type_is_415(self, client: TestClient, keys: Keys) -> None:
        answer = _post(client, keys.coordinator, OPENING, None)
        assert answer.status_code == 415

    def test_a_utf16_body_is_415(self, client: TestClient, keys: Keys) -> None:
        raw = orjson.dumps(OPENING).decode().encode("utf-16")
        answer = _post(client, keys.coordinator, raw, "application/json")
        assert answer.status_code == 415

    def test_another_charset_is_415(self, client: TestClient, keys: Keys) -> None:
        answer = _post(client, keys.coordinator, OPENING, "application/json; charset=latin-1")
        assert answer.status_code == 415

    def test_a_nul_character_is_422_naming_the_field(self, client: TestClient, keys: Keys) -> None:
        answer = _post(
            client, keys.coordinator, {**OPENING, "external_id": "OPN-X\x00"}, "application/json"
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "external_id"

    def test_a_nul_in_a_round_name_is_422(self, client: TestClient, keys: Keys) -> None:
        answer = client.post(
            "/api/v1/rounds",
            content=orjson.dumps({"external_id": "R-NUL", "name": "Main\x00"}),
            headers={**auth(keys.coordinator), "Content-Type": "application/json"},
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["code"] == "nul_character"


DATASET_OPENING = {**OPENING, "external_id": "OPN-DATASET-1"}


def _import(client: TestClient, key: str, body: Any, content_type: str | None) -> Any:
    headers = {**auth(key)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post("/api/v1/imports", content=raw, headers=headers)


def _dataset(**opening: object) -> dict[str, object]:
    return {"format": "jet-match/dataset@1", "openings": [{**DATASET_OPENING, **opening}]}


class TestDatasetImport:
    """The whole-dataset import reads its body itself: the same rules hold for it."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [("slots", True), ("slots", "1"), ("slots", 1.0), ("driving_required", 1)],
    )
    def test_a_looser_json_type_is_422_naming_record_and_field(
        self, client: TestClient, keys: Keys, field: str, value: object
    ) -> None:
        answer = _import(client, keys.coordinator, _dataset(**{field: value}), "application/json")
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["errors"]
        assert (problem["record"], problem["external_id"]) == ("opening", "OPN-DATASET-1")
        assert problem["field"] == field
        listed = client.get("/api/v1/openings/OPN-DATASET-1", headers=auth(keys.coordinator))
        assert listed.status_code == 404  # nothing written

    def test_exact_types_import(self, client: TestClient, keys: Keys) -> None:
        answer = _import(client, keys.coordinator, _dataset(), "application/json")
        assert answer.status_code == 200, answer.text
        assert answer.json()["openings"]["created"] == 1

    def test_a_nul_character_is_422_naming_the_field(self, client: TestClient, keys: Keys) -> None:
        body = _dataset(sport="base\x00ball")
        answer = _import(client, keys.coordinator, body, "application/json")
        assert answer.status_code == 422, answer.text
        [problem] = answer.json()["errors"]
        assert problem["code"] == "nul_character"
        assert problem["field"] == "openings.0.sport"

    def test_a_utf16_body_is_415(self, client: TestClient, keys: Keys) -> None:
        raw = orjson.dumps(_dataset()).decode().encode("utf-16")
        assert _import(client, keys.coordinator, raw, "application/json").status_code == 415

    def test_another_charset_is_415(self, client: TestClient, keys: Keys) -> None:
        answer = _import(client, keys.coordinator, _dataset(), "application/json; charset=utf-16")
        assert answer.status_code == 415

    def test_a_missing_content_type_is_415(self, client: TestClient, keys: Keys) -> None:
        assert _import(client, keys.coordinator, _dataset(), None).status_code == 415

    def test_a_body_problem_comes_after_the_key(self, client: TestClient) -> None:
        raw = orjson.dumps(_dataset()).decode().encode("utf-16")
        answer = _import(client, "jm_abcdefgh_" + "x" * 43, raw, "application/json")
        assert answer.status_code == 401


class TestHeaders:
    def test_two_authorization_headers_are_400(self, client: TestClient, keys: Keys) -> None:
        answer = client.get(
            "/api/v1/organizations",
            headers=[
                ("Authorization", f"Bearer {keys.coordinator}"),
                ("Authorization", f"Bearer {keys.host_own}"),
            ],
        )
        assert answer.status_code == 400
        assert answer.json()["type"].endswith("/bad-request")


class TestIdsAndCursors:
    @pytest.mark.parametrize("path", ["/api/v1/runs/1.0", "/api/v1/runs/1e0", "/api/v1/runs/+1"])
    def test_a_run_id_that_is_not_digits_names_no_run(
        self, client: TestClient, keys: Keys, path: str
    ) -> None:
        assert client.get(path, headers=auth(keys.coordinator)).status_code in (404, 422)

    @pytest.mark.parametrize("run_id", [2**31, 9007199254740991, 2**63])
    def test_a_run_id_beyond_the_column_is_not_a_server_error(
        self, client: TestClient, keys: Keys, run_id: int
    ) -> None:
        answer = client.get(f"/api/v1/runs/{run_id}", headers=auth(keys.coordinator))
        assert answer.status_code in (404, 422)

    @pytest.mark.parametrize("key", [2**31, -(2**31) - 1])
    def test_a_cursor_beyond_the_id_column_is_422(
        self, client: TestClient, keys: Keys, key: int
    ) -> None:
        answer = client.get(
            "/api/v1/audit", params={"cursor": _cursor(key)}, headers=auth(keys.coordinator)
        )
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "cursor"

    @pytest.mark.parametrize("run_id", [2**31, 10**18 - 1])
    def test_a_compared_run_beyond_the_id_column_names_no_plan(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings, run_id: int
    ) -> None:
        round_id = solved_round(engine, settings)
        answer = client.get(
            f"/api/v1/rounds/{round_id}/compare",
            params={"a": f"run:{run_id}", "b": "current"},
            headers=auth(keys.coordinator),
        )
        assert answer.status_code == 404
        assert f"no run {run_id}" in answer.json()["detail"]
