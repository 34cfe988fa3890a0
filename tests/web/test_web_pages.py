"""Every foundation page through the real HTTP stack, for each role, in both languages."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from round_support import ROUND, published_round, solved_round
from web.web_support import SignedIn, Staff, field_of, post_form, sign_in


class TestHome:
    def test_a_coordinator_sees_the_rounds_with_status_and_latest_run(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        page = signed_in(staff.coordinator).get("/app/")
        assert page.status_code == 200
        assert f"Round {ROUND}" in page.text
        assert "Solved" in page.text
        assert "Succeeded" in page.text

    def test_a_host_sees_its_organization_in_japanese(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        page = signed_in(staff.host_a).get("/app/")
        assert '<html lang="ja">' in page.text
        assert "北海道" in page.text
        assert "/app/organizations/ORG-A" in page.text
        assert "/app/users" not in page.text
        assert "/app/audit" not in page.text

    def test_the_language_switch_sets_the_users_preference(
        self, signed_in: SignedIn, staff: Staff, engine: Engine
    ) -> None:
        client = signed_in(staff.coordinator)
        assert '<html lang="en">' in client.get("/app/").text
        answer = post_form(
            client, "/app/language", {"language": "ja", "back": "/app/users"}, page="/app/"
        )
        assert answer.headers["location"] == "/app/users"
        assert "jm_lang=ja" in answer.headers["set-cookie"]
        assert "職員アカウント" in client.get("/app/users").text
        with Session(engine) as session:
            user = session.exec(select(models.User).where(models.User.role == "coordinator"))
            assert user.one().locale == "ja"

    def test_signed_out_the_switch_works_with_the_cookie_alone(self, client: TestClient) -> None:
        answer = post_form(
            client, "/app/language", {"language": "ja", "back": "/app/login"}, page="/app/login"
        )
        assert answer.status_code == 303
        assert "ログイン" in client.get("/app/login").text


class TestUsers:
    def test_a_coordinator_creates_a_user_and_sees_the_one_time_password_once(
        self, signed_in: SignedIn, staff: Staff, engine: Engine
    ) -> None:
        client = signed_in(staff.coordinator)
        answer = post_form(
            client,
            "/app/users",
            {"email": "New@Example.jp", "role": "host_org", "organization": "ORG-B"},
            page="/app/users",
        )
        assert answer.status_code == 201
        password = answer.text.split('<code class="secret">')[1].split("</code>")[0]
        assert len(password) >= 12
        assert "new@example.jp" in answer.text
        assert password not in client.get("/app/users").text
        newcomer = TestClient(client.app)
        assert sign_in(newcomer, "new@example.jp", password).status_code == 303
        with Session(engine) as session:
            event = session.exec(
                select(models.AuditEvent).where(models.AuditEvent.action == "user.create")
            ).all()[-1]
            coordinator = session.exec(
                select(models.User).where(models.User.email == staff.coordinator)
            ).one()
        assert event.actor == f"user:{coordinator.id}"

    def test_refusals_name_the_field_in_the_users_language(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.coordinator)
        post_form(client, "/app/language", {"language": "ja"}, page="/app/")
        answer = post_form(
            client,
            "/app/users",
            {"email": "someone@example.jp", "role": "host_org"},
            page="/app/users",
        )
        assert answer.status_code == 422
        assert "任用団体のユーザーには団体が必要です。" in answer.text
        taken = post_form(
            client, "/app/users", {"email": staff.host_a, "role": "coordinator"}, page="/app/users"
        )
        assert taken.status_code == 422
        assert "すでに存在します。" in taken.text

    def test_a_host_may_not_manage_users(self, signed_in: SignedIn, staff: Staff) -> None:
        answer = signed_in(staff.host_b).get("/app/users")
        assert answer.status_code == 403
        assert "You may not do this" in answer.text


class TestAudit:
    def test_the_trail_is_filtered_by_who_and_what_and_paged(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.coordinator)
        everything = client.get("/app/audit")
        assert everything.status_code == 200
        assert "user.sign_in" in everything.text
        failed = client.get("/app/audit", params={"action": "user.create", "actor": "cli"})
        assert "user.create" in failed.text
        assert "user.sign_in<" not in failed.text
        dated = client.get("/app/audit", params={"since": "2000-01-01", "until": "2000-01-02"})
        assert "No event matches." in dated.text

    def test_hosts_have_no_audit_page(self, signed_in: SignedIn, staff: Staff) -> None:
        assert signed_in(staff.host_a).get("/app/audit").status_code == 403


class TestOrganizationPage:
    def test_a_host_sees_its_own_and_gets_404_for_another(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.host_b)
        own = client.get("/app/organizations/ORG-B")
        assert own.status_code == 200
        assert "OPN-B1" in own.text
        assert "Tokyo" in own.text
        other = client.get("/app/organizations/ORG-A")
        missing = client.get("/app/organizations/ORG-NONE")
        assert other.status_code == missing.status_code == 404
        # The same page as for a missing one (only the language switch's way back differs).
        assert other.text.replace("ORG-A", "?") == missing.text.replace("ORG-NONE", "?")
        assert client.get("/app/organizations/ORG-A/openings/OPN-A1").status_code == 404
        assert client.get("/app/organizations/ORG-B/openings/OPN-A1").status_code == 404

    def test_a_host_posts_an_opening_with_messages_in_its_language(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.host_a)  # Japanese
        url = "/app/organizations/ORG-A/openings/new"
        bad = post_form(
            client,
            url,
            {"external_id": "OPN A9", "position": "ALT", "slots": "0", "school_level": "mixed"},
            page=url,
        )
        assert bad.status_code == 422
        assert "英数字、ピリオド、ハイフン、アンダースコアを使ってください。" in bad.text
        assert "数が小さすぎます。" in bad.text
        good = post_form(
            client,
            url,
            {"external_id": "OPN-A9", "position": "ALT", "slots": "2", "school_level": "mixed"},
            page=url,
        )
        assert good.status_code == 303, re.findall(r"field-error[^<]*<", good.text)
        assert "OPN-A9" in client.get("/app/organizations/ORG-A").text

    def test_an_edit_carries_its_version_and_a_stale_one_is_refused(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.host_a)
        url = "/app/organizations/ORG-A/openings/OPN-A1"
        opened = client.get(url).text
        version = field_of(opened, "version")
        values = {"position": "ALT", "slots": "3", "school_level": "junior_high"}
        saved = post_form(client, url, {**values, "version": version}, page=url)
        assert saved.status_code == 303
        stale = post_form(client, url, {**values, "slots": "5", "version": version}, page=url)
        assert stale.status_code == 412
        assert "開いた後に変更されています" in stale.text
        assert 'value="3"' in stale.text  # the current state, not the stale submit
        assert field_of(stale.text, "version") != version

    def test_cancelling_keeps_the_opening_as_cancelled(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        client = signed_in(staff.coordinator)
        url = "/app/organizations/ORG-B/openings/OPN-B1"
        version = field_of(client.get(url).text, "version")
        answer = post_form(client, f"{url}/cancel", {"version": version}, page=url)
        assert answer.status_code == 303
        assert "Cancelled" in client.get("/app/organizations/ORG-B").text

    def test_a_host_downloads_its_published_placements(
        self, signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        client = signed_in(staff.host_a)
        page = client.get("/app/organizations/ORG-A")
        assert "P-2" in page.text
        assert "@" not in page.text.split("Published")[-1]
        csv = client.get("/app/organizations/ORG-A/placements.csv")
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("round,version,opening,participant")
        assert {line.split(",")[3] for line in lines[1:]} == {"P-2", "P-3", "P-5"}
        xlsx = client.get("/app/organizations/ORG-A/placements.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        assert sheet.max_row == 4
        assert client.get("/app/organizations/ORG-B/placements.csv").status_code == 404


class TestApiDocs:
    def test_docs_and_redoc_load_only_same_origin_assets(self, client: TestClient) -> None:
        for path in ("/docs", "/redoc"):
            html = client.get(path).text
            assert "://" not in html, f"{path} names another origin"
            urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
            urls += re.findall(r"""url: *['"]([^'"]+)""", html)
            assert urls, path
            for url in urls:
                assert url.startswith("/"), url
                assert client.get(url).status_code == 200, url
