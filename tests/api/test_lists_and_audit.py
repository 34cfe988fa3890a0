"""Lists (filters, keyset pagination, scoping), couples, keys and the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service_support import Keys, auth


def _ids(response: Any) -> list[str]:
    return [item["external_id"] for item in response.json()["items"]]


class TestLists:
    def test_pages_follow_the_cursor_without_repeats(self, client: TestClient, keys: Keys) -> None:
        seen: list[str] = []
        url = "/api/v1/participants?limit=2"
        while True:
            page = client.get(url, headers=auth(keys.coordinator)).json()
            assert len(page["items"]) <= 2
            seen.extend(item["external_id"] for item in page["items"])
            if page["next_cursor"] is None:
                break
            url = f"/api/v1/participants?limit=2&cursor={page['next_cursor']}"
        assert seen == ["P-1", "P-2", "P-3", "P-4", "P-5"]

    def test_a_forged_cursor_is_refused(self, client: TestClient, keys: Keys) -> None:
        response = client.get("/api/v1/openings?cursor=abc", headers=auth(keys.coordinator))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cursor"

    def test_page_size_is_bounded(self, client: TestClient, keys: Keys) -> None:
        response = client.get("/api/v1/openings?limit=501", headers=auth(keys.coordinator))
        assert response.status_code == 422

    def test_filters(self, client: TestClient, keys: Keys) -> None:
        key = auth(keys.coordinator)
        assert _ids(client.get("/api/v1/openings?prefecture=13", headers=key)) == ["OPN-B1"]
        assert _ids(client.get("/api/v1/openings?organization=ORG-A", headers=key)) == [
            "OPN-A1",
            "OPN-A2",
        ]
        assert _ids(client.get("/api/v1/openings?position=CIR", headers=key)) == ["OPN-A2"]
        assert _ids(client.get("/api/v1/openings?status=cancelled", headers=key)) == []
        assert _ids(client.get("/api/v1/participants?citizenship=GB", headers=key)) == ["P-3"]
        assert _ids(client.get("/api/v1/participants?status=alternate", headers=key)) == ["P-4"]
        assert _ids(client.get("/api/v1/organizations?kind=municipality", headers=key)) == ["ORG-B"]

    def test_participants_by_preferred_prefecture_and_japanese_level(
        self, client: TestClient, keys: Keys
    ) -> None:
        """P-1 listed Hokkaido (1) and Tokyo (13); P-5 has N1, the others none."""
        key = auth(keys.coordinator)

        def listed(query: str) -> list[str]:
            return _ids(client.get(f"/api/v1/participants?{query}", headers=key))

        assert listed("preferred_prefecture=13") == ["P-1"]
        assert listed("preferred_prefecture=1") == ["P-1"]
        assert listed("preferred_prefecture=3") == []  # a member of the list, not a digit of 13
        assert listed("preferred_prefecture=13&position=CIR") == []
        assert listed("japanese_level_at_least=N2") == ["P-5"]
        assert listed("japanese_level_at_least=N1&position=CIR") == ["P-5"]
        assert listed("japanese_level_at_least=none") == ["P-1", "P-2", "P-3", "P-4", "P-5"]
        for bad in ("preferred_prefecture=48", "japanese_level_at_least=N6"):
            answer = client.get(f"/api/v1/participants?{bad}", headers=key)
            assert answer.status_code == 422, bad
            assert answer.json()["errors"][0]["field"] == bad.split("=")[0]

    def test_a_host_org_lists_only_its_own(self, client: TestClient, keys: Keys) -> None:
        key = auth(keys.host_other)
        assert _ids(client.get("/api/v1/openings", headers=key)) == ["OPN-B1"]
        assert _ids(client.get("/api/v1/organizations", headers=key)) == ["ORG-B"]
        assert _ids(client.get("/api/v1/openings?organization=ORG-A", headers=key)) == []


class TestCouples:
    def test_naming_a_partner_links_both_and_null_unlinks_both(
        self, client: TestClient, keys: Keys
    ) -> None:
        key = {**auth(keys.coordinator), "If-Match": "*"}
        link = {"partner": {"external_id": "P-4", "constraint": "same_organization"}}
        assert client.patch("/api/v1/participants/P-1", json=link, headers=key).status_code == 200
        other = client.get("/api/v1/participants/P-4", headers=key).json()
        assert other["partner"] == {"external_id": "P-1", "constraint": "same_organization"}
        assert (
            client.patch("/api/v1/participants/P-4", json={"partner": None}, headers=key)
        ).status_code == 200
        assert client.get("/api/v1/participants/P-1", headers=key).json()["partner"] is None

    def test_a_taken_partner_is_refused(self, client: TestClient, keys: Keys) -> None:
        key = {**auth(keys.coordinator), "If-Match": "*"}
        link = {"partner": {"external_id": "P-2", "constraint": "same_prefecture"}}
        response = client.patch("/api/v1/participants/P-1", json=link, headers=key)
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "partner_taken"

    def test_moving_to_a_new_partner_frees_the_old_one(
        self, client: TestClient, keys: Keys
    ) -> None:
        key = {**auth(keys.coordinator), "If-Match": "*"}
        link = {"partner": {"external_id": "P-1", "constraint": "same_prefecture"}}
        assert client.patch("/api/v1/participants/P-2", json=link, headers=key).status_code == 200
        assert client.get("/api/v1/participants/P-3", headers=key).json()["partner"] is None
        assert client.get("/api/v1/participants/P-1", headers=key).json()["partner"] == {
            "external_id": "P-2",
            "constraint": "same_prefecture",
        }

    def test_two_alternates_cannot_share_a_rank(self, client: TestClient, keys: Keys) -> None:
        key = {**auth(keys.coordinator), "If-Match": "*"}
        change = {"status": "alternate", "alternate_rank": 1}
        response = client.patch("/api/v1/participants/P-1", json=change, headers=key)
        assert response.status_code == 422


class TestKeys:
    def test_a_host_org_key_needs_an_organization(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/api/v1/api-keys",
            json={"role": "host_org", "name": "x"},
            headers=auth(keys.coordinator),
        )
        assert response.status_code == 422

    def test_created_keys_work_until_revoked(self, client: TestClient, keys: Keys) -> None:
        created = client.post(
            "/api/v1/api-keys",
            json={"role": "host_org", "organization": "ORG-B", "name": "Shinjuku"},
            headers=auth(keys.coordinator),
        ).json()
        new_key = created["key"]
        assert client.get("/api/v1/openings", headers=auth(new_key)).status_code == 200
        listed = client.get("/api/v1/api-keys", headers=auth(keys.coordinator)).json()["items"]
        assert all("key" not in item for item in listed)
        revoked = client.delete(f"/api/v1/api-keys/{created['id']}", headers=auth(keys.coordinator))
        assert revoked.json()["revoked_at"] is not None
        assert client.get("/api/v1/openings", headers=auth(new_key)).status_code == 401

    def test_a_forged_secret_is_refused(self, client: TestClient, keys: Keys) -> None:
        prefix = keys.coordinator.split("_")[1]
        response = client.get("/api/v1/openings", headers=auth(f"jm_{prefix}_guess"))
        assert response.status_code == 401


class TestAudit:
    def test_reading_personal_data_is_recorded_with_key_and_request(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = {**auth(keys.coordinator), "X-Request-ID": "read-p1"}
        client.get("/api/v1/participants/P-1", headers=headers)
        client.get("/api/v1/participants?limit=2", headers=headers)
        events = client.get(
            "/api/v1/audit?request_id=read-p1", headers=auth(keys.coordinator)
        ).json()["items"]
        assert [e["action"] for e in events] == ["participant.list", "participant.read"]
        assert events[1]["resource_id"] == "P-1"
        assert events[0]["detail"]["external_ids"] == ["P-1", "P-2"]
        prefix = keys.coordinator.split("_")[1]
        assert {e["actor_key_id"] for e in events} == {prefix}

    def test_changes_record_field_names_not_values(self, client: TestClient, keys: Keys) -> None:
        headers = {**auth(keys.host_own), "If-Match": "*"}
        client.patch("/api/v1/openings/OPN-A1", json={"slots": 4}, headers=headers)
        client.delete("/api/v1/openings/OPN-A1", headers=headers)
        events = client.get(
            "/api/v1/audit?resource_type=opening", headers=auth(keys.coordinator)
        ).json()["items"]
        assert [(e["action"], e["detail"]) for e in events] == [
            ("opening.cancel", {"fields": ["status"]}),
            ("opening.update", {"fields": ["slots"]}),
        ]

    def test_audit_pages_and_filters(self, client: TestClient, keys: Keys) -> None:
        for _ in range(3):
            client.get("/api/v1/participants/P-2", headers=auth(keys.coordinator))
        first = client.get(
            "/api/v1/audit?action=participant.read&limit=2", headers=auth(keys.coordinator)
        ).json()
        second = client.get(
            f"/api/v1/audit?action=participant.read&limit=2&cursor={first['next_cursor']}",
            headers=auth(keys.coordinator),
        ).json()
        ids = [e["id"] for e in first["items"] + second["items"]]
        assert len(ids) == 3
        assert ids == sorted(ids, reverse=True)

    def test_time_filters_take_iso_8601_only(self, client: TestClient, keys: Keys) -> None:
        client.get("/api/v1/participants/P-2", headers=auth(keys.coordinator))
        key = auth(keys.coordinator)
        since = client.get("/api/v1/audit?since=2000-01-01T00:00:00Z", headers=key)
        assert since.status_code == 200
        assert since.json()["items"]
        until = client.get("/api/v1/audit?until=2000-01-01T00:00:00%2B09:00", headers=key)
        assert until.json()["items"] == []
        assert client.get("/api/v1/audit?until=5", headers=key).status_code == 422


def test_numbers_too_large_for_a_column_are_a_422(client: TestClient, keys: Keys) -> None:
    response = client.patch(
        "/api/v1/participants/P-4",
        json={"alternate_rank": 2**63},
        headers={**auth(keys.coordinator), "If-Match": "*"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "less_than_equal"  # alternate_rank ≤ 100,000
