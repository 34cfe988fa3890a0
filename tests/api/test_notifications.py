"""Webhooks and the events feed through HTTP: the secret once, host scoping, strict
input, a feed that resumes where it stopped."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import withdrawals
from round_support import published_round
from service_support import Keys, auth

HOOK = {"url": "http://127.0.0.1:9/hook", "events": ["round.published", "placement.vacated"]}


def test_the_secret_is_answered_once(client: TestClient, keys: Keys) -> None:
    created = client.post("/api/v1/webhooks", json=HOOK, headers=auth(keys.host_own))
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["organization"] == "ORG-A"
    read = client.get(f"/api/v1/webhooks/{body['id']}", headers=auth(keys.host_own))
    assert read.status_code == 200
    assert "secret" not in read.json()
    listed = client.get("/api/v1/webhooks", headers=auth(keys.coordinator)).json()["items"]
    assert all("secret" not in item for item in listed)
    # Another organization's host sees none of it.
    other = client.get("/api/v1/webhooks", headers=auth(keys.host_other)).json()["items"]
    assert other == []


def test_a_host_may_not_subscribe_to_coordinator_events(client: TestClient, keys: Keys) -> None:
    refused = client.post(
        "/api/v1/webhooks",
        json={"url": HOOK["url"], "events": ["run.finished"]},
        headers=auth(keys.host_own),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "events"


def test_loose_input_is_refused(client: TestClient, keys: Keys) -> None:
    coordinator = auth(keys.coordinator)
    for body in (
        {"url": "http://example.org/x", "events": ["round.published"]},  # http, not loopback
        {"url": HOOK["url"], "events": ["round.exploded"]},
        {"url": HOOK["url"], "events": []},
        {"url": HOOK["url"], "events": ["round.published"], "secret": "mine"},
        {"url": 12, "events": ["round.published"]},
    ):
        answer = client.post("/api/v1/webhooks", json=body, headers=coordinator)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"


def test_patch_needs_if_match_and_changes_the_webhook(client: TestClient, keys: Keys) -> None:
    created = client.post("/api/v1/webhooks", json=HOOK, headers=auth(keys.coordinator))
    url = f"/api/v1/webhooks/{created.json()['id']}"
    assert (
        client.patch(url, json={"active": False}, headers=auth(keys.coordinator)).status_code == 428
    )
    changed = client.patch(
        url,
        json={"active": False},
        headers={**auth(keys.coordinator), "If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    stale = client.patch(
        url,
        json={"active": True},
        headers={**auth(keys.coordinator), "If-Match": created.headers["ETag"]},
    )
    assert stale.status_code == 412


def test_the_feed_pages_and_resumes(
    client: TestClient, keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    coordinator = auth(keys.coordinator)
    first = client.get("/api/v1/events?limit=2", headers=coordinator).json()
    assert [e["type"] for e in first["items"]] == ["run.finished", "round.published"]
    assert first["has_more"] is True
    rest = client.get(f"/api/v1/events?cursor={first['next_cursor']}", headers=coordinator).json()
    assert [e["type"] for e in rest["items"]] == ["round.published"]
    assert rest["has_more"] is False
    empty = client.get(f"/api/v1/events?cursor={rest['next_cursor']}", headers=coordinator)
    assert empty.json()["items"] == []
    assert empty.json()["next_cursor"] == rest["next_cursor"]
    with Session(engine) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
    resumed = client.get(f"/api/v1/events?cursor={rest['next_cursor']}", headers=coordinator)
    assert [e["type"] for e in resumed.json()["items"]] == ["placement.vacated"]


def test_a_host_reads_only_its_own_events(
    client: TestClient, keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    with Session(engine) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
    own = client.get("/api/v1/events", headers=auth(keys.host_own)).json()["items"]
    assert [(e["type"], e["organization"]) for e in own] == [("round.published", "ORG-A")]
    openings = {p["opening"] for p in own[0]["data"]["placements"]}
    assert openings == {"OPN-A1", "OPN-A2"}
    other = client.get("/api/v1/events", headers=auth(keys.host_other)).json()["items"]
    assert [e["type"] for e in other] == ["round.published", "placement.vacated"]
    assert {e["organization"] for e in other} == {"ORG-B"}
    by_kind = client.get("/api/v1/events?kind=placement.vacated", headers=auth(keys.coordinator))
    assert [e["data"]["participant"] for e in by_kind.json()["items"]] == ["P-1"]
    assert (
        client.get("/api/v1/events?cursor=bogus", headers=auth(keys.coordinator)).status_code == 422
    )
