"""The outcome of a run: the solver's `Result` becomes the round's working plan, or a
failed run that says why.

A worker finishes a run in ONE transaction with the plan: the run's success, the new
working plan and the round's new version commit together, or nothing does — and only if
the records the run read (their versions, `round_data.RecordStamp`) are unchanged and the
plan keeps every pin of the round; otherwise the run fails naming the records or pins.

The outcome is built straight from the solver's `Result`: the solver process hands the
worker the `Result` dataclass itself (pickled through its pipe, no intermediate
document), and the run's `outcome`, placements and unplaced lists are written from it
here, in the shapes of `schemas.runs.RunOutcome` and the jet-match/result@1 document
(`bridge.solving` holds the one conversion of metrics and unplaced entries both use).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col

from jet_match import models
from jet_match.db import refresh_statistics
from jet_match.schemas.runs import (
    BoundValue,
    CertificateValue,
    PolicyValue,
    RuleBreak,
    RunOutcome,
    WaivedRules,
)
from jet_match.services.bridge import moves, round_data
from jet_match.services.bridge.solving import (
    certificate_document,
    metrics_document,
    objective_value,
    unplaced_entry,
    waived_document,
)
from jet_match.services.kit.access import WORKER
from jet_match.services.kit.writes import commit, updated_one
from jet_match.services.notifications import outbox
from jet_match.services.rounds import plan_diff, rounds
from jet_match.services.rounds.queue import failure_payload, find, finish, round_of
from jet_match.services.security import audit
from jet_match.solver import Result, Status
from jet_match.statuses import EventKind, RunStatus

Run = models.Run


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
    round_row = round_of(session, run)
    assert round_row.id is not None
    saving = time.perf_counter()
    outcome = run_outcome(result, timings or {}, policy=round_data.policy_of(round_row))
    progress = _final_progress(progress, result)
    has_plan = result.status in (Status.OPTIMAL, Status.FEASIBLE)
    # The new plan's differences from the working plan are worked out before the first
    # write, which takes SQLite's write lock until the commit (every other writer, an
    # audited read included, waits for it). They cannot go stale: every change of a
    # working plan bumps the round's version, and the plan is applied only to the round
    # at the run's base version (below).
    diff = (
        plan_diff.diff_plan(session, round_row.id, _placements(session, result), source="run")
        if has_plan
        else None
    )
    # The first write takes SQLite's write lock: nothing else commits until we do, so the
    # checks below hold at the commit (on PostgreSQL, changed_records locks the rows).
    ours = session.execute(
        update(Run)
        .where(col(Run.id) == run_id, col(Run.worker) == worker, col(Run.status) == "running")
        .values(heartbeat_at=models.utcnow())
    )
    if not updated_one(ours):
        session.rollback()
        return RunStatus(find(session, run_id).status)
    if diff is None:
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
    if not updated_one(applied):
        why = (
            "the round changed while the run was solving (a participant withdrew); its plan "
            "was not applied: start a new run"
        )
        return _fail(session, run, round_row, why, outcome, progress)
    changed = plan_diff.write_plan(session, diff)
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
            plan=[[p.participant, p.opening, p.score] for p in result.placements],
            unplaced=[unplaced_entry(u) for u in result.unplaced],
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
    outbox.record_event(
        session=session,
        kind=EventKind.RUN_FINISHED,
        organization_id=None,
        payload={
            "round": round_row.external_id,
            "run": run_id,
            "status": RunStatus.SUCCEEDED.value,
            "solver_status": result.status.value,
            "changed": changed,
        },
    )
    commit(session)
    refresh_statistics(session, models.Placement, rows_written=changed)
    return RunStatus.SUCCEEDED


def run_outcome(
    result: Result, timings: Mapping[str, float], *, policy: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The run's `outcome` (a `RunOutcome` as JSON) of a result; `timings` join the
    solver's own; `policy` is the scoring policy it ran under (`round_data.policy_of`)."""
    return RunOutcome(
        status=result.status.value,
        engine=result.engine,
        objective=objective_value(result.objective),
        bound=BoundValue(placed=result.bound.placed, score=result.bound.score)
        if result.bound
        else None,
        gap=result.gap,
        certificate=CertificateValue.model_validate(certificate_document(result.certificate))
        if result.certificate
        else None,
        unplaced=len(result.unplaced),
        conflicts=[
            RuleBreak(
                rule=c.code,
                message=c.message,
                participants=list(c.participants),
                openings=list(c.openings),
                failed_rules=list(c.failed_rules),
            )
            for c in result.conflicts
        ],
        metrics=metrics_document(result.metrics),
        timings={**asdict(result.timings), **timings},
        policy=PolicyValue.model_validate(policy) if policy is not None else None,
        waived=[WaivedRules.model_validate(w) for w in waived_document(result)],
    ).model_dump(mode="json")


def unkeepable_pins(session: Session, row: models.Round) -> list[RuleBreak]:
    """The round's pins (and overrides, which runs keep as pins) that no run can keep: a
    participant or an opening outside the round's positions, a withdrawn participant, a
    cancelled opening."""
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
        .where(
            col(placement.round_id) == row.id,
            col(placement.pinned) | col(placement.override_reason).is_not(None),
        )
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
    round_row = round_of(session, run)
    conflicts = unkeepable_pins(session, round_row)
    session.rollback()
    if not conflicts:
        return False
    outcome = RunOutcome(
        status="infeasible",
        engine="none",
        objective=None,
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
    if not finish(
        session, run, RunStatus.FAILED, error=why[:1000], outcome=outcome, progress=progress
    ):
        session.rollback()
        return RunStatus(find(session, run.id or 0).status)
    audit.record(
        session, WORKER, "run.fail", "round", round_row.external_id, run=run.id, error=why[:200]
    )
    outbox.record_event(
        session=session,
        kind=EventKind.RUN_FAILED,
        organization_id=None,
        payload=failure_payload(round_row.external_id, run.id or 0, RunStatus.FAILED, why),
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
    for pin in round_data.kept(round_data.plan_entries(session, row.id, kept_only=True)):
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


def _placements(session: Session, result: Result) -> dict[int, plan_diff.NewPlacement]:
    people, places = _row_ids(session, models.Participant), _row_ids(session, models.Opening)
    return {
        people[p.participant]: plan_diff.NewPlacement(places[p.opening], p.score, p.breakdown)
        for p in result.placements
    }


def _row_ids(session: Session, table: Any) -> dict[str, int]:
    """external_id -> row id of every record of a table (plain rows: no ORM objects)."""
    statement: Any = sa.select(col(table.external_id), col(table.id))
    return {
        external_id: int(row_id)
        for external_id, row_id in session.connection().execute(statement).all()
    }
