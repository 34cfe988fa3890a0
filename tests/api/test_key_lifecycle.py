"""Keys that age over HTTP: expiry and last use in the answers, rotation, and clients that
keep sending bad keys slowed down with 429 and Retry-After."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match import models
from jet_match.config import Settings
from jet_match.db import make_engine
from jet_match.main import create_app
from service_support import Keys, auth
from statement_count import statements_sent


def test_a_key_with_an_expiry_and_its_rotation(client: TestClient, keys: Keys) -> None:
    expires = (models.utcnow() + timedelta(days=30)).replace(microsecond=0)
    created = client.post(
        "/api/v1/api-keys",
        json={"role": "career_fair", "name": "fair", "expires_at": expires.isoformat()},
        headers=auth(keys.coordinator),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["expires_at"].startswith(expires.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["last_used_at"] is None
    assert client.get("/api/v1/results", headers=auth(body["key"])).status_code == 200
    read = client.get(f"/api/v1/api-keys/{body['id']}", headers=auth(keys.coordinator)).json()
    assert read["last_used_at"] is not None
    rotated = client.post(f"/api/v1/api-keys/{body['id']}/rotate", headers=auth(keys.coordinator))
    assert rotated.status_code == 201
    assert rotated.json()["name"] == "fair"
    for key in (body["key"], rotated.json()["key"]):
        assert client.get("/api/v1/results", headers=auth(key)).status_code == 200
    past = client.post(
        "/api/v1/api-keys",
        json={"role": "career_fair", "name": "old", "expires_at": "2001-01-01T00:00:00Z"},
        headers=auth(keys.coordinator),
    )
    assert past.status_code == 422
    assert past.json()["errors"][0]["field"] == "expires_at"


def test_repeated_bad_keys_from_one_client_are_answered_429(
    engine: Engine, settings: Settings, keys: Keys
) -> None:
    strict = settings.model_copy(update={"auth_failure_limit": "3/minute"})
    with TestClient(create_app(strict, engine)) as client:
        for _ in range(3):
            bad = client.get("/api/v1/openings", headers=auth("jm_00000000_guess"))
            assert bad.status_code == 401
        slowed = client.get("/api/v1/openings", headers=auth("jm_00000000_guess"))
        assert slowed.status_code == 429
        assert slowed.headers["content-type"] == "application/problem+json"
        assert 1 <= int(slowed.headers["Retry-After"]) <= 60
        # Even a good key waits: the client is not told which of its guesses would work.
        assert client.get("/api/v1/openings", headers=auth(keys.coordinator)).status_code == 429
        # Requests that need no key are not slowed.
        assert client.get("/api/v1/health/live").status_code == 200


def test_a_request_with_a_body_looks_its_key_up_once(
    client: TestClient, engine: Engine, keys: Keys
) -> None:
    with statements_sent(engine) as sent:
        created = client.post(
            "/api/v1/api-keys",
            json={"role": "career_fair", "name": "fair"},
            headers=auth(keys.coordinator),
        )
    assert created.status_code == 201, created.text
    lookups = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "api_keys" in s]
    # one look-up of the caller's key (strict_request's), none again for the route's caller
    key_lookups = [s for s in lookups if "api_keys.prefix = " in s]
    assert len(key_lookups) == 1, key_lookups


def test_two_api_processes_share_one_limit_of_failures(
    engine: Engine, settings: Settings, keys: Keys
) -> None:
    # Two apps with engines of their own on one database: two processes of a deployment.
    strict = settings.model_copy(update={"auth_failure_limit": "4/minute"})
    other_engine = make_engine(strict)
    try:
        with (
            TestClient(create_app(strict, engine)) as first,
            TestClient(create_app(strict, other_engine)) as second,
        ):
            for client in (first, second, first, second):
                assert client.get("/api/v1/openings", headers=auth("jm_0_x")).status_code == 401
            for client in (first, second):
                slowed = client.get("/api/v1/openings", headers=auth(keys.coordinator))
                assert slowed.status_code == 429
                assert 1 <= int(slowed.headers["Retry-After"]) <= 60
    finally:
        other_engine.dispose()
