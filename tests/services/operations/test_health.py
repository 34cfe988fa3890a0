"""Readiness: each condition turns it false on its own, and the reasons are for coordinators."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text, update
from sqlmodel import Session

from jet_match import models
from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.operations import events, health, workers
from jet_match.statuses import Role
from round_support import create_round, queue_run

HOST = Caller(role=Role.HOST_ORG, organization_id=1)


def _ready(
    session: Session, settings: Settings, caller: Caller | None = COMMAND_LINE
) -> dict[str, bool]:
    answer = health.readiness(session=session, caller=caller, settings=settings)
    assert answer.checks is not None
    checks: dict[str, bool] = {check.name: check.ok for check in answer.checks}
    assert (answer.status == "ready") == all(checks.values())
    return checks


def test_without_a_worker_heartbeat_the_service_is_not_ready(
    session: Session, settings: Settings
) -> None:
    checks = _ready(session, settings)
    assert checks == {
        "database": True,
        "migrations": True,
        "workers": False,
        "queue": True,
        "events": True,
    }


def test_a_recent_heartbeat_makes_it_ready_and_an_old_one_does_not(
    session: Session, settings: Settings
) -> None:
    workers.beat(session, worker="host:1:1", run_id=None)
    assert all(_ready(session, settings).values())
    session.execute(
        update(models.WorkerHeartbeat).values(
            beat_at=models.utcnow() - timedelta(seconds=settings.health_worker_max_age_s + 1)
        )
    )
    session.commit()
    assert _ready(session, settings)["workers"] is False


def test_a_stopped_worker_is_forgotten_at_once(session: Session, settings: Settings) -> None:
    workers.beat(session, worker="host:1:1", run_id=None)
    workers.beat(session, worker="host:1:1", run_id=3)  # the same row, beaten again
    assert [row.run_id for row in workers.live_workers(session, max_age_s=60)] == [3]
    workers.forget(session, worker="host:1:1")
    assert _ready(session, settings)["workers"] is False


def test_a_run_queued_too_long_makes_it_not_ready(
    session: Session, engine: Engine, settings: Settings, loaded: object
) -> None:
    workers.beat(session, worker="host:1:1", run_id=None)
    create_round(engine)
    run_id = queue_run(engine)
    assert _ready(session, settings)["queue"] is True
    session.execute(
        update(models.Run)
        .where(models.Run.id == run_id)  # type: ignore[arg-type]
        .values(created_at=models.utcnow() - timedelta(seconds=settings.health_queue_max_age_s + 5))
    )
    session.commit()
    assert _ready(session, settings)["queue"] is False


def test_an_old_undelivered_event_makes_it_not_ready(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    workers.beat(session, worker="host:1:1", run_id=None)
    old = models.utcnow() - timedelta(seconds=settings.health_event_max_age_s + 5)
    monkeypatch.setattr(events, "oldest_undelivered_event_at", lambda _session: old)
    assert _ready(session, settings)["events"] is False


def test_a_schema_behind_the_newest_migration_makes_it_not_ready(
    session: Session, settings: Settings
) -> None:
    workers.beat(session, worker="host:1:1", run_id=None)
    head = session.scalar(text("SELECT version_num FROM alembic_version"))
    session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    session.commit()
    try:
        assert _ready(session, settings)["migrations"] is False
    finally:  # on PostgreSQL the tests share the schema's alembic_version
        session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        session.commit()
    assert _ready(session, settings)["migrations"] is True


def test_only_coordinators_hear_the_reasons(session: Session, settings: Settings) -> None:
    for caller in (None, HOST):
        answer = health.readiness(session=session, caller=caller, settings=settings)
        assert answer.status == "not_ready"
        assert answer.checks is None


def test_database_health_says_ok_when_the_database_answers(session: Session) -> None:
    answer = health.database_health(session=session)
    assert (answer.status, answer.database) == ("ok", "ok")


def test_database_health_says_degraded_when_the_database_does_not_answer(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/missing/folder/jet.db")
    with Session(engine) as broken:
        answer = health.database_health(session=broken)
    assert (answer.status, answer.database) == ("degraded", "unreachable")
