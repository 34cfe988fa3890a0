"""Racing creates and imports answer 409 (or a replay), never 500; an unexpected error is a
problem+json 500 with the request id, and no personal data reaches any log."""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.main import create_app
from jet_match.services.records import participants
from service_support import Keys, auth

RACERS = 4

PERSON = {
    "external_id": "P-RACE",
    "family_name": "Secretfamily",
    "given_name": "Secretgiven",
    "email": "secret.person@example.org",
    "citizenship": "US",
    "position": "ALT",
    "needs_medical_access": True,
}
ORGANIZATION = {
    "external_id": "ORG-RACE",
    "name": "Otaru City",
    "kind": "municipality",
    "prefecture": 1,
    "area_type": "urban",
}
OPENING = {
    "external_id": "OPN-RACE",
    "organization": "ORG-A",
    "position": "ALT",
    "slots": 1,
    "school_level": "elementary",
}
CREATES = {
    "participants": PERSON,
    "organizations": ORGANIZATION,
    "openings": OPENING,
}


@pytest.fixture
def inserts_wait_for_each_other(engine: Engine, keys: Keys, client: TestClient) -> Iterator[None]:
    """Every request thread stops before its first INSERT until all racers got there.

    So each racer has passed the "does it exist already?" check before anyone writes:
    the unique constraints, not the check, decide who wins. (Set up after the keys and
    the client, whose own INSERTs must not wait.)
    """
    barrier = threading.Barrier(RACERS, timeout=20)
    waited: set[int] = set()

    def wait_before_first_insert(*args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().upper().startswith("INSERT") and threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()

    event.listen(engine, "before_cursor_execute", wait_before_first_insert)
    yield
    event.remove(engine, "before_cursor_execute", wait_before_first_insert)


def race(send: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """`send` RACERS times at once."""
    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(lambda _: send(), range(RACERS)))


@pytest.mark.usefixtures("inserts_wait_for_each_other")
class TestRacingCreates:
    @pytest.mark.parametrize("resource", sorted(CREATES))
    def test_one_create_wins_and_the_others_get_409(
        self, client: TestClient, keys: Keys, resource: str
    ) -> None:
        responses = race(
            lambda: client.post(
                f"/api/v1/{resource}", json=CREATES[resource], headers=auth(keys.coordinator)
            )
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [201] + [409] * (RACERS - 1)
        for response in responses:
            if response.status_code == 409:
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["type"].endswith("/conflict")

    def test_overlapping_retries_with_one_idempotency_key_replay_the_first_answer(
        self, client: TestClient, keys: Keys
    ) -> None:
        headers = {**auth(keys.coordinator), "Idempotency-Key": "race-1"}
        responses = race(lambda: client.post("/api/v1/participants", json=PERSON, headers=headers))
        assert [response.status_code for response in responses] == [201] * RACERS
        replayed = [response.headers.get("Idempotent-Replayed") for response in responses]
        assert replayed.count("true") == RACERS - 1
        assert len({response.content for response in responses}) == 1

    def test_identical_imports_one_applies_and_the_others_get_409(
        self, client: TestClient, keys: Keys
    ) -> None:
        document = orjson.dumps({"format": fmt.FORMAT, "organizations": [ORGANIZATION]})
        responses = race(
            lambda: client.post(
                "/api/v1/imports",
                content=document,
                headers={**auth(keys.coordinator), "Content-Type": "application/json"},
            )
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200] + [409] * (RACERS - 1)
        created = [r.json()["organizations"]["created"] for r in responses if r.status_code == 200]
        assert created == [1]


def test_an_unexpected_error_is_a_problem_500_and_logs_no_personal_data(
    settings: Settings,
    engine: Engine,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)  # where the app's log lines go
    app = create_app(settings, engine)

    def failing_create(*, session: Any, participant_in: fmt.Participant, **_: Any) -> None:
        # A statement that fails with the person's data among its parameters (NOT NULL).
        session.execute(
            text("INSERT INTO participants (external_id, family_name, email) VALUES (:e, :f, :m)"),
            {"e": participant_in.external_id, "f": participant_in.family_name, "m": "x@y.z"},
        )

    monkeypatch.setattr(participants, "create_participant", failing_create)
    # raise_server_exceptions (the default): the test fails if anything escapes the app.
    with caplog.at_level(logging.DEBUG), TestClient(app) as client:
        response = client.post(
            "/api/v1/participants",
            json=PERSON,
            headers={**auth(keys.coordinator), "X-Request-ID": "req-boom"},
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "req-boom"
    assert response.json()["request_id"] == "req-boom"
    assert response.json()["detail"] == "an unexpected error occurred"
    written = log.getvalue() + caplog.text
    error_line = next(line for line in written.splitlines() if "unhandled_error" in line)
    assert "IntegrityError" in error_line
    assert "req-boom" in error_line
    for personal in ("Secretfamily", "Secretgiven", "secret.person@example.org", "x@y.z"):
        assert personal not in written
        assert personal not in response.text
