"""Liveness and readiness over HTTP: readiness follows a real worker as it stops and returns."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.main import create_app
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.operations import workers
from jet_match.services.security import audit
from jet_match.worker import InlineSolver, Worker
from round_support import ROUND, create_round, queue_run, work
from service_support import Keys, auth, wait_until


@contextmanager
def running_worker(engine: Engine, settings: Settings) -> Iterator[Worker]:
    """A worker polling in a thread of this process, stopped on exit."""
    worker = Worker(engine, settings, InlineSolver(engine))
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop_event.set()
        thread.join(timeout=30)


def test_liveness_needs_nothing_but_the_process(client: TestClient) -> None:
    response = client.get("/api/v1/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "alive"


def test_readiness_follows_the_worker_as_it_stops_and_returns(
    engine: Engine, settings: Settings, keys: Keys
) -> None:
    quick = settings.model_copy(
        update={"worker_heartbeat_s": 0.2, "worker_poll_s": 0.05, "health_worker_max_age_s": 2}
    )
    with TestClient(create_app(quick, engine)) as client:

        def status() -> int:
            code: int = client.get("/api/v1/health/ready").status_code
            return code

        assert status() == 503  # no worker yet
        with running_worker(engine, quick):
            wait_until(lambda: status() == 200, timeout=10)
            body = client.get("/api/v1/health/ready", headers=auth(keys.coordinator)).json()
            assert body["status"] == "ready"
            assert {check["name"] for check in body["checks"]} == {
                "database",
                "migrations",
                "workers",
                "queue",
                "events",
            }
        assert status() == 503  # a stopped worker takes its heartbeat away
        detail = client.get("/api/v1/health/ready", headers=auth(keys.coordinator)).json()
        workers = next(check for check in detail["checks"] if check["name"] == "workers")
        assert workers == {"name": "workers", "ok": False, "detail": workers["detail"]}
        assert workers["detail"].startswith("0 worker(s)")
        with running_worker(engine, quick):
            wait_until(lambda: status() == 200, timeout=10)


def test_readiness_tells_others_no_reasons(client: TestClient, keys: Keys) -> None:
    for headers in ({}, auth(keys.host_own), auth(keys.career_fair)):
        response = client.get("/api/v1/health/ready", headers=headers)
        assert response.status_code == 503
        assert response.json() == {"status": "not_ready"}
    assert client.get("/api/v1/health/ready", headers=auth(keys.revoked)).status_code == 401


def _sample(text: str, name: str) -> float:
    """The value of the one sample line starting with `name` (labels included)."""
    lines = [line for line in text.splitlines() if line.startswith(name + " ")]
    assert len(lines) == 1, (name, lines)
    return float(lines[0].rsplit(" ", 1)[1])


def test_metrics_report_requests_runs_queue_and_sign_ins(
    client: TestClient, keys: Keys, engine: Engine, settings: Settings
) -> None:
    create_round(engine)
    queue_run(engine)
    work(engine, settings)  # one succeeded run
    queue_run(engine)  # one waiting
    assert client.get("/api/v1/rounds/R-MISSING", headers=auth(keys.coordinator)).status_code == 404
    with Session(engine) as session:
        workers.beat(session, worker="elsewhere:1:1", run_id=None)
        audit.record(session, COMMAND_LINE, "user.sign_in_failed", "user", None)
        session.commit()
    response = client.get("/metrics", headers=auth(keys.coordinator))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    # Latency by route template and status, never by concrete path.
    assert (
        _sample(
            text,
            'jet_match_http_request_duration_seconds_count{method="GET",'
            'route="/api/v1/rounds/{round_id}",status="404"}',
        )
        == 1
    )
    assert "R-MISSING" not in text
    assert _sample(text, 'jet_match_runs{status="succeeded"}') == 1
    assert _sample(text, 'jet_match_runs{status="queued"}') == 1
    assert _sample(text, 'jet_match_run_duration_seconds_count{status="succeeded"}') == 1
    assert _sample(text, f'jet_match_solver_final_gap{{round="{ROUND}"}}') == 0
    assert _sample(text, "jet_match_queue_depth") == 1
    assert _sample(text, "jet_match_queue_oldest_age_seconds") >= 0
    assert _sample(text, "jet_match_workers_live") == 2  # the one that solved, and another
    assert _sample(text, "jet_match_sign_in_failures_total") == 1
    assert _sample(text, "jet_match_event_backlog") == 1  # run.finished, not yet dispatched
    assert _sample(text, "jet_match_event_delivery_failures_total") == 0


def test_metrics_need_the_scraper_token_or_a_coordinator(
    engine: Engine, settings: Settings, keys: Keys
) -> None:
    token = "s" * 40
    with TestClient(
        create_app(settings.model_copy(update={"metrics_token": SecretStr(token)}), engine)
    ) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers=auth("t" * 40)).status_code == 401
        assert c.get("/metrics", headers=auth(keys.host_own)).status_code == 403
        assert c.get("/metrics", headers=auth(token)).status_code == 200
        assert c.get("/metrics", headers=auth(keys.coordinator)).status_code == 200


def test_every_answer_carries_the_security_headers(engine: Engine, settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production, engine)) as c:
        for path, frame_rule in (
            ("/api/v1/health/live", "default-src 'none'"),
            ("/api/v1/organizations", "default-src 'none'"),  # a 401 too
            ("/app/login", "script-src 'self';"),
            ("/nowhere", "default-src 'none'"),
        ):
            headers = c.get(path).headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert frame_rule in headers["content-security-policy"]
            assert headers["strict-transport-security"].startswith("max-age=")
    with TestClient(create_app(settings, engine)) as c:
        assert "strict-transport-security" not in c.get("/api/v1/health/live").headers
