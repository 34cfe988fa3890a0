"""The queue of runs: workers claim runs, report progress and end them; lost runs are found.

The `runs` table is the queue. A run is `queued` when started; a worker claims it with
`UPDATE runs SET status='running' ... WHERE id = :id AND status = 'queued'` (one row
updated: it is ours; on PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED`
first), so with any number of API processes and workers exactly one worker runs it. The
worker reports progress and a heartbeat on the row about once a second and reads back
whether a cancellation was asked. A run whose worker stops answering (heartbeat older than
`stale_after`) or whose worker process is gone is marked `interrupted`; the plan it would
have written never existed. How a run that solved ends (its plan, or why none) is
`outcome`'s; the API's side (start, read, cancel) is `runs`'.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import NotFound
from jet_match.services.bridge import round_data
from jet_match.services.kit.access import WORKER
from jet_match.services.kit.writes import commit, updated_one
from jet_match.services.notifications import outbox
from jet_match.services.security import audit
from jet_match.solver import Problem
from jet_match.statuses import EventKind, RunStatus

Run = models.Run


#: The run's placements and unplaced lists (hundreds of KB at national scale) are read
#: only by comparisons: not by the progress polls that read runs most.
WITHOUT_PLAN = (defer(Run.plan), defer(Run.unplaced))  # type: ignore[arg-type]


def find(session: Session, run_id: int) -> models.Run:
    """The run (its plan left unread); NotFound if there is none."""
    row = session.get(Run, run_id, options=WITHOUT_PLAN) if 0 < run_id < 2**63 else None
    if row is None:
        raise NotFound(f"no run {run_id}")
    return row


def round_of(session: Session, row: models.Run) -> models.Round:
    """The round a run solves."""
    found = session.get(models.Round, row.round_id)
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker solves for a claimed run."""

    run_id: int
    round_id: int
    problem: Problem
    time_limit_s: float
    seed: int
    stamp: round_data.RecordStamp  # the records' versions when they were read


def claim_next(session: Session, worker: str) -> int | None:
    """Claim the oldest queued run for `worker`; its id, or None when the queue is empty."""
    candidates = session.scalars(
        select(Run.id)
        .where(Run.status == RunStatus.QUEUED.value)
        .order_by(col(Run.id))
        .limit(5)
        .with_for_update(skip_locked=True)
    ).all()
    for run_id in candidates:
        now = models.utcnow()
        claimed = session.execute(
            update(Run)
            .where(col(Run.id) == run_id, col(Run.status) == RunStatus.QUEUED.value)
            .values(
                status=RunStatus.RUNNING.value,
                worker=worker,
                started_at=now,
                heartbeat_at=now,
                progress={"phase": "loading", "elapsed_s": 0.0},
                attempts=col(Run.attempts) + 1,
            )
        )
        if updated_one(claimed):
            run = session.get(Run, run_id)
            assert run is not None
            audit.record(
                session,
                WORKER,
                "run.claim",
                "round",
                round_of(session, run).external_id,
                run=run_id,
                worker=worker,
            )
            commit(session)
            return int(run_id)
    session.rollback()
    return None


def job_of(session: Session, run_id: int) -> Job:
    """The problem of a claimed run: the round's records, pins, forbidden pairs and, to
    minimise disruption, its current plan as the previous plan."""
    run = find(session, run_id)
    round_row = round_of(session, run)
    assert round_row.id is not None
    stamp = round_data.record_stamp(session, round_row)  # before the records: see its doc
    problem = round_data.full_problem(
        session, round_row, with_previous_plan=run.minimise_disruption
    )
    return Job(run_id, round_row.id, problem, run.time_limit_s, run.seed, stamp)


class Heartbeat(enum.Enum):
    """What a worker learns when it reports progress."""

    CONTINUE = "continue"
    CANCEL = "cancel"  # a coordinator asked to cancel
    LOST = "lost"  # the run is no longer ours (marked interrupted meanwhile)


def report_progress(
    session: Session, run_id: int, worker: str, progress: dict[str, Any]
) -> Heartbeat:
    """Write the heartbeat and the latest progress; say whether to go on."""
    written = session.execute(
        update(Run)
        .where(
            col(Run.id) == run_id,
            col(Run.worker) == worker,
            col(Run.status) == RunStatus.RUNNING.value,
        )
        .values(heartbeat_at=models.utcnow(), progress=progress)
    )
    commit(session)
    if not updated_one(written):
        return Heartbeat.LOST
    cancel = session.scalar(select(Run.cancel_requested).where(Run.id == run_id))
    session.rollback()
    return Heartbeat.CANCEL if cancel else Heartbeat.CONTINUE


def end_run(
    session: Session,
    run_id: int,
    status: RunStatus,
    error: str,
    *,
    worker: str | None = None,
    progress: dict[str, Any] | None = None,
) -> bool:
    """End a running run without a plan (cancelled, failed, interrupted); False if it was
    not running (under `worker`, when given)."""
    run = find(session, run_id)
    if worker is not None and run.worker != worker:
        return False
    ended = finish(
        session, run, status, error=error, progress=progress, only_from=(RunStatus.RUNNING.value,)
    )
    if ended:
        audit.record(
            session,
            WORKER,
            f"run.{_VERBS[status]}",
            "round",
            round_of(session, run).external_id,
            run=run_id,
            error=error[:200],
        )
        if status is not RunStatus.CANCELLED:  # a cancellation is the coordinator's own act
            outbox.record_event(
                session=session,
                kind=EventKind.RUN_FAILED,
                organization_id=None,
                payload=failure_payload(round_of(session, run).external_id, run_id, status, error),
            )
        commit(session)
    else:
        session.rollback()
    return ended


def failure_payload(round_id: str, run_id: int, status: RunStatus, error: str) -> dict[str, Any]:
    """The payload of a `run.failed` event (failed, or interrupted: a worker was lost)."""
    return {"round": round_id, "run": run_id, "status": status.value, "error": error[:500]}


def retry_after_outage(
    session: Session, run_id: int, *, worker: str, max_attempts: int
) -> RunStatus | None:
    """A solve of `worker` was cut by a database outage (not a cancel, not a solver error):
    queue the run again while it has had fewer than `max_attempts` attempts, else mark it
    `interrupted` saying why. The new status, or None if the run was no longer ours
    (cancelled, or marked interrupted meanwhile: nothing is written then)."""
    run = find(session, run_id)
    if run.worker != worker or run.status != RunStatus.RUNNING.value:
        session.rollback()
        return None
    if run.attempts >= max_attempts:
        reason = (
            f"the database became unreachable during the solve, {run.attempts} times "
            f"(attempts are bounded by {max_attempts}); start the run again"
        )
        return (
            RunStatus.INTERRUPTED
            if end_run(session, run_id, RunStatus.INTERRUPTED, reason, worker=worker)
            else None
        )
    if run.cancel_requested:
        ended = end_run(
            session, run_id, RunStatus.CANCELLED, "cancelled by a coordinator", worker=worker
        )
        return RunStatus.CANCELLED if ended else None
    requeued = session.execute(
        update(Run)
        .where(
            col(Run.id) == run_id,
            col(Run.status) == RunStatus.RUNNING.value,
            col(Run.worker) == worker,
        )
        .values(
            status=RunStatus.QUEUED.value,
            worker=None,
            started_at=None,
            heartbeat_at=None,
            progress={"phase": "queued"},
        )
    )
    if not updated_one(requeued):
        session.rollback()
        return None
    audit.record(
        session,
        WORKER,
        "run.retry",
        "round",
        round_of(session, run).external_id,
        run=run_id,
        attempt=run.attempts,
    )
    commit(session)
    return RunStatus.QUEUED


def hand_back(session: Session, run_id: int, *, worker: str) -> bool:
    """A worker that is told to stop gives its run back to the queue: `queued` again, for
    the next worker to claim from the start (nothing of it was written); False if the run
    was no longer this worker's."""
    handed = session.execute(
        update(Run)
        .where(
            col(Run.id) == run_id,
            col(Run.worker) == worker,
            col(Run.status) == RunStatus.RUNNING.value,
        )
        .values(
            status=RunStatus.QUEUED.value,
            worker=None,
            started_at=None,
            heartbeat_at=None,
            progress={},
        )
    )
    if not updated_one(handed):
        session.rollback()
        return False
    run = find(session, run_id)
    audit.record(
        session,
        WORKER,
        "run.hand_back",
        "round",
        round_of(session, run).external_id,
        run=run_id,
        worker=worker,
    )
    commit(session)
    return True


_VERBS = {
    RunStatus.CANCELLED: "cancel",
    RunStatus.FAILED: "fail",
    RunStatus.INTERRUPTED: "interrupt",
}


#: The progress fields that describe a plan (`RunProgress`), null once a run ends without one.
PLAN_FIGURES = ("placed", "score", "bound_placed", "bound_score", "gap")


def finish(
    session: Session,
    run: models.Run,
    status: RunStatus,
    *,
    error: str,
    outcome: dict[str, Any] | None = None,
    progress: dict[str, Any] | None = None,
    only_from: Sequence[str] = (RunStatus.RUNNING.value,),
) -> bool:
    """Move the run to a final status and free its round (no plan is written); False if
    the run was not in one of `only_from` (nothing is written then). The run keeps no
    objective, metrics or progress figures: it has no plan they could describe."""
    values: dict[str, Any] = {
        "status": status.value,
        "finished_at": models.utcnow(),
        "error": error,
    }
    if outcome is not None:
        values["outcome"] = {**outcome, "objective": None, "metrics": {}}
    # No figures that look like a plan: the run wrote none (an infeasible solve would
    # otherwise report everyone of the previous plan as moved).
    last = progress if progress is not None else dict(run.progress or {})
    values["progress"] = {**last, **dict.fromkeys(PLAN_FIGURES), "phase": "done"}
    ended = session.execute(
        update(Run)
        .where(col(Run.id) == run.id, col(Run.status).in_(list(only_from)))
        .values(**values)
    )
    if not updated_one(ended):
        return False
    session.execute(
        update(models.Round)
        .where(col(models.Round.active_run_id) == run.id)
        .values(
            active_run_id=None,
            version=col(models.Round.version) + 1,
            updated_at=models.utcnow(),
        )
    )
    return True


def interrupt_lost(
    session: Session,
    *,
    stale_before: datetime,
    is_gone: Callable[[str], bool],
) -> list[int]:
    """Mark `interrupted` the running runs whose worker is gone or silent since `stale_before`."""
    running = session.execute(
        select(Run.id, Run.worker, Run.heartbeat_at).where(Run.status == RunStatus.RUNNING.value)
    ).all()
    session.rollback()
    lost = []
    for run_id, worker, heartbeat in running:
        beat = _aware(heartbeat)
        if worker is not None and is_gone(worker):
            why = "the worker process running it ended (crash or restart)"
        elif beat is None or beat < stale_before:
            why = "the worker running it stopped answering (no heartbeat)"
        else:
            continue
        if end_run(session, run_id, RunStatus.INTERRUPTED, why):
            lost.append(run_id)
    return lost


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=models.utcnow().tzinfo)


def stale_cutoff(stale_after_s: float) -> datetime:
    """Heartbeats older than this are stale."""
    return models.utcnow() - timedelta(seconds=stale_after_s)
