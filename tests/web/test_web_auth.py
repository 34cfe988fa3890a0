"""Signing in and out through the real HTTP stack: sessions, CSRF, slow-down and lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.main import create_app
from web.web_support import PASSWORD, SignedIn, Staff, csrf_of, post_form, sign_in


class TestSignIn:
    def test_a_signed_out_visitor_is_sent_to_the_login_page_and_back(
        self, client: TestClient, staff: Staff
    ) -> None:
        answer = client.get("/app/users?x=1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/app/login?next=%2Fapp%2Fusers%3Fx%3D1"
        signed = sign_in(client, staff.coordinator, next_url="/app/users?x=1")
        assert signed.headers["location"] == "/app/users?x=1"

    def test_the_form_has_fields_named_email_and_password_and_lands_on_home(
        self, client: TestClient, staff: Staff
    ) -> None:
        form = client.get("/app/login").text
        assert 'name="email"' in form
        assert 'name="password"' in form
        signed = sign_in(client, staff.coordinator.upper())  # e-mails ignore case
        assert signed.status_code == 303
        assert signed.headers["location"] == "/app/"
        assert "Matching rounds" in client.get("/app/").text

    def test_the_session_cookie_is_httponly_and_samesite_lax(
        self, client: TestClient, staff: Staff
    ) -> None:
        cookie = sign_in(client, staff.coordinator).headers["set-cookie"]
        assert "jm_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Path=/app" in cookie
        assert "Secure" not in cookie

    def test_the_cookie_is_secure_in_production(
        self, settings: Settings, engine: Engine, staff: Staff
    ) -> None:
        production = settings.model_copy(update={"environment": "production"})
        client = TestClient(create_app(production, engine), base_url="https://testserver")
        assert "Secure" in sign_in(client, staff.coordinator).headers["set-cookie"]

    def test_next_never_leads_to_another_site(self, client: TestClient, staff: Staff) -> None:
        answer = sign_in(client, staff.coordinator, next_url="https://evil.example/")
        assert answer.headers["location"] == "/app/"

    def test_a_wrong_password_is_refused_in_the_browser_language(
        self, client: TestClient, staff: Staff
    ) -> None:
        client.headers["Accept-Language"] = "ja,en;q=0.8"
        answer = sign_in(client, staff.coordinator, "wrong password!")
        assert answer.status_code == 401
        assert "メールアドレスまたはパスワードが違います。" in answer.text


class TestSlowDownAndLockout:
    def test_failures_slow_down_then_lock_the_account_and_are_audited(
        self, client: TestClient, staff: Staff, engine: Engine
    ) -> None:
        statuses = []
        for _ in range(3):
            statuses.append(sign_in(client, staff.coordinator, "wrong").status_code)
        # After three failures the next attempt must wait, even with the right password.
        waiting = sign_in(client, staff.coordinator)
        assert statuses == [401, 401, 401]
        assert waiting.status_code == 429
        assert "Wait a few seconds" in waiting.text
        with Session(engine) as session:
            session.exec(update(models.User).values(locked_until=None))
            session.commit()
        for _ in range(2):
            last = sign_in(client, staff.coordinator, "wrong")
            with Session(engine) as session:
                session.exec(update(models.User).values(locked_until=None))
                session.commit()
        assert last.status_code == 429
        assert "locked" in last.text
        with Session(engine) as session:
            session.exec(
                update(models.User).values(
                    locked_until=datetime.now(UTC) + timedelta(minutes=15), failed_sign_ins=5
                )
            )
            session.commit()
            actions = session.exec(select(models.AuditEvent.action)).all()
        assert sign_in(client, staff.coordinator).status_code == 429
        assert actions.count("user.sign_in_failed") == 5
        assert actions.count("user.lock") == 1

    def test_a_good_sign_in_resets_the_count(
        self, client: TestClient, staff: Staff, engine: Engine
    ) -> None:
        sign_in(client, staff.coordinator, "wrong")
        assert sign_in(client, staff.coordinator).status_code == 303
        with Session(engine) as session:
            user = session.exec(select(models.User).where(models.User.role == "coordinator"))
            assert user.one().failed_sign_ins == 0


class TestSessions:
    def test_signing_out_ends_the_session_for_real(self, signed_in: SignedIn, staff: Staff) -> None:
        client = signed_in(staff.coordinator)
        cookie = client.cookies["jm_session"]
        answer = post_form(client, "/app/logout", {}, page="/app/")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/app/login"
        client.cookies.set("jm_session", cookie, path="/app")  # a copy kept by an attacker
        assert client.get("/app/", follow_redirects=False).status_code == 303

    def test_an_idle_session_ends(self, signed_in: SignedIn, staff: Staff, engine: Engine) -> None:
        client = signed_in(staff.coordinator)
        assert client.get("/app/", follow_redirects=False).status_code == 200
        with Session(engine) as session:
            session.exec(
                update(models.UserSession).values(
                    last_seen_at=datetime.now(UTC) - timedelta(minutes=31)
                )
            )
            session.commit()
        assert client.get("/app/", follow_redirects=False).status_code == 303

    def test_disabling_a_user_ends_their_sessions(self, signed_in: SignedIn, staff: Staff) -> None:
        host = signed_in(staff.host_b)
        coordinator = signed_in(staff.coordinator)
        answer = post_form(
            coordinator, "/app/users/disable", {"email": staff.host_b}, page="/app/users"
        )
        assert answer.status_code == 303
        assert host.get("/app/", follow_redirects=False).status_code == 303
        assert sign_in(host, staff.host_b).status_code == 401


class TestCsrf:
    def test_a_post_without_the_token_is_a_403_page_in_the_users_language(
        self, signed_in: SignedIn, staff: Staff
    ) -> None:
        host = signed_in(staff.host_a)  # prefers Japanese
        answer = host.post("/app/logout", data={}, follow_redirects=False)
        assert answer.status_code == 403
        assert "text/html" in answer.headers["content-type"]
        assert "フォームの有効期限が切れているか" in answer.text
        assert host.get("/app/", follow_redirects=False).status_code == 200  # still signed in

    def test_another_sessions_token_is_refused(self, signed_in: SignedIn, staff: Staff) -> None:
        one, other = signed_in(staff.coordinator), signed_in(staff.coordinator)
        token = csrf_of(other.get("/app/").text)
        answer = one.post("/app/logout", data={"csrf_token": token})
        assert answer.status_code == 403

    def test_the_login_form_needs_its_token_too(self, app: FastAPI, staff: Staff) -> None:
        client = TestClient(app)
        answer = client.post("/app/login", data={"email": staff.coordinator, "password": PASSWORD})
        assert answer.status_code == 403
