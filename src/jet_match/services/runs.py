"""Runs: the queue of solves. The API starts, reads and cancels them; workers claim and finish.

The `runs` table is the queue. A run is `queued` when started; a worker claims it with
`UPDATE runs SET status='running' ... WHERE id = :id AND status = 'queued'` (rowcount 1:
it is ours; on PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED` first), so
with any number of API processes and workers exactly one worker runs it. The worker
reports progress and a heartbeat on the row about once a second and reads back whether a
cancellation was asked. It finishes the run in ONE transaction with the plan: the run's
success, the new working plan and the round's new version commit together, or nothing
does. A run whose worker stops answering (heartbeat older than `stale_after`) or whose
worker process is gone is marked `interrupted`; the plan it would have written never
existed. One run at a time per round: `rounds.active_run_id` is claimed with a
conditional UPDATE too (409 otherwise).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import Conflict, NotFound
from jet_match.schemas import (
    BoundValue,
    ObjectiveValue,
    Page,
    RoundStatus,
    RuleBreak,
    RunCreate,
    RunOutcome,
    RunProgress,
    RunPublic,
    RunStatus,
)
from jet_match.services import audit, plans, round_data, rounds
from jet_match.services.access import WORKER, Action, Caller, authorize
from jet_match.services.pagination import PageRequest, paginate
from jet_match.services.solving import result_document
from jet_match.services.writes import IdempotencyKey, Written, commit, run_idempotent
from jet_match.solver import Problem, Result, Status

Run = models.Run
ACTIVE = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


#: The run's placements and unplaced lists (hundreds of KB at national scale) are read
#: only by comparisons: not by the progress polls that read runs most.
WITHOUT_PLAN = (defer(Run.plan), defer(Run.unplaced))  # type: ignore[arg-type]


def find(session: Session, run_id: int) -> models.Run:
    """The run (its plan left unread); NotFound if there is none."""
    row = session.get(Run, run_id, options=WITHOUT_PLAN) if 0 < run_id < 2**63 else None
    if row is None:
        raise NotFound(f"no run {run_id}")
    return row


def public(row: models.Run, round_external_id: str) -> RunPublic:
    """The run as the API shows it."""
    assert row.id is not None
    return RunPublic(
        id=row.id,
        round=round_external_id,
        status=RunStatus(row.status),
        minimise_disruption=row.minimise_disruption,
        time_limit_s=row.time_limit_s,
        seed=row.seed,
        requested_by=row.requested_by,
        cancel_requested=row.cancel_requested,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        progress=RunProgress.model_validate(row.progress),
        outcome=RunOutcome.model_validate(row.outcome) if row.outcome else None,
        error=row.error,
    )


def _round_of(session: Session, row: models.Run) -> models.Round:
    found = session.get(models.Round, row.round_id)
    assert found is not None
    return found


# --- the API side -------------------------------------------------------------------------


def start_run(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    options: RunCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[RunPublic]:
    """Queue a run of the round (202); 409 while another run of it is queued or running."""
    authorize(caller, Action.ROUNDS_WRITE)

    def produce() -> Written[RunPublic]:
        row = rounds.find(session, round_id)
        rounds.ensure_open(row)
        assert row.id is not None
        if row.active_run_id is not None:
            raise _busy(row)
        run = Run(
            round_id=row.id,
            status=RunStatus.QUEUED.value,
            minimise_disruption=options.minimise_disruption,
            time_limit_s=options.time_limit_s or row.time_limit_s,
            seed=options.seed if options.seed is not None else row.seed,
            base_version=row.version + 1,
            requested_by=caller.actor,
            progress={"phase": "queued"},
        )
        session.add(run)
        session.flush()
        claimed = session.execute(
            update(models.Round)
            .where(
                col(models.Round.id) == row.id,
                col(models.Round.version) == row.version,
                col(models.Round.active_run_id).is_(None),
            )
            .values(active_run_id=run.id, version=row.version + 1, updated_at=models.utcnow())
        )
        if getattr(claimed, "rowcount", 0) != 1:
            session.rollback()
            raise Conflict(
                f"round '{round_id}' changed or started another run meanwhile; read it and retry"
            )
        audit.record(
            session,
            caller,
            "run.queue",
            "round",
            row.external_id,
            run=run.id,
            minimise_disruption=run.minimise_disruption,
            time_limit_s=run.time_limit_s,
            seed=run.seed,
        )
        return Written(public(run, row.external_id), status_code=202)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="run.start",
        payload=f"{round_id}\n{options.model_dump_json()}".encode(),
        answer_model=RunPublic,
        produce=produce,
    )


def _busy(row: models.Round) -> Conflict:
    return Conflict(
        f"run {row.active_run_id} of round '{row.external_id}' is queued or running; "
        "one run at a time per round"
    )


def get_run(*, session: Session, caller: Caller, run_id: int) -> RunPublic:
    """A run's status, progress and, when done, outcome."""
    authorize(caller, Action.ROUNDS_READ)
    row = find(session, run_id)
    return public(row, _round_of(session, row).external_id)


def list_runs(
    *, session: Session, caller: Caller, round_id: str, page: PageRequest
) -> Page[RunPublic]:
    """The runs of a round, newest first."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    result = paginate(
        session,
        select(Run).where(Run.round_id == row.id).options(*WITHOUT_PLAN),
        col(Run.id),
        page,
        key_type=int,
        descending=True,
    )
    return Page(
        items=[public(run, row.external_id) for (run,) in result.rows],
        next_cursor=result.next_cursor,
    )


def cancel_run(*, session: Session, caller: Caller, run_id: int) -> Written[RunPublic]:
    """Cancel a run: a queued one at once (200), a running one by its worker (202)."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = find(session, run_id)
    round_row = _round_of(session, row)
    if row.status == RunStatus.QUEUED.value and _finish(
        session,
        row,
        RunStatus.CANCELLED,
        error="cancelled before a worker took it",
        only_from=(RunStatus.QUEUED.value,),
    ):
        audit.record(session, caller, "run.cancel", "round", round_row.external_id, run=row.id)
        commit(session)
        session.refresh(row)
        return Written(public(row, round_row.external_id), status_code=200)
    session.refresh(row)
    if row.status != RunStatus.RUNNING.value:
        raise Conflict(f"run {run_id} has finished already ({row.status})")
    session.execute(
        update(Run)
        .where(col(Run.id) == row.id, col(Run.status) == RunStatus.RUNNING.value)
        .values(cancel_requested=True)
    )
    audit.record(session, caller, "run.cancel_request", "round", round_row.external_id, run=row.id)
    commit(session)
    session.refresh(row)
    return Written(public(row, round_row.external_id), status_code=202)


# --- the worker side ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker solves for a claimed run."""

    run_id: int
    round_id: int
    problem: Problem
    time_limit_s: float
    seed: int


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
            )
        )
        if getattr(claimed, "rowcount", 0) == 1:
            run = session.get(Run, run_id)
            assert run is not None
            audit.record(
                session,
                WORKER,
                "run.claim",
                "round",
                _round_of(session, run).external_id,
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
    round_row = _round_of(session, run)
    assert round_row.id is not None
    problem = round_data.full_problem(
        session, round_row, with_previous_plan=run.minimise_disruption
    )
    return Job(run_id, round_row.id, problem, run.time_limit_s, run.seed)


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
    if getattr(written, "rowcount", 0) != 1:
        return Heartbeat.LOST
    cancel = session.scalar(select(Run.cancel_requested).where(Run.id == run_id))
    session.rollback()
    return Heartbeat.CANCEL if cancel else Heartbeat.CONTINUE


def complete_run(
    session: Session,
    run_id: int,
    worker: str,
    result: Result,
    progress: dict[str, Any],
    timings: dict[str, float] | None = None,
) -> RunStatus:
    """Finish a run with the solver's result: plan, run and round in one transaction.

    `timings` (seconds spent loading and preparing the problem) join the solver's own in
    the outcome, with `save_s`, the time to write all this.

    A plan (optimal or feasible) replaces the working plan; infeasible or timeout ends
    the run `failed` with the conflicts. If the round changed while solving (a
    withdrawal), the plan is not applied and the run fails saying so.
    """
    run = find(session, run_id)
    if run.status != RunStatus.RUNNING.value or run.worker != worker:
        session.rollback()
        return RunStatus(run.status)
    round_row = _round_of(session, run)
    saving = time.perf_counter()
    document = result_document(result)
    document["timings"].update(timings or {})
    outcome = _outcome(document)
    progress = {**progress, "phase": "done"}
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        why = (
            "the problem is infeasible: " + "; ".join(c.message for c in result.conflicts)
            if result.status is Status.INFEASIBLE
            else "no valid plan was found within the time limit"
        )
        _finish(
            session, run, RunStatus.FAILED, error=why[:1000], outcome=outcome, progress=progress
        )
        audit.record(
            session, WORKER, "run.fail", "round", round_row.external_id, run=run_id, error=why[:200]
        )
        commit(session)
        return RunStatus.FAILED
    assert round_row.id is not None
    new_status = _status_after_run(round_row.status)
    applied = session.execute(
        update(models.Round)
        .where(
            col(models.Round.id) == round_row.id,
            col(models.Round.active_run_id) == run_id,
            col(models.Round.version) == run.base_version,
        )
        .values(
            active_run_id=None,
            version=run.base_version + 1,
            status=new_status,
            updated_at=models.utcnow(),
        )
    )
    if getattr(applied, "rowcount", 0) != 1:
        session.rollback()
        why = (
            "the round changed while the run was solving (a participant withdrew); its plan "
            "was not applied: start a new run"
        )
        _finish(session, run, RunStatus.FAILED, error=why, outcome=outcome, progress=progress)
        audit.record(
            session, WORKER, "run.fail", "round", round_row.external_id, run=run_id, error=why
        )
        commit(session)
        return RunStatus.FAILED
    changed = plans.replace_plan(session, round_row.id, _placements(session, result), source="run")
    outcome["changed"] = changed
    outcome["timings"]["save_s"] = round(time.perf_counter() - saving, 4)
    finished = session.execute(
        update(Run)
        .where(col(Run.id) == run_id, col(Run.worker) == worker, col(Run.status) == "running")
        .values(
            status=RunStatus.SUCCEEDED.value,
            finished_at=models.utcnow(),
            outcome=outcome,
            progress=progress,
            plan=[[p["participant"], p["opening"], p["score"]] for p in document["placements"]],
            unplaced=document["unplaced"],
        )
    )
    if getattr(finished, "rowcount", 0) != 1:
        session.rollback()
        return RunStatus(find(session, run_id).status)
    audit.record(
        session,
        WORKER,
        "run.succeed",
        "round",
        round_row.external_id,
        run=run_id,
        status=result.status.value,
        objective=outcome["objective"],
        changed=changed,
        before=round_row.status,
        after=new_status,
    )
    commit(session)
    return RunStatus.SUCCEEDED


def _status_after_run(status: str) -> str:
    if status == RoundStatus.DRAFT.value:
        return RoundStatus.SOLVED.value
    return rounds.status_after_change(status)


def _placements(session: Session, result: Result) -> dict[int, plans.NewPlacement]:
    people = dict(
        session.execute(select(models.Participant.external_id, models.Participant.id)).all()
    )
    places = dict(session.execute(select(models.Opening.external_id, models.Opening.id)).all())
    return {
        people[p.participant]: plans.NewPlacement(places[p.opening], p.score, p.breakdown)
        for p in result.placements
    }


def _outcome(document: dict[str, Any]) -> dict[str, Any]:
    objective = document["objective"]
    outcome = RunOutcome(
        status=document["status"],
        engine=document["engine"],
        objective=ObjectiveValue(**objective, net=objective["score"] - objective["disruption"]),
        bound=BoundValue(**document["bound"]) if document["bound"] else None,
        gap=document["gap"],
        unplaced=len(document["unplaced"]),
        conflicts=[
            RuleBreak(
                rule=c["code"],
                message=c["message"],
                participants=list(c["participants"]),
                openings=list(c["openings"]),
            )
            for c in document["conflicts"]
        ],
        metrics=document["metrics"],
        timings=document["timings"],
    )
    return outcome.model_dump(mode="json")


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
    ended = _finish(
        session, run, status, error=error, progress=progress, only_from=(RunStatus.RUNNING.value,)
    )
    if ended:
        audit.record(
            session,
            WORKER,
            f"run.{_VERBS[status]}",
            "round",
            _round_of(session, run).external_id,
            run=run_id,
            error=error[:200],
        )
        commit(session)
    else:
        session.rollback()
    return ended


_VERBS = {
    RunStatus.CANCELLED: "cancel",
    RunStatus.FAILED: "fail",
    RunStatus.INTERRUPTED: "interrupt",
}


def _finish(
    session: Session,
    run: models.Run,
    status: RunStatus,
    *,
    error: str,
    outcome: dict[str, Any] | None = None,
    progress: dict[str, Any] | None = None,
    only_from: Sequence[str] = (RunStatus.RUNNING.value,),
) -> bool:
    """Move the run to a final status and free its round (no plan is written)."""
    values: dict[str, Any] = {
        "status": status.value,
        "finished_at": models.utcnow(),
        "error": error,
    }
    if outcome is not None:
        values["outcome"] = outcome
    if progress is not None:
        values["progress"] = {**progress, "phase": "done"}
    ended = session.execute(
        update(Run)
        .where(col(Run.id) == run.id, col(Run.status).in_(list(only_from)))
        .values(**values)
    )
    if getattr(ended, "rowcount", 0) != 1:
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
