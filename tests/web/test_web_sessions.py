"""Coordinators see who is signed in and end a session: on /app/users and over the API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jet_match import models
from service_support import Keys, auth
from web.web_support import SignedIn, Staff, post_form


def _audited(session: Session) -> list[int]:
    events = session.exec(
        select(models.AuditEvent).where(models.AuditEvent.action == "user_session.revoke")
    ).all()
    return [event.detail["session_id"] for event in events]


def test_the_users_page_lists_sessions_and_ends_one(
    signed_in: SignedIn, staff: Staff, session: Session
) -> None:
    host = signed_in(staff.host_a)
    assert host.get("/app/").status_code == 200
    coordinator = signed_in(staff.coordinator)
    page = coordinator.get("/app/users")
    assert page.status_code == 200
    table = page.text.split('<table id="sessions">', 1)[1].split("</table>", 1)[0]
    assert staff.host_a in table
    assert "This session" in table  # the coordinator's own: no button to end it
    ids = re.findall(r'name="session_id" value="(\d+)"', table)
    assert len(ids) == 1  # the host's
    answer = post_form(
        coordinator, "/app/users/sessions/revoke", {"session_id": ids[0]}, page="/app/users"
    )
    assert answer.status_code == 303
    assert host.get("/app/", follow_redirects=False).status_code == 303  # asked to sign in
    assert coordinator.get("/app/").status_code == 200
    assert _audited(session) == [int(ids[0])]


def test_the_api_lists_sessions_and_ends_one(
    client: TestClient, keys: Keys, signed_in: SignedIn, staff: Staff, session: Session
) -> None:
    host = signed_in(staff.host_a)
    listed = client.get("/api/v1/sessions", headers=auth(keys.coordinator))
    assert listed.status_code == 200
    mine = [s for s in listed.json() if s["email"] == staff.host_a]
    assert len(mine) == 1
    assert set(mine[0]) == {"id", "email", "display_name", "role", "created_at", "last_seen_at"}
    ended = client.delete(f"/api/v1/sessions/{mine[0]['id']}", headers=auth(keys.coordinator))
    assert ended.status_code == 204
    assert host.get("/app/", follow_redirects=False).status_code == 303
    again = client.delete(f"/api/v1/sessions/{mine[0]['id']}", headers=auth(keys.coordinator))
    assert again.status_code == 404
    assert _audited(session) == [mine[0]["id"]]
