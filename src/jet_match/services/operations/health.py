"""Readiness: can this deployment do its work now?

Ready means all of: the database answers; its schema is at the newest migration; at
least one worker beat recently (`worker_heartbeats`, written idle or busy); the oldest
queued run waits less than a threshold (a queue nobody drains says the workers are
stuck or too few); the oldest undelivered event is younger than a threshold (the
outbox's hook, `events`). Liveness needs none of it. The reasons are told to
coordinators only: to anyone else they would map the deployment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from jet_match import __version__, models
from jet_match.config import Settings
from jet_match.db import head_revision
from jet_match.schemas.health import Health, Readiness, ReadinessCheck
from jet_match.services.kit.access import Caller
from jet_match.services.operations import events, workers
from jet_match.statuses import Role, RunStatus


def database_health(*, session: Session) -> Health:
    """The older `/health`: "ok" if the database answers a query, "degraded" if not."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        return Health(status="degraded", database="unreachable", version=__version__)
    return Health(status="ok", database="ok", version=__version__)


def readiness(*, session: Session, caller: Caller | None, settings: Settings) -> Readiness:
    """Every readiness condition; the details only when `caller` is a coordinator."""
    checks = _checks(session, settings)
    ready = all(check.ok for check in checks)
    details = caller is not None and caller.role is Role.COORDINATOR
    return Readiness(status="ready" if ready else "not_ready", checks=checks if details else None)


def oldest_queued_at(session: Session) -> datetime | None:
    """When the run that has waited longest in the queue was started, if any."""
    oldest = session.scalar(
        select(func.min(col(models.Run.created_at))).where(
            col(models.Run.status) == RunStatus.QUEUED.value
        )
    )
    return _aware(oldest)


def _checks(session: Session, settings: Settings) -> list[ReadinessCheck]:
    try:
        session.execute(text("SELECT 1"))
        revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        session.rollback()
        return [ReadinessCheck(name="database", ok=False, detail="the database does not answer")]
    checks = [ReadinessCheck(name="database", ok=True, detail="the database answers")]
    head = head_revision()
    checks.append(
        ReadinessCheck(
            name="migrations",
            ok=revision == head,
            detail=f"schema at {revision}, newest {head}"
            + ("" if revision == head else ": run `jet-match migrate`"),
        )
    )
    live = workers.live_workers(session, max_age_s=settings.health_worker_max_age_s)
    checks.append(
        ReadinessCheck(
            name="workers",
            ok=bool(live),
            detail=f"{len(live)} worker(s) beat within {settings.health_worker_max_age_s:g} s",
        )
    )
    checks.append(
        _age_check(
            "queue", oldest_queued_at(session), settings.health_queue_max_age_s, "queued run"
        )
    )
    checks.append(
        _age_check(
            "events",
            events.oldest_undelivered_event_at(session),
            settings.health_event_max_age_s,
            "undelivered event",
        )
    )
    session.rollback()
    return checks


def _age_check(name: str, oldest: datetime | None, max_age_s: float, what: str) -> ReadinessCheck:
    if oldest is None:
        return ReadinessCheck(name=name, ok=True, detail=f"no {what} waiting")
    age = (models.utcnow() - oldest).total_seconds()
    return ReadinessCheck(
        name=name,
        ok=age <= max_age_s,
        detail=f"the oldest {what} has waited {age:.0f} s (limit {max_age_s:g} s)",
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=models.utcnow().tzinfo)
