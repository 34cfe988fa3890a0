"""Review aids over HTTP: explanations, candidates, comparisons and the round report."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from round_support import ROUND, create_round, move, queue_run, work
from service_support import Keys, auth

R = f"/api/v1/rounds/{ROUND}"
TERMS = (
    "location",
    "area",
    "school",
    "requested_country",
    "sister_region",
    "experience",
    "japanese",
)


class TestExplanation:
    def test_a_placement_is_explained_with_its_alternatives(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        answer = client.get(f"{R}/participants/P-1/explanation", headers=auth(keys.coordinator))
        assert answer.status_code == 200
        body = answer.json()
        assert body["placement"]["opening"] == "OPN-B1"
        assert sum(body["placement"]["breakdown"].values()) == body["placement"]["score"]
        alternative = next(a for a in body["alternatives"] if a["opening"] == "OPN-A1")
        assert alternative["eligible"] is True
        assert alternative["organization"] == "ORG-A"
        assert {t["participant"] for t in alternative["taken_by"]} == {"P-2", "P-3"}
        assert alternative["why"].startswith("full: taken by")
        assert [b["rule"] for b in alternative["breaks"]] == ["over_capacity"]
        assert alternative["objective_change"]["disruption"] == 50
        assert all(a["opening"] != "OPN-A2" for a in body["alternatives"])  # CIR: not P-1's

    def test_an_ineligible_alternative_names_the_rules(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        client.patch(
            "/api/v1/openings/OPN-B1",
            headers=auth(keys.coordinator) | {"If-Match": "*"},
            json={"driving_required": True},
        )
        body = client.get(
            f"{R}/participants/P-2/explanation", headers=auth(keys.coordinator)
        ).json()
        alternative = body["alternatives"][0]
        assert alternative["opening"] == "OPN-B1"
        assert alternative["eligible"] is False
        assert alternative["failed_rules"] == ["driving"]
        assert alternative["objective_change"] is None
        assert alternative["why"].startswith("not eligible")

    def test_someone_outside_the_run_is_told_why(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        body = client.get(
            f"{R}/participants/P-4/explanation", headers=auth(keys.coordinator)
        ).json()
        assert body["placement"] is None
        assert body["unplaced_reasons"] == [
            "alternates are placed only through fill-vacancies or a pin"
        ]

    def test_an_unknown_participant_is_a_404(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        missing = client.get(f"{R}/participants/P-9/explanation", headers=auth(keys.coordinator))
        assert missing.status_code == 404


class TestCandidates:
    def test_those_placed_there_are_its_holders_not_candidates(
        self, client: TestClient, keys: Keys, solved: str
    ) -> None:
        """P-2 and P-3 hold OPN-A1: they are listed as taken_by, and P-1 alone is ranked."""
        body = client.get(f"{R}/openings/OPN-A1/candidates", headers=auth(keys.coordinator)).json()
        assert {t["participant"] for t in body["taken_by"]} == {"P-2", "P-3"}
        assert [c["participant"] for c in body["items"]] == ["P-1"]
        assert [c["participant"] for c in body["items"]] == [
            c["participant"]
            for c in client.get(
                f"{R}/openings/OPN-A1/candidates?unplaced=false", headers=auth(keys.coordinator)
            ).json()["items"]
        ]

    def test_candidates_are_ranked_with_the_effect_of_taking_them(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        move(engine, "P-1", PlanChange(opening=None))
        body = client.get(f"{R}/openings/OPN-B1/candidates", headers=auth(keys.coordinator)).json()
        assert (body["opening"], body["slots"], body["taken_by"]) == ("OPN-B1", 1, [])
        by_person = {c["participant"]: c for c in body["items"]}
        assert set(by_person) == {"P-1", "P-2", "P-3"}
        scores = [c["score"] for c in body["items"]]
        assert scores == sorted(scores, reverse=True)
        unplaced = by_person["P-1"]
        assert unplaced["current_opening"] is None
        assert unplaced["objective_change"]["placed"] == 1
        assert unplaced["breaks"] == []
        assert unplaced["current_score"] is None
        partner = by_person["P-2"]
        assert partner["current_opening"] == "OPN-A1"
        plan = client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
        held = {item["participant"]: item["score"] for item in plan}
        assert partner["current_score"] == held["P-2"]  # its score where it is placed now
        assert [b["rule"] for b in partner["breaks"]] == ["couple_apart"]
        assert partner["objective_change"]["disruption"] == 50

    def test_candidates_page_with_a_cursor_and_filter_the_unplaced(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        """OPN-B1 once P-1 has left it: P-1, P-2 and P-3 are its candidates."""
        move(engine, "P-1", PlanChange(opening=None))
        url = f"{R}/openings/OPN-B1/candidates"

        def page(query: str) -> dict[str, Any]:
            answer = client.get(f"{url}?{query}", headers=auth(keys.coordinator))
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body

        whole = page("limit=100")
        ranked = [c["participant"] for c in whole["items"]]
        assert sorted(ranked) == ["P-1", "P-2", "P-3"]
        assert whole["next_cursor"] is None
        seen: list[str] = []
        query = "limit=1"
        while True:
            body = page(query)
            items = body["items"]
            assert len(items) == 1
            seen.append(items[0]["participant"])
            if body["next_cursor"] is None:
                break
            query = f"limit=1&cursor={body['next_cursor']}"
        assert seen == ranked
        unplaced = page("unplaced=true")["items"]
        assert [c["participant"] for c in unplaced] == ["P-1"]
        placed = page("unplaced=false")["items"]
        assert [c["participant"] for c in placed] == [p for p in ranked if p != "P-1"]
        forged = client.get(f"{url}?cursor=bm9wZQ", headers=auth(keys.coordinator))
        assert forged.status_code == 422
        assert forged.json()["errors"][0]["field"] == "cursor"


class TestComparison:
    def test_two_runs_and_the_current_plan_compare_with_who_moved(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings, solved: str
    ) -> None:
        move(engine, "P-1", PlanChange(opening=None))
        queue_run(engine, minimise_disruption=False)
        work(engine, settings)
        same = client.get(f"{R}/compare?a=run:1&b=run:2", headers=auth(keys.coordinator)).json()
        assert same["moved"] == []
        assert same["difference"]["placed"] == 0
        move(engine, "P-1", PlanChange(opening=None))
        body = client.get(f"{R}/compare?a=run:2&b=current", headers=auth(keys.coordinator))
        assert body.status_code == 200
        compared = body.json()
        assert compared["moved"] == [{"participant": "P-1", "a": "OPN-B1", "b": None}]
        assert compared["moved_count"] == 1
        assert compared["kpis_a"]["placed"] == 4
        assert compared["difference"]["placed"] == -1
        assert compared["difference"]["unplaced"] == 1

    def test_unknown_plans_are_named(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        missing = client.get(f"{R}/compare?a=run:99&b=current", headers=auth(keys.coordinator))
        assert missing.status_code == 404
        unpublished = client.get(
            f"{R}/compare?a=version:1&b=current", headers=auth(keys.coordinator)
        )
        assert unpublished.status_code == 404
        malformed = client.get(f"{R}/compare?a=v1&b=current", headers=auth(keys.coordinator))
        assert malformed.status_code == 422


class TestReport:
    def test_the_json_report_has_the_figures_and_the_unplaced_with_reasons(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        move(engine, "P-1", PlanChange(opening=None))
        report = client.get(f"{R}/report", headers=auth(keys.coordinator)).json()
        assert report["objective"]["placed"] == 3
        assert set(report["metrics"]["rank_profile"]) == {
            "first",
            "second",
            "third",
            "same_region",
            "elsewhere",
        }
        assert "blocking_pairs" in report["metrics"]
        assert report["metrics"]["fill_rate_by_prefecture"]["13"] == 0.0
        assert [u["participant"] for u in report["unplaced"]] == ["P-1"]
        assert report["unplaced"][0]["reasons"]
        assert report["violations"] == []

    def test_csv_and_xlsx_downloads_open_in_a_spreadsheet_safely(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        move(
            engine,
            "P-1",
            PlanChange(opening="OPN-A1", override_reason='=HYPERLINK("x")'),
        )
        sheet = client.get(f"{R}/report?format=csv", headers=auth(keys.coordinator))
        assert sheet.headers["content-type"].startswith("text/csv")
        assert "attachment" in sheet.headers["content-disposition"]
        assert sheet.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert [r["participant"] for r in rows] == ["P-1", "P-2", "P-3", "P-5"]
        first = rows[0]
        assert (first["opening"], first["rank"], first["placed"]) == ("OPN-A1", "first", "true")
        assert first["override_reason"] == '\'=HYPERLINK("x")'
        assert int(first["score"]) == sum(int(first[term]) for term in TERMS)
        workbook = client.get(f"{R}/report?format=xlsx", headers=auth(keys.coordinator))
        book = load_workbook(io.BytesIO(workbook.content), read_only=True)
        assert book.sheetnames == [
            "plan",
            "unplaced",
            "prefectures",
            "countries",
            "summary",
            "withdrawals",
            "arrival_groups",
        ]
        summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
        assert summary["placed"] == 4
        report = client.get(f"{R}/report", headers=auth(keys.coordinator)).json()
        # The override holds: the capacity it broke is waived for that pair alone.
        assert report["violations"] == []


NOT_PLACED = (
    "1 eligible opening has a free slot: not placed in this plan (e.g. unassigned by hand or "
    "not solved yet); taking one would add a placement"
)


class TestReasonsAfterAHandChange:
    """Unassigned by a coordinator, P-1 could simply take the free slot they left."""

    def test_the_explanation_and_the_report_say_so(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        unassigned = client.put(
            f"{R}/plan/P-1",
            headers=auth(keys.coordinator) | {"If-Match": "*"},
            json={"opening": None},
        )
        assert unassigned.status_code == 200
        body = client.get(
            f"{R}/participants/P-1/explanation", headers=auth(keys.coordinator)
        ).json()
        assert body["placement"] is None
        assert body["unplaced_reasons"] == [NOT_PLACED]
        free = next(a for a in body["alternatives"] if a["opening"] == "OPN-B1")
        change = free["objective_change"]
        assert (change["placed"], change["net"], free["breaks"]) == (1, free["score"], [])
        assert free["why"] == (
            f"has a free slot: placing them here would add a placement (+{free['score']} score)"
        )
        report = client.get(f"{R}/report", headers=auth(keys.coordinator)).json()
        assert [(u["participant"], u["reasons"]) for u in report["unplaced"]] == [
            ("P-1", [NOT_PLACED])
        ]
        sheet = client.get(f"{R}/report?format=csv", headers=auth(keys.coordinator))
        rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert next(r for r in rows if r["participant"] == "P-1")["unplaced_reasons"] == NOT_PLACED
        workbook = client.get(f"{R}/report?format=xlsx", headers=auth(keys.coordinator))
        book = load_workbook(io.BytesIO(workbook.content), read_only=True)
        unplaced = list(book["unplaced"].iter_rows(values_only=True))
        assert unplaced[1:] == [("P-1", "ALT", NOT_PLACED)]

    def test_a_round_not_solved_yet(self, client: TestClient, keys: Keys, engine: Engine) -> None:
        create_round(engine, "R-DRAFT")
        report = client.get("/api/v1/rounds/R-DRAFT/report", headers=auth(keys.coordinator)).json()
        assert report["unplaced"]
        for item in report["unplaced"]:
            (reason,) = item["reasons"]
            assert "not placed in this plan (e.g. unassigned by hand or not solved yet)" in reason
            assert "cost a placement" not in reason
