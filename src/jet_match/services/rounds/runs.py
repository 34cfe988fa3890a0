"""Runs: the queue of solves. The API starts, reads and cancels them; workers claim and finish.

The `runs` table is the queue. A run is `queued` when started; a worker claims it with
`UPDATE runs SET status='running' ... WHERE id = :id AND status = 'queued'` (rowcount 1:
it is ours; on PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED` first), so
with any number of API processes and workers exactly one worker runs it. The worker
reports progress and a heartbeat on the row about once a second and reads back whether a
cancellation was asked. It finishes the run in ONE transaction with the plan: the run's
success, the new working plan and the round's new version commit together, or nothing
does — and only if the records the run read (their versions, `round_data.RecordStamp`)
are unchanged and the plan keeps every pin of the round; otherwise the run fails naming
the records or pins. A run whose worker stops answering (heartbeat older than
`stale_after`) or whose worker process is gone is marked `interrupted`; the plan it would
have written never existed. One run at a time per round: `rounds.active_run_id` is
claimed with a conditional UPDATE too (409 otherwise).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.db import refresh_statistics
from jet_match.errors import Conflict, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.runs import (
    BoundValue,
    ObjectiveValue,
    RuleBreak,
    RunCreate,
    RunOutcome,
    RunProgress,
    RunPublic,
)
from jet_match.services.bridge import moves, round_data
from jet_match.services.bridge.solving import result_document
from jet_match.services.kit.access import WORKER, Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import IdempotencyKey, Written, commit, run_idempotent
from jet_match.services.rounds import plans, rounds
from jet_match.services.security import audit
from jet_match.solver import Problem, Result, Status
from jet_match.statuses import RunStatus

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
    stamp = round_data.record_stamp(session, round_row)  # before the records: see its doc
    problem = round_data.full_problem(
        session, round_row, with_previous_plan=run.minimise_disruption
    )
    return Job(run_id, round_row.id, problem, run.time_limit_s, run.seed, stamp)


def unkeepable_pins(session: Session, row: models.Round) -> list[RuleBreak]:
    """The round's pins that no run can keep: a participant or an opening outside the
    round's positions, a withdrawn participant, a cancelled opening."""
    placement, participant, opening = models.Placement, models.Participant, models.Opening
    pinned = session.execute(
        sa.select(
            col(participant.external_id),
            col(participant.position),
            col(participant.status),
            col(opening.external_id),
            col(opening.position),
            col(opening.status),
        )
        .select_from(placement)
        .join(participant, col(participant.id) == placement.participant_id)
        .join(opening, col(opening.id) == placement.opening_id)
        .where(col(placement.round_id) == row.id, col(placement.pinned))
        .order_by(col(participant.external_id))
    ).all()
    breaks = []
    for person, position, status, place, place_position, place_status in pinned:
        why = moves.outside_the_run(row, position, status, place_position, place_status)
        if why:
            breaks.append(
                RuleBreak(
                    rule="pin_outside_run",
                    message=f"{person} is pinned to {place}, but " + "; ".join(why),
                    participants=[person],
                    openings=[place],
                )
            )
    return breaks


def refuse_unkeepable_pins(session: Session, run_id: int, worker: str) -> bool:
    """Fail a claimed run at once if the round has pins it cannot keep (True: failed)."""
    run = find(session, run_id)
    round_row = _round_of(session, run)
    conflicts = unkeepable_pins(session, round_row)
    session.rollback()
    if not conflicts:
        return False
    outcome = RunOutcome(
        status="infeasible",
        engine="none",
        objective=ObjectiveValue(placed=0, score=0, disruption=0, moved=0, net=0),
        bound=None,
        gap=None,
        unplaced=0,
        conflicts=conflicts,
        metrics={},
        timings={},
    ).model_dump(mode="json")
    _fail(session, run, round_row, _pins_error(conflicts), outcome, {}, worker=worker)
    return True


def _pins_error(conflicts: Sequence[RuleBreak]) -> str:
    named = "; ".join(c.message for c in conflicts)
    return (
        f"the plan's pins cannot all be kept: {named}. Unpin them (PUT .../plan/"
        "{participant} with pinned false or opening null), then start a new run"
    )[:1000]


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
    *,
    stamp: round_data.RecordStamp,
) -> RunStatus:
    """Finish a run with the solver's result: plan, run and round in one transaction.

    `timings` (seconds spent loading and preparing the problem) join the solver's own in
    the outcome, with `save_s`, the time to write all this; the final figures replace the
    last interim ones in `progress`.

    A plan (optimal or feasible) replaces the working plan. The run fails instead, with
    no plan written, when the solver found none (infeasible, with the conflicts, or
    timeout), when a pin of the round is not in the plan (outside the run, or withdrawn
    or cancelled meanwhile), when the records it read changed while it was solving
    (`stamp`: a withdrawal, a cancelled opening, any write to a participant, opening or
    organization of its positions), or when the round changed meanwhile.
    """
    run = find(session, run_id)
    if run.status != RunStatus.RUNNING.value or run.worker != worker:
        session.rollback()
        return RunStatus(run.status)
    # The first write takes SQLite's write lock: nothing else commits until we do, so the
    # checks below hold at the commit (on PostgreSQL, changed_records locks the rows).
    ours = session.execute(
        update(Run)
        .where(col(Run.id) == run_id, col(Run.worker) == worker, col(Run.status) == "running")
        .values(heartbeat_at=models.utcnow())
    )
    if getattr(ours, "rowcount", 0) != 1:
        session.rollback()
        return RunStatus(find(session, run_id).status)
    round_row = _round_of(session, run)
    assert round_row.id is not None
    saving = time.perf_counter()
    document = result_document(result)
    document["timings"].update(timings or {})
    outcome = _outcome(document)
    progress = _final_progress(progress, result)
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        why = (
            "the problem is infeasible: " + "; ".join(c.message for c in result.conflicts)
            if result.status is Status.INFEASIBLE
            else "no valid plan was found within the time limit"
        )
        return _fail(session, run, round_row, why, outcome, progress)
    changed_records = round_data.changed_records(session, round_row, stamp)
    if changed_records:
        why = (
            f"records changed while solving: {', '.join(changed_records)}; its plan was "
            "not applied: start a new run"
        )
        return _fail(session, run, round_row, why, outcome, progress)
    lost_pins = _pins_not_kept(session, round_row, result)
    if lost_pins:
        outcome["conflicts"] = [c.model_dump(mode="json") for c in lost_pins]
        return _fail(session, run, round_row, _pins_error(lost_pins), outcome, progress)
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
            updated_at=models.utcnow(),
        )
    )
    if getattr(applied, "rowcount", 0) != 1:
        why = (
            "the round changed while the run was solving (a participant withdrew); its plan "
            "was not applied: start a new run"
        )
        return _fail(session, run, round_row, why, outcome, progress)
    changed = plans.replace_plan(session, round_row.id, _placements(session, result), source="run")
    new_status = rounds.settle_status(session, WORKER, round_row, ran=True)
    outcome["changed"] = changed
    outcome["timings"]["save_s"] = round(time.perf_counter() - saving, 4)
    session.execute(
        update(Run)
        .where(col(Run.id) == run_id)
        .values(
            status=RunStatus.SUCCEEDED.value,
            finished_at=models.utcnow(),
            outcome=outcome,
            progress=progress,
            plan=[[p["participant"], p["opening"], p["score"]] for p in document["placements"]],
            unplaced=document["unplaced"],
        )
    )
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
    refresh_statistics(session, models.Placement, rows_written=changed)
    return RunStatus.SUCCEEDED


def _fail(
    session: Session,
    run: models.Run,
    round_row: models.Round,
    why: str,
    outcome: dict[str, Any],
    progress: dict[str, Any],
    *,
    worker: str | None = None,
) -> RunStatus:
    """End a running run `failed` without a plan (in a transaction of its own)."""
    session.rollback()
    if worker is not None and find(session, run.id or 0).worker != worker:
        session.rollback()
        return RunStatus(run.status)
    if not _finish(
        session, run, RunStatus.FAILED, error=why[:1000], outcome=outcome, progress=progress
    ):
        session.rollback()
        return RunStatus(find(session, run.id or 0).status)
    audit.record(
        session, WORKER, "run.fail", "round", round_row.external_id, run=run.id, error=why[:200]
    )
    commit(session)
    return RunStatus.FAILED


def _final_progress(progress: dict[str, Any], result: Result) -> dict[str, Any]:
    """The last progress report with the solver's final figures (RunProgress's fields)."""
    bound = result.bound
    return {
        **progress,
        "phase": "done",
        "placed": result.objective.placed,
        "score": result.objective.net,
        "bound_placed": bound.placed if bound else None,
        "bound_score": bound.score if bound else None,
        "gap": result.gap,
    }


def _pins_not_kept(session: Session, row: models.Round, result: Result) -> list[RuleBreak]:
    """The round's pins the result does not keep, and why (the solver leaves out, without
    a word, the pins of participants and openings outside its run)."""
    outside = {(b.participants[0], b.openings[0]): b for b in unkeepable_pins(session, row)}
    assert row.id is not None
    kept = {(p.participant, p.opening) for p in result.placements}
    lost = []
    for pin in round_data.pins(round_data.plan_entries(session, row.id, pinned_only=True)):
        key = (pin.participant, pin.opening)
        if key in kept:
            continue
        lost.append(
            outside.get(key)
            or RuleBreak(
                rule="pin_not_kept",
                message=f"{pin.participant} is pinned to {pin.opening}, which the run did not keep",
                participants=[pin.participant],
                openings=[pin.opening],
            )
        )
    return lost


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
