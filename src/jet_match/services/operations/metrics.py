"""The figures `/metrics` reports that live in the database, read at scrape time.

Read from the database rather than counted in one process, they agree whichever API
process is scraped and however many workers there are: runs by status, the durations of
finished runs, each round's last final gap, the queue's depth and age, live workers,
failed sign-ins (the audit trail's `user.sign_in_failed`), and the event outbox's backlog
and delivery failures (hooks in `events`). Request latency is per process: the API's
middleware counts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.operations import events, health, workers
from jet_match.statuses import RunStatus

FINISHED = (
    RunStatus.SUCCEEDED.value,
    RunStatus.FAILED.value,
    RunStatus.CANCELLED.value,
    RunStatus.INTERRUPTED.value,
)


@dataclass(frozen=True, slots=True)
class Figures:
    """What the database says about the service's work, now."""

    runs_by_status: dict[str, int]
    run_durations_s: dict[str, list[float]]  # by final status: finished_at - started_at
    final_gap_by_round: dict[str, float]  # the last succeeded run of each round
    queue_depth: int
    queue_oldest_age_s: float  # 0 when nothing is queued
    live_workers: int
    sign_in_failures: int
    event_backlog: int
    event_delivery_failures: int


def figures(*, session: Session, caller: Caller, worker_max_age_s: float) -> Figures:
    """The figures, for a coordinator or the metrics scraper."""
    authorize(caller, Action.METRICS_READ)
    by_status = {status.value: 0 for status in RunStatus}
    for status, count in session.execute(
        select(models.Run.status, func.count()).group_by(col(models.Run.status))
    ).all():
        by_status[status] = int(count)
    durations: dict[str, list[float]] = {status: [] for status in FINISHED}
    for status, started, finished in session.execute(
        select(models.Run.status, models.Run.started_at, models.Run.finished_at).where(
            col(models.Run.status).in_(FINISHED),
            col(models.Run.started_at).is_not(None),
            col(models.Run.finished_at).is_not(None),
        )
    ).all():
        durations[status].append(max(0.0, (finished - started).total_seconds()))
    gaps: dict[str, float] = {}
    for round_id, outcome in session.execute(
        select(models.Round.external_id, models.Run.outcome)
        .join(models.Round, col(models.Round.id) == col(models.Run.round_id))
        .where(col(models.Run.status) == RunStatus.SUCCEEDED.value)
        .order_by(col(models.Run.id))
    ).all():
        gap = (outcome or {}).get("gap")
        if isinstance(gap, int | float):
            gaps[round_id] = float(gap)
    oldest = health.oldest_queued_at(session)
    age = (models.utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    failures = session.scalar(
        select(func.count()).where(col(models.AuditEvent.action) == "user.sign_in_failed")
    )
    answer = Figures(
        runs_by_status=by_status,
        run_durations_s=durations,
        final_gap_by_round=gaps,
        queue_depth=by_status[RunStatus.QUEUED.value],
        queue_oldest_age_s=max(0.0, age),
        live_workers=len(workers.live_workers(session, max_age_s=worker_max_age_s)),
        sign_in_failures=int(failures or 0),
        event_backlog=events.event_backlog(session),
        event_delivery_failures=events.delivery_failures(session),
    )
    session.rollback()
    return answer
