"""ETag / If-Match, Idempotency-Key, problem+json, body limits and request ids."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jet_match.config import Settings
from jet_match.main import create_app
from service_support import Keys, auth

NEW_OPENING = {
    "external_id": "OPN-NEW",
    "organization": "ORG-A",
    "position": "ALT",
    "slots": 1,
    "school_level": "elementary",
}


class TestETagAndIfMatch:
    def test_a_read_carries_the_etag_that_a_write_needs(
        self, client: TestClient, keys: Keys
    ) -> None:
        read = client.get("/api/v1/openings/OPN-A1", headers=auth(keys.host_own))
        etag = read.headers["ETag"]
        changed = client.patch(
            "/api/v1/openings/OPN-A1",
            json={"slots": 5},
            headers={**auth(keys.host_own), "If-Match": etag},
        )
        assert changed.status_code == 200
        assert changed.json()["slots"] == 5
        assert changed.headers["ETag"] != etag

    def test_a_write_without_if_match_is_refused_with_428(
        self, client: TestClient, keys: Keys
    ) -> None:
        response = client.patch(
            "/api/v1/openings/OPN-A1", json={"slots": 5}, headers=auth(keys.coordinator)
        )
        assert response.status_code == 428
        assert response.json()["type"].endswith("/precondition-required")

    def test_a_stale_version_is_refused_with_412_and_nothing_changes(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = auth(keys.coordinator)
        etag = client.get("/api/v1/openings/OPN-A1", headers=headers).headers["ETag"]
        first = client.patch(
            "/api/v1/openings/OPN-A1", json={"slots": 3}, headers={**headers, "If-Match": etag}
        )
        assert first.status_code == 200
        second = client.patch(
            "/api/v1/openings/OPN-A1", json={"slots": 9}, headers={**headers, "If-Match": etag}
        )
        assert second.status_code == 412
        assert client.get("/api/v1/openings/OPN-A1", headers=headers).json()["slots"] == 3

    def test_delete_cancels_and_keeps_the_opening(self, client: TestClient, keys: Keys) -> None:
        headers = {**auth(keys.host_own), "If-Match": "*"}
        response = client.delete("/api/v1/openings/OPN-A2", headers=headers)
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        again = client.get("/api/v1/openings/OPN-A2", headers=auth(keys.host_own))
        assert again.json()["status"] == "cancelled"

    def test_patch_validates_the_whole_record_again(self, client: TestClient, keys: Keys) -> None:
        # An SEA opening must name its sport: changing the position alone breaks a rule.
        response = client.patch(
            "/api/v1/openings/OPN-A1",
            json={"position": "SEA"},
            headers={**auth(keys.coordinator), "If-Match": "*"},
        )
        assert response.status_code == 422
        problem = response.json()["errors"][0]
        assert problem["record"] == "opening"
        assert problem["external_id"] == "OPN-A1"


class TestIdempotencyKey:
    def test_a_retry_gets_the_first_answer_and_creates_nothing_more(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = {**auth(keys.coordinator), "Idempotency-Key": "retry-1"}
        first = client.post("/api/v1/openings", json=NEW_OPENING, headers=headers)
        retry = client.post("/api/v1/openings", json=NEW_OPENING, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["ETag"] == first.headers["ETag"]
        assert retry.headers["Idempotent-Replayed"] == "true"
        listed = client.get("/api/v1/openings?organization=ORG-A", headers=auth(keys.coordinator))
        assert [o["external_id"] for o in listed.json()["items"]].count("OPN-NEW") == 1

    def test_the_same_key_with_another_body_is_refused(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = {**auth(keys.coordinator), "Idempotency-Key": "retry-2"}
        client.post("/api/v1/openings", json=NEW_OPENING, headers=headers)
        other = client.post("/api/v1/openings", json={**NEW_OPENING, "slots": 2}, headers=headers)
        assert other.status_code == 422
        assert other.json()["type"].endswith("/idempotency-key-reused")

    def test_keys_are_scoped_per_api_key(self, client: TestClient, keys: Keys) -> None:
        first = client.post(
            "/api/v1/openings",
            json=NEW_OPENING,
            headers={**auth(keys.coordinator), "Idempotency-Key": "shared"},
        )
        other_caller = client.post(
            "/api/v1/openings",
            json=NEW_OPENING,
            headers={**auth(keys.host_own), "Idempotency-Key": "shared"},
        )
        assert first.status_code == 201
        assert other_caller.status_code == 409  # not a replay of someone else's answer

    def test_without_a_key_a_second_create_is_a_conflict(
        self, client: TestClient, keys: Keys
    ) -> None:
        client.post("/api/v1/openings", json=NEW_OPENING, headers=auth(keys.coordinator))
        again = client.post("/api/v1/openings", json=NEW_OPENING, headers=auth(keys.coordinator))
        assert again.status_code == 409
        assert again.json()["type"].endswith("/already-exists")


def test_a_host_org_is_told_an_id_is_taken_but_not_whose_opening_holds_it(
    client: TestClient, keys: Keys
) -> None:
    def post(external_id: str) -> dict[str, object]:
        opening = {**NEW_OPENING, "external_id": external_id}
        response = client.post("/api/v1/openings", json=opening, headers=auth(keys.host_own))
        assert response.status_code == 409
        body: dict[str, object] = response.json()
        return {
            k: str(v).replace(external_id, "<id>") for k, v in body.items() if k != "request_id"
        }

    own, others = post("OPN-A1"), post("OPN-B1")  # ORG-A's, ORG-B's
    assert own == others
    assert "unique across all organizations" in str(others["detail"])


class TestProblemDetails:
    def test_body_errors_name_the_record_and_field(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/api/v1/openings",
            json={**NEW_OPENING, "slots": 0, "colour": "blue"},
            headers=auth(keys.coordinator),
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["title"] == "Invalid input"
        assert {(e["record"], e["field"], e["code"]) for e in body["errors"]} == {
            ("opening", "slots", "greater_than_equal"),
            ("opening", "colour", "extra_forbidden"),
        }

    def test_a_body_of_another_media_type_is_a_415(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/api/v1/openings",
            content=b"external_id=OPN-NEW&slots=1",  # what `curl -d` sends
            headers={**auth(keys.coordinator), "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 415
        assert response.json()["type"].endswith("/unsupported-media-type")
        assert "application/json" in response.json()["detail"]

    def test_malformed_json_is_located_by_line_and_column(
        self, client: TestClient, keys: Keys
    ) -> None:
        response = client.post(
            "/api/v1/openings",
            content=b'{"external_id": "OPN-NEW",\n  "slots": }',
            headers={**auth(keys.coordinator), "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert (error["field"], error["code"]) == (None, "json_invalid")
        assert error["message"] == (
            "the body is not valid JSON: Expecting value at line 2, column 12 (character 38)"
        )

    @pytest.mark.parametrize("body", [b'{"external_id": "\xff"}', b"[" * 100_000])
    def test_a_body_that_is_not_utf8_json_is_a_400(
        self, client: TestClient, keys: Keys, body: bytes
    ) -> None:
        response = client.post(
            "/api/v1/openings",
            content=body,
            headers={**auth(keys.coordinator), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["type"].endswith("/bad-request")

    @pytest.mark.parametrize(
        ("body", "media_type"),
        [(b"{", "application/json"), (b"\xff", "application/json"), (b"a=b", "text/plain")],
    )
    @pytest.mark.parametrize("key", [None, "jm_00000000_not-a-key"])
    def test_no_valid_key_is_a_401_before_anything_about_the_body(
        self, client: TestClient, body: bytes, media_type: str, key: str | None
    ) -> None:
        headers = {"Content-Type": media_type, **(auth(key) if key else {})}
        response = client.post("/api/v1/openings", content=body, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    def test_operations_with_a_json_body_document_400_and_415(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        operations = [op for path in paths.values() for op in path.values()]
        with_body = [
            op
            for op in operations
            if "application/json" in op.get("requestBody", {}).get("content", {})
        ]
        assert with_body
        for operation in with_body:
            assert {"400", "415"} <= set(operation["responses"]), operation["operationId"]

    def test_unknown_path_and_method(self, client: TestClient, keys: Keys) -> None:
        missing = client.get("/api/v1/nothing-here", headers=auth(keys.coordinator))
        assert missing.status_code == 404
        assert missing.json()["type"].endswith("/not-found")
        wrong = client.put("/api/v1/openings/OPN-A1", headers=auth(keys.coordinator))
        assert wrong.status_code == 405
        assert wrong.headers["Allow"]
        assert wrong.headers["content-type"] == "application/problem+json"

    def test_unknown_query_parameters_are_refused(self, client: TestClient, keys: Keys) -> None:
        response = client.get("/api/v1/openings?prefectur=1", headers=auth(keys.coordinator))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "prefectur"

    def test_problems_carry_the_request_id(self, client: TestClient) -> None:
        response = client.get("/api/v1/openings", headers={"X-Request-ID": "req-42"})
        assert response.status_code == 401
        assert response.headers["X-Request-ID"] == "req-42"
        assert response.json()["request_id"] == "req-42"

    def test_a_request_id_is_made_when_none_or_a_strange_one_is_sent(
        self, client: TestClient
    ) -> None:
        response = client.get("/api/v1/health", headers={"X-Request-ID": "bad id;drop"})
        assert response.headers["X-Request-ID"] != "bad id;drop"
        assert len(response.headers["X-Request-ID"]) == 32


def test_bodies_over_the_limit_are_refused_with_413(database_url: str) -> None:
    settings = Settings(database_url=database_url, environment="test", max_body_bytes=2048)
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/imports",
            content=b"x" * 5000,
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
