"""The round pages through the real HTTP stack: the round with its runs and charts, the
plan table with filters, sorting, paging and downloads, the comparison, publishing after
a confirmation and closing, each refused when stale, and in both languages."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from round_support import (
    ROUND,
    create_round,
    current_plan,
    move,
    published_round,
    solved_round,
    work,
)
from web.web_support import SignedIn, Staff, csrf_of, field_of, post_form

PAGE = f"/app/rounds/{ROUND}"


def _japanese(client: TestClient) -> TestClient:
    client.headers["Accept-Language"] = "ja"
    return client


def _latest_result(html: str) -> str:
    """The page's "Latest result" figures (or its first 2,000 characters if it has none)."""
    start = html.find('<dl class="figures">')
    return html[start : html.find("</dl>", start) + 5] if start >= 0 else html[:2000]


class TestNewRound:
    def test_a_coordinator_creates_a_round_from_home_and_lands_on_its_page(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.coordinator)
        form = {"external_id": "R2027-WEB", "name": "2027 web round", "programme_year": "2027"}
        token = csrf_of(client.get("/app/").text)
        created = client.post(
            "/app/rounds",
            data={**form, "positions": ["ALT", "CIR"], "csrf_token": token},
            follow_redirects=False,
        )
        assert created.status_code == 303
        assert created.headers["location"] == "/app/rounds/R2027-WEB"
        page = client.get("/app/rounds/R2027-WEB")
        assert page.status_code == 200
        assert "2027 web round" in page.text
        assert "R2027-WEB" in client.get("/app/").text

    def test_a_taken_id_and_no_position_are_refused_in_japanese_keeping_the_form(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = _japanese(signed_in(staff.coordinator))
        form = {"external_id": "R-TWICE", "name": "Twice", "programme_year": "2027"}
        first = post_form(client, "/app/rounds", {**form, "positions": "ALT"}, page="/app/")
        assert first.status_code == 303
        again = post_form(client, "/app/rounds", {**form, "positions": "ALT"}, page="/app/")
        assert again.status_code == 422
        assert "すでに存在します" in again.text
        none = post_form(client, "/app/rounds", {**form, "external_id": "R-NONE"}, page="/app/")
        assert none.status_code == 422
        assert 'value="R-NONE"' in none.text


class TestRoundPage:
    def test_a_solved_round_shows_its_run_result_and_charts(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get(PAGE)
        assert page.status_code == 200
        assert "Succeeded" in page.text
        assert "Proven gap" in page.text
        assert 'id="rank-profile"' in page.text
        assert 'role="img"' in page.text
        assert "2nd choice" in page.text  # P-1 got the second choice
        assert "Tokyo" in page.text  # fill rate by prefecture, by name
        # the solver's status, by name (the section is shown if the status differs)
        assert "<dd>Optimal (proven)</dd>" in page.text, _latest_result(page.text)

    def test_in_japanese_prefectures_and_labels_are_japanese(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = _japanese(signed_in(staff.coordinator)).get(PAGE)
        assert '<html lang="ja">' in page.text
        assert "東京都" in page.text
        assert "第2希望" in page.text
        assert "<dd>最適（証明済み）</dd>" in page.text, _latest_result(page.text)  # noqa: RUF001

    def test_starting_a_run_queues_it_and_the_progress_follows_it(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        create_round(engine)
        client = signed_in(staff.coordinator)
        started = post_form(client, f"{PAGE}/runs", {"time_limit_s": "5"}, page=PAGE)
        assert started.status_code == 303
        progress = client.get(f"{PAGE}/progress").json()
        assert progress["active"] is True
        assert progress["runs"][0]["status"] == "queued"
        assert "data-progress" in client.get(PAGE).text
        again = post_form(client, f"{PAGE}/runs", {}, page=PAGE)
        assert again.status_code == 409
        assert "already queued or running" in again.text
        work(engine, settings)
        assert client.get(f"{PAGE}/progress").json()["active"] is False

    def test_a_time_limit_that_is_not_a_number_is_refused_by_field(
        self, signed_in: SignedIn, staff: Staff, engine: Engine
    ) -> None:
        create_round(engine)
        client = signed_in(staff.coordinator)
        refused = post_form(client, f"{PAGE}/runs", {"time_limit_s": "soon"}, page=PAGE)
        assert refused.status_code == 422
        assert 'id="time_limit_s-error"' in refused.text

    def test_a_host_may_not_read_rounds(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.host_a)
        for path in (PAGE, f"{PAGE}/plan", f"{PAGE}/compare", f"{PAGE}/progress"):
            assert client.get(path).status_code == 403

    def test_closing_needs_the_current_version(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        version = field_of(client.get(PAGE).text, "version")
        move(engine, "P-1", PlanChange(opening=None, pinned=False))
        stale = post_form(client, f"{PAGE}/close", {"version": version}, page=PAGE)
        assert stale.status_code == 412
        assert "changed since you opened it" in stale.text
        current = field_of(stale.text, "version")
        assert current != version
        closed = post_form(client, f"{PAGE}/close", {"version": current}, page=PAGE)
        assert closed.status_code == 303
        assert "Closed" in client.get(PAGE).text

    def test_a_form_without_its_csrf_token_is_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        version = field_of(client.get(PAGE).text, "version")
        refused = client.post(f"{PAGE}/close", data={"version": version})
        assert refused.status_code == 403
        assert "Solved" in client.get(PAGE).text


class TestPublishing:
    def test_the_confirmation_lists_who_changes_since_the_last_publication(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        move(engine, "P-1", PlanChange(opening=None, pinned=False))
        client = signed_in(staff.coordinator)
        confirm = client.get(f"{PAGE}/publish")
        assert confirm.status_code == 200
        assert "Family1 Given" in confirm.text
        assert "Removed" in confirm.text
        assert "Publish version 2" in confirm.text
        published = post_form(
            client,
            f"{PAGE}/publish",
            {"version": field_of(confirm.text, "version")},
            page=f"{PAGE}/publish",
        )
        assert published.status_code == 303
        assert "Published version 2" in client.get(PAGE).text

    def test_a_plan_changed_after_the_confirmation_is_not_published(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        confirm = client.get(f"{PAGE}/publish")
        assert "first publication" in confirm.text
        version = field_of(confirm.text, "version")
        move(engine, "P-1", PlanChange(opening=None, pinned=False))
        stale = post_form(client, f"{PAGE}/publish", {"version": version}, page=PAGE)
        assert stale.status_code == 412
        assert "changed since you opened it" in stale.text
        assert "Published version" not in client.get(PAGE).text


class TestPlanPage:
    def test_the_plan_shows_names_places_and_choices(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get(f"{PAGE}/plan")
        assert page.status_code == 200
        assert "Family1 Given" in page.text
        assert f"{PAGE}/participants/P-1" in page.text
        assert f"{PAGE}/openings/OPN-A1" in page.text
        assert "Hokkaido" in page.text

    def test_in_japanese_the_organization_has_its_japanese_name(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = _japanese(signed_in(staff.coordinator)).get(f"{PAGE}/plan")
        assert "北海道教育委員会" in page.text
        assert "北海道" in page.text

    def test_each_filter_narrows_the_table(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        move(engine, "P-5", PlanChange(opening=None, pinned=False))
        client = signed_in(staff.coordinator)

        def people(**query: str) -> set[str]:
            page = client.get(f"{PAGE}/plan", params=query)
            assert page.status_code == 200, page.text
            return {p for p in ("P-1", "P-2", "P-3", "P-5") if f'participants/{p}"' in page.text}

        assert people(q="FAMILY1") == {"P-1"}
        assert people(q="p-2") == {"P-2"}
        assert people(prefecture="1") == {"P-2", "P-3"}
        assert people(organization="ORG-B") == {"P-1"}
        assert people(position="CIR") == {"P-5"}
        assert people(country="gb") == {"P-3"}
        assert people(choice="second") == {"P-1"}
        assert people(unplaced="1") == {"P-5"}
        assert people(pinned="1") == set()
        assert people(overridden="1") == set()
        assert people(prefecture="", position="") == {"P-1", "P-2", "P-3", "P-5"}

    def test_sorting_links_turn_the_order_around(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        up = client.get(f"{PAGE}/plan", params={"sort": "name"}).text
        down = client.get(f"{PAGE}/plan", params={"sort": "-name"}).text
        assert up.index("participants/P-1") < up.index("participants/P-3")
        assert down.index("participants/P-1") > down.index("participants/P-3")
        assert 'aria-sort="descending"' in down
        assert "sort=name" in down  # the header link turns it back

    def test_a_bad_filter_is_refused_naming_the_field(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = signed_in(staff.coordinator)
        refused = client.get(f"{PAGE}/plan", params={"prefecture": "99", "sort": "email"})
        assert refused.status_code == 422
        assert 'id="prefecture-error"' in refused.text
        assert 'id="sort-error"' in refused.text

    def test_the_filtered_view_downloads_as_csv_and_xlsx_with_translated_headers(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = _japanese(signed_in(staff.coordinator))
        sheet = client.get(f"{PAGE}/plan.csv", params={"prefecture": "1"})
        assert sheet.status_code == 200
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert rows[0][0] == "参加者ID"
        in_hokkaido = sorted(p for p, o in current_plan(engine).items() if o.startswith("OPN-A"))
        assert sorted(r[0] for r in rows[1:]) == in_hokkaido
        assert all(r[6] == "北海道" for r in rows[1:])
        book = load_workbook(io.BytesIO(client.get(f"{PAGE}/plan.xlsx").content))
        values = list(book.worksheets[0].values)
        assert values[0][0] == "参加者ID"
        assert len(values) == 1 + 4 + 0  # the four placed (no one shortlisted is left)


class TestComparePage:
    def test_two_plans_side_by_side_with_who_moved_by_name(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        move(engine, "P-1", PlanChange(opening=None, pinned=False))
        client = signed_in(staff.coordinator)
        page = client.get(f"{PAGE}/compare", params={"a": "version:1", "b": "current"})
        assert page.status_code == 200
        assert "Family1 Given" in page.text
        assert "Removed" in page.text
        assert "1 people are placed differently" in page.text or "1 people" in page.text

    def test_the_default_compares_the_publication_with_the_working_plan(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        page = signed_in(staff.coordinator).get(f"{PAGE}/compare")
        assert page.status_code == 200
        assert '<option value="version:1" selected>' in page.text

    def test_a_plan_label_that_names_nothing_is_refused(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get(f"{PAGE}/compare", params={"a": "yesterday"})
        assert page.status_code == 422


class TestReport:
    def test_the_report_for_people_is_in_the_users_language_and_formatted(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        client = _japanese(signed_in(staff.coordinator))
        assert f"{PAGE}/report.xlsx" in client.get(PAGE).text
        answer = client.get(f"{PAGE}/report.xlsx")
        assert answer.status_code == 200
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == ["概要", "配置案", "未配置", "都道府県"]
        summary = {row[0]: row[1] for row in book["概要"].iter_rows(min_row=2, values_only=True)}
        assert summary["ラウンド"] == f"Round {ROUND} ({ROUND})"
        plan = book["配置案"]
        assert plan.freeze_panes == "A2"
        assert plan.auto_filter.ref is not None
        header = [cell.value for cell in plan[1]]
        assert header[:2] == ["参加者ID", "氏名"]
        rows = {row[0]: row for row in plan.iter_rows(min_row=2, values_only=True)}
        assert rows["P-2"][5] == "北海道教育委員会"
        assert rows["P-2"][6] == "北海道"
        assert rows["P-1"][7] == "第2希望"
        assert plan.column_dimensions["F"].width > 10
        fill = book["都道府県"]
        assert fill.cell(row=2, column=2).number_format == "0.0%"
