"""Runs, the API's side: start, read, list and cancel the solves of a round.

A run is queued here and solved by a worker (`queue` claims it, `outcome` writes what it
found). One run at a time per round: `rounds.active_run_id` is claimed with a
conditional UPDATE (409 otherwise). A queued run is cancelled at once; a running one is
asked to stop, and its worker ends it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import Conflict
from jet_match.schemas.common import Page
from jet_match.schemas.runs import RunCreate, RunOutcome, RunProgress, RunPublic
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    commit,
    run_idempotent,
    updated_one,
)
from jet_match.services.rounds import rounds, wakeup
from jet_match.services.rounds.queue import WITHOUT_PLAN, find, finish, round_of
from jet_match.services.security import audit
from jet_match.statuses import RunStatus

Run = models.Run


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
        attempts=row.attempts,
    )


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
        if not updated_one(claimed):
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
        wakeup.announce(session)  # idle workers claim it at once, not at their next poll
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
    return public(row, round_of(session, row).external_id)


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
    round_row = round_of(session, row)
    if row.status == RunStatus.QUEUED.value and finish(
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
