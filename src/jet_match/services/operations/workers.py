"""Worker heartbeats: every worker process says it is alive, idle or busy.

A run's own heartbeat (`runs.heartbeat_at`) only exists while a run is solved; a worker
that waits for work must be visible too, or readiness could not tell an idle worker from
none. Each worker upserts its row in `worker_heartbeats` every few seconds and deletes it
when it stops; a row whose beat is old belongs to a worker that died without a word.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.services.kit.writes import commit, updated_one

Heartbeat = models.WorkerHeartbeat


def beat(session: Session, *, worker: str, run_id: int | None) -> None:
    """Record that `worker` is alive now (and which run it solves, if any)."""
    now = models.utcnow()
    written = session.execute(
        update(Heartbeat).where(col(Heartbeat.worker) == worker).values(beat_at=now, run_id=run_id)
    )
    if not updated_one(written):
        session.add(Heartbeat(worker=worker, started_at=now, beat_at=now, run_id=run_id))
    commit(session)


def forget(session: Session, *, worker: str) -> None:
    """The worker stops: it is no longer counted."""
    session.execute(delete(Heartbeat).where(col(Heartbeat.worker) == worker))
    commit(session)


def forget_silent(session: Session, *, older_than: datetime) -> int:
    """Remove the rows of workers silent since `older_than` (they died); how many."""
    removed = session.execute(delete(Heartbeat).where(col(Heartbeat.beat_at) < older_than))
    commit(session)
    return int(getattr(removed, "rowcount", 0) or 0)


def live_workers(session: Session, *, max_age_s: float) -> list[models.WorkerHeartbeat]:
    """Workers that beat within the last `max_age_s` seconds, most recent first."""
    since = models.utcnow() - timedelta(seconds=max_age_s)
    return list(
        session.scalars(
            select(Heartbeat)
            .where(col(Heartbeat.beat_at) >= since)
            .order_by(col(Heartbeat.beat_at).desc())
        ).all()
    )
