"""Imports are all-or-nothing upserts; exports give the data back in the same shape."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from jet_match.dataset import format as fmt
from service_support import Keys, auth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import(client: TestClient, key: str, document: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/imports",
        content=orjson.dumps({"format": fmt.FORMAT, **document}),
        headers={**auth(key), "Content-Type": "application/json"},
    )


def _workbook(*rows: list[Any]) -> bytes:
    """An XLSX file made as a person would, cells typed as given (numbers stay numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _counts(client: TestClient, key: str) -> dict[str, int]:
    dataset = client.get("/api/v1/exports/dataset", headers=auth(key)).json()
    return {kind: len(dataset[kind]) for kind in ("organizations", "openings", "participants")}


class TestDatasetImport:
    def test_counts_created_updated_and_unchanged(self, client: TestClient, keys: Keys) -> None:
        exported = client.get("/api/v1/exports/dataset", headers=auth(keys.coordinator)).json()
        exported["openings"][0]["slots"] = 7
        exported["organizations"].append(
            {
                "external_id": "ORG-C",
                "name": "Okinawa",
                "kind": "prefecture",
                "prefecture": 47,
                "area_type": "remote",
            }
        )
        response = _import(client, keys.coordinator, exported)
        assert response.status_code == 200
        assert response.json()["organizations"] == {"created": 1, "updated": 0, "unchanged": 2}
        assert response.json()["openings"] == {"created": 0, "updated": 1, "unchanged": 2}
        assert response.json()["participants"] == {"created": 0, "updated": 0, "unchanged": 5}

    def test_an_update_by_import_changes_the_etag(self, client: TestClient, keys: Keys) -> None:
        before = client.get("/api/v1/openings/OPN-B1", headers=auth(keys.coordinator))
        opening = {**before.json(), "slots": 4}
        _import(client, keys.coordinator, {"openings": [opening]})
        after = client.get("/api/v1/openings/OPN-B1", headers=auth(keys.coordinator))
        assert after.json()["slots"] == 4
        assert after.headers["ETag"] != before.headers["ETag"]

    def test_references_may_name_records_stored_earlier(
        self, client: TestClient, keys: Keys
    ) -> None:
        opening = {
            "external_id": "OPN-A3",
            "organization": "ORG-A",
            "position": "ALT",
            "slots": 1,
            "school_level": "senior_high",
        }
        response = _import(client, keys.coordinator, {"openings": [opening]})
        assert response.status_code == 200
        assert response.json()["openings"]["created"] == 1

    def test_one_bad_record_writes_nothing_and_every_problem_is_listed(
        self, client: TestClient, keys: Keys
    ) -> None:
        before = _counts(client, keys.coordinator)
        good = {
            "external_id": "ORG-GOOD",
            "name": "Good",
            "kind": "municipality",
            "prefecture": 5,
            "area_type": "rural",
        }
        bad_opening = {
            "external_id": "OPN-BAD",
            "organization": "ORG-NOWHERE",
            "position": "ALT",
            "slots": 0,
            "school_level": "elementary",
        }
        dangling = {**bad_opening, "external_id": "OPN-DANGLING", "slots": 1}
        response = _import(
            client, keys.coordinator, {"organizations": [good], "openings": [bad_opening, dangling]}
        )
        assert response.status_code == 422
        problems = {(e["external_id"], e["field"]) for e in response.json()["errors"]}
        assert ("OPN-BAD", "slots") in problems
        assert ("OPN-DANGLING", "organization") in problems
        assert _counts(client, keys.coordinator) == before

    def test_breaking_a_stored_couple_is_refused(self, client: TestClient, keys: Keys) -> None:
        participant = client.get("/api/v1/participants/P-2", headers=auth(keys.coordinator)).json()
        participant["partner"] = None  # P-3, stored, still names P-2
        response = _import(client, keys.coordinator, {"participants": [participant]})
        assert response.status_code == 422
        messages = [e["message"] for e in response.json()["errors"]]
        assert any("already stored" in m for m in messages)

    def test_round_parts_are_validated_and_counted_as_skipped(
        self, client: TestClient, keys: Keys
    ) -> None:
        response = _import(
            client, keys.coordinator, {"pins": [{"participant": "P-1", "opening": "OPN-A1"}]}
        )
        assert response.status_code == 200
        assert response.json()["skipped"] == {"pins": 1}

    def test_not_json_is_a_problem_not_a_crash(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/api/v1/imports",
            content=b"{not json",
            headers={**auth(keys.coordinator), "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "invalid_json"


class TestSheets:
    HEADER = "external_id,name,name_ja,kind,prefecture,area_type,sister_regions\n"

    def _post_csv(self, client: TestClient, key: str, raw: bytes) -> Any:
        return client.post(
            "/api/v1/imports/organizations",
            content=raw,
            headers={**auth(key), "Content-Type": "text/csv"},
        )

    def test_utf8_with_bom(self, client: TestClient, keys: Keys) -> None:
        raw = (self.HEADER + "ORG-CSV,Aomori,青森県,prefecture,2,rural,US-ME;CA\n").encode()
        response = self._post_csv(client, keys.coordinator, b"\xef\xbb\xbf" + raw)
        assert response.status_code == 200, response.text
        stored = client.get("/api/v1/organizations/ORG-CSV", headers=auth(keys.coordinator))
        assert stored.json()["name_ja"] == "青森県"
        assert stored.json()["sister_regions"] == ["US-ME", "CA"]

    def test_shift_jis_is_detected(self, client: TestClient, keys: Keys) -> None:
        text = self.HEADER + "".join(
            f"ORG-SJIS-{i},Town {i},{name},municipality,{i + 1},rural,\n"
            for i, name in enumerate(["青森県八戸市", "岩手県盛岡市", "宮城県仙台市教育委員会"])
        )
        response = self._post_csv(client, keys.coordinator, text.encode("cp932"))
        assert response.status_code == 200, response.text
        stored = client.get("/api/v1/organizations/ORG-SJIS-2", headers=auth(keys.coordinator))
        assert stored.json()["name_ja"] == "宮城県仙台市教育委員会"

    def test_a_bad_row_names_its_sheet_row_and_writes_nothing(
        self, client: TestClient, keys: Keys
    ) -> None:
        raw = (
            self.HEADER
            + "ORG-OK,Fine,,municipality,3,rural,\n"
            + "ORG-KO,Broken,,municipality,99,rural,\n"
        ).encode()
        response = self._post_csv(client, keys.coordinator, raw)
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert (error["external_id"], error["field"], error["row"]) == ("ORG-KO", "prefecture", 3)
        missing = client.get("/api/v1/organizations/ORG-OK", headers=auth(keys.coordinator))
        assert missing.status_code == 404

    def test_unknown_columns_are_refused(self, client: TestClient, keys: Keys) -> None:
        response = self._post_csv(client, keys.coordinator, b"external_id,colour\nX,blue\n")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "colour"

    def test_csv_export_has_a_bom_and_escapes_formulas(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = {**auth(keys.coordinator), "If-Match": "*"}
        client.patch("/api/v1/organizations/ORG-B", json={"name": "=HYPERLINK(1)"}, headers=headers)
        client.patch("/api/v1/participants/P-1", json={"given_name": "@SUM(A1)"}, headers=headers)
        organizations = client.get("/api/v1/exports/organizations", headers=auth(keys.coordinator))
        assert organizations.content.startswith(b"\xef\xbb\xbf")
        assert organizations.headers["content-type"].startswith("text/csv")
        assert "'=HYPERLINK(1)" in organizations.content.decode("utf-8-sig")
        people = client.get("/api/v1/exports/participants", headers=auth(keys.coordinator))
        assert "'@SUM(A1)" in people.content.decode("utf-8-sig")

    def test_csv_round_trip_changes_nothing(self, client: TestClient, keys: Keys) -> None:
        headers = {**auth(keys.coordinator), "If-Match": "*"}
        client.patch("/api/v1/organizations/ORG-B", json={"name": "-minus"}, headers=headers)
        for kind in ("organizations", "openings", "participants"):
            sheet = client.get(f"/api/v1/exports/{kind}", headers=auth(keys.coordinator))
            response = client.post(
                f"/api/v1/imports/{kind}",
                content=sheet.content,
                headers={**auth(keys.coordinator), "Content-Type": "text/csv"},
            )
            assert response.status_code == 200, response.text
            counts = response.json()[kind]
            assert counts["created"] == counts["updated"] == 0, kind

    def test_xlsx_round_trip_changes_nothing(self, client: TestClient, keys: Keys) -> None:
        headers = {**auth(keys.coordinator), "If-Match": "*"}
        client.patch("/api/v1/organizations/ORG-B", json={"name": "+plus"}, headers=headers)
        for kind in ("organizations", "openings", "participants"):
            sheet = client.get(
                f"/api/v1/exports/{kind}?format=xlsx", headers=auth(keys.coordinator)
            )
            assert sheet.headers["content-type"] == XLSX
            cells = list(load_workbook(io.BytesIO(sheet.content)).worksheets[0].values)
            assert all(not str(v).startswith(("=", "+", "-", "@")) for row in cells for v in row)
            response = client.post(
                f"/api/v1/imports/{kind}",
                content=sheet.content,
                headers={**auth(keys.coordinator), "Content-Type": XLSX},
            )
            assert response.status_code == 200, response.text
            counts = response.json()[kind]
            assert counts["created"] == counts["updated"] == 0, kind

    @pytest.mark.parametrize("sheet_format", ["csv", "xlsx"])
    def test_awkward_values_survive_a_round_trip(
        self, client: TestClient, keys: Keys, sheet_format: str
    ) -> None:
        headers = {**auth(keys.coordinator), "If-Match": "*"}
        awkward = {
            "P-1": {"given_name": ""},  # a single name
            "P-2": {"family_name": " Spaced ", "given_name": "'quoted"},
            "P-3": {"family_name": "'=not a formula", "given_name": "\ttab "},
        }
        for external_id, change in awkward.items():
            patched = client.patch(
                f"/api/v1/participants/{external_id}", json=change, headers=headers
            )
            assert patched.status_code == 200, patched.text
        client.patch("/api/v1/organizations/ORG-B", json={"name": " 'Shinjuku' "}, headers=headers)
        before = client.get("/api/v1/exports/dataset", headers=auth(keys.coordinator)).json()
        media_type = XLSX if sheet_format == "xlsx" else "text/csv"
        for kind in ("organizations", "participants"):
            sheet = client.get(
                f"/api/v1/exports/{kind}?format={sheet_format}", headers=auth(keys.coordinator)
            )
            response = client.post(
                f"/api/v1/imports/{kind}",
                content=sheet.content,
                headers={**auth(keys.coordinator), "Content-Type": media_type},
            )
            assert response.status_code == 200, response.text
            assert response.json()[kind]["updated"] == 0, kind
        after = client.get("/api/v1/exports/dataset", headers=auth(keys.coordinator)).json()
        assert after == before

    def test_shift_jis_one_short_row_imports(self, client: TestClient, keys: Keys) -> None:
        raw = (self.HEADER + "SJ-3,Otaru,小樽市,municipality,1,urban,\n").encode("cp932")
        response = self._post_csv(client, keys.coordinator, raw)
        assert response.status_code == 200, response.text
        stored = client.get("/api/v1/organizations/SJ-3", headers=auth(keys.coordinator))
        assert stored.json()["name_ja"] == "小樽市"

    def test_xlsx_ids_typed_as_numbers_import_as_text(self, client: TestClient, keys: Keys) -> None:
        workbook = _workbook(
            ["external_id", "family_name", "given_name", "email", "citizenship", "position"],
            [20240001, "Suharto", None, "s@example.org", "ID", "ALT"],
            [20240002.0, "Ngata", "Aroha", "a@example.org", "NZ", "ALT"],
        )
        response = client.post(
            "/api/v1/imports/participants",
            content=workbook,
            headers={**auth(keys.coordinator), "Content-Type": XLSX},
        )
        assert response.status_code == 200, response.text
        for external_id, given_name in (("20240001", ""), ("20240002", "Aroha")):
            stored = client.get(
                f"/api/v1/participants/{external_id}", headers=auth(keys.coordinator)
            )
            assert stored.status_code == 200
            assert stored.json()["given_name"] == given_name

    def test_xlsx_made_by_a_person_imports(self, client: TestClient, keys: Keys) -> None:
        workbook = _workbook(
            ["external_id", "organization", "position", "slots", "school_level"],
            ["OPN-XLSX", "ORG-B", "ALT", 2.0, "mixed"],
        )
        response = client.post(
            "/api/v1/imports/openings",
            content=workbook,
            headers={**auth(keys.coordinator), "Content-Type": XLSX},
        )
        assert response.status_code == 200, response.text
        stored = client.get("/api/v1/openings/OPN-XLSX", headers=auth(keys.coordinator))
        assert stored.json()["slots"] == 2

    def test_other_media_types_are_refused(self, client: TestClient, keys: Keys) -> None:
        response = client.post(
            "/api/v1/imports/openings",
            content=b"<xml/>",
            headers={**auth(keys.coordinator), "Content-Type": "application/xml"},
        )
        assert response.status_code == 415


def test_export_dataset_gives_back_what_was_imported(
    client: TestClient, keys: Keys, loaded: fmt.Dataset
) -> None:
    exported = client.get("/api/v1/exports/dataset", headers=auth(keys.coordinator))
    assert fmt.Dataset.model_validate(exported.json()) == loaded
