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
from typing import Any

from sqlalchemy import case, func
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


#: Seconds a run took, from its claim to its end: the histogram's upper bounds.
RUN_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass(frozen=True, slots=True)
class Durations:
    """The durations of the finished runs of one status, as a cumulative histogram."""

    count: int
    total_s: float
    at_most: tuple[int, ...]  # how many took at most RUN_BUCKETS[i] seconds


@dataclass(frozen=True, slots=True)
class Figures:
    """What the database says about the service's work, now."""

    runs_by_status: dict[str, int]
    run_durations: dict[str, Durations]  # by final status: finished_at - started_at
    final_gap_by_round: dict[str, float]  # the last succeeded run of each round
    queue_depth: int
    queue_oldest_age_s: float  # 0 when nothing is queued
    live_workers: int
    sign_in_failures: int
    event_backlog: int
    event_delivery_failures: int


def figures(*, session: Session, caller: Caller, worker_max_age_s: float) -> Figures:
    """The figures, for a coordinator or the metrics scraper.

    A fixed number of queries whatever the number of runs: counts and the duration
    histogram are aggregated in SQL, and the gap is read from one run per round.
    """
    authorize(caller, Action.METRICS_READ)
    by_status = {status.value: 0 for status in RunStatus}
    for status, count in session.execute(
        select(models.Run.status, func.count()).group_by(col(models.Run.status))
    ).all():
        by_status[status] = int(count)
    durations = run_durations(session)
    gaps = final_gaps(session)
    oldest = health.oldest_queued_at(session)
    age = (models.utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    failures = session.scalar(
        select(func.count()).where(col(models.AuditEvent.action) == "user.sign_in_failed")
    )
    answer = Figures(
        runs_by_status=by_status,
        run_durations=durations,
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


def _seconds(session: Session, start: Any, end: Any) -> Any:
    """SQL for the seconds between two timestamp columns, in this database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def run_durations(session: Session) -> dict[str, Durations]:
    """The histogram of finished runs' durations by status, summed in one grouped query."""
    run = models.Run
    seconds = _seconds(session, col(run.started_at), col(run.finished_at))
    columns = [func.count(), func.coalesce(func.sum(seconds), 0.0)] + [
        func.coalesce(func.sum(case((seconds <= bound, 1), else_=0)), 0) for bound in RUN_BUCKETS
    ]
    counted = {
        status: Durations(
            count=int(count), total_s=max(0.0, float(total)), at_most=tuple(int(n) for n in rest)
        )
        for status, count, total, *rest in session.execute(
            select(col(run.status), *columns)
            .where(
                col(run.status).in_(FINISHED),
                col(run.started_at).is_not(None),
                col(run.finished_at).is_not(None),
            )
            .group_by(col(run.status))
        ).all()
    }
    empty = Durations(count=0, total_s=0.0, at_most=(0,) * len(RUN_BUCKETS))
    return {status: counted.get(status, empty) for status in FINISHED}


def final_gaps(session: Session) -> dict[str, float]:
    """The final gap of each round's last succeeded run (one row per round)."""
    run = models.Run
    last = (
        select(func.max(col(run.id)).label("id"))
        .where(col(run.status) == RunStatus.SUCCEEDED.value)
        .group_by(col(run.round_id))
        .subquery()
    )
    gaps: dict[str, float] = {}
    for round_id, outcome in session.execute(
        select(models.Round.external_id, run.outcome)
        .join(last, col(run.id) == last.c.id)
        .join(models.Round, col(models.Round.id) == col(run.round_id))
    ).all():
        gap = (outcome or {}).get("gap")
        if isinstance(gap, int | float):
            gaps[round_id] = float(gap)
    return gaps
