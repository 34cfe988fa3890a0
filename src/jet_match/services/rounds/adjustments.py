"""One placement of a round's working plan changed by a coordinator: moved, pinned,
unpinned or unassigned, previewed first or not (the plan is read in `plans`).

Every change needs If-Match with the round's ETag (412 when stale, 428 without) and is
refused while a run is queued or running (409). A move that breaks a hard rule is
refused naming the rule and the records, unless `override_reason` is given: then it is
made, and the rules broken and the reason go to the audit trail (`plan.override`). An
override holds: every later run keeps it as a pin and waives the rules it breaks for that
pair alone, until a coordinator unpins, moves or unassigns it (`plan.override_end`). Each
answer reports the change of the objective (`jet_match.services.bridge.moves`).
`stage_change` makes a change the same way inside the bulk sheet's transaction (`bulk`),
which checks and bumps the round's version once for all its changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.schemas.plans import (
    Adjustment,
    ObjectiveChange,
    PlanChange,
    PlanItem,
)
from jet_match.schemas.runs import RuleBreak
from jet_match.services.bridge import moves
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import Written, commit, etag_of
from jet_match.services.rounds import rounds
from jet_match.services.rounds.plans import plan_item
from jet_match.services.security import audit

Placement = models.Placement


def change_placement(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    participant_id: str,
    change: PlanChange,
    if_match: str | None,
) -> Written[Adjustment]:
    """Move, pin, unpin or unassign one participant; refuse rule breaks unless overridden."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    person = lookups.find_participant(session, participant_id)
    rounds.check_plan_write(row, if_match)
    before, assessment = _assess_change(session, row, person, change)
    if assessment is None:
        return Written(_unchanged(participant_id, before), etag_of(row.version))
    if assessment.breaks and change.override_reason is None:
        raise _refused(participant_id, assessment.breaks)
    assert row.id is not None
    assert person.id is not None
    version = rounds.bump(session, row)
    _write(session, row.id, assessment, _kept_reason(before, change, assessment))
    rounds.settle_status(session, caller, row)
    after = plan_item(session, row.id, person.id)
    _audit_change(session, caller, row, participant_id, before, after, assessment, change)
    commit(session)
    return Written(
        Adjustment(
            participant=participant_id,
            before=before,
            after=after,
            objective_change=assessment.change,
            overridden=list(assessment.breaks),
        ),
        etag_of(version),
    )


@dataclass(frozen=True, slots=True)
class ChangePreview:
    """What a change would do, judged exactly as `change_placement` judges it, unsaved;
    `etag` is the round's, to send as If-Match with the change itself."""

    participant: str
    before: PlanItem | None
    opening: str | None
    pinned: bool
    breaks: tuple[RuleBreak, ...]
    objective_change: ObjectiveChange
    score: int | None  # the participant's score at the new opening
    etag: str


def preview_change(
    *, session: Session, caller: Caller, round_id: str, participant_id: str, change: PlanChange
) -> ChangePreview:
    """The rules a change would break and its objective change, without making it; the
    round's ETag goes with it, so the change is then made on the plan that was previewed.
    Refuses what `change_placement` refuses even with an override (withdrawn, cancelled,
    a pin no run could keep)."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    person = lookups.find_participant(session, participant_id)
    before, assessment = _assess_change(session, row, person, change)
    return ChangePreview(
        participant=participant_id,
        before=before,
        opening=change.opening,
        pinned=change.pinned,
        breaks=assessment.breaks if assessment else (),
        objective_change=assessment.change if assessment else NO_CHANGE,
        score=assessment.pair.score if assessment and assessment.pair else None,
        etag=etag_of(row.version),
    )


#: A change that moves nothing: every term of the objective unchanged.
NO_CHANGE = ObjectiveChange(placed=0, score=0, disruption=0, net=0)


def _unchanged(participant_id: str, before: PlanItem | None) -> Adjustment:
    return Adjustment(
        participant=participant_id,
        before=before,
        after=before,
        objective_change=NO_CHANGE,
        overridden=[],
    )


def _assess_change(
    session: Session, row: models.Round, person: models.Participant, change: PlanChange
) -> tuple[PlanItem | None, moves.Assessment | None]:
    """The current placement and the assessment of the change (None: nothing changes);
    raises what no override can make right."""
    assert row.id is not None
    assert person.id is not None
    if change.opening is None and change.pinned:
        message = "only a placement can be pinned: give an opening, or pinned false"
        raise InvalidInput(
            message,
            [FieldProblem("plan", person.external_id, "pinned", "pin_without_opening", message)],
        )
    opening = (
        lookups.find_opening(session, change.opening, field="opening") if change.opening else None
    )
    if opening is not None:
        _refuse_never_placed(person, opening)
    if opening is not None and (change.pinned or change.override_reason is not None):
        _refuse_unkeepable_pin(row, person, opening, pinned=change.pinned)
    before = plan_item(session, row.id, person.id)
    same_place = (before.opening if before else None) == change.opening
    if same_place and (before is None or before.pinned == change.pinned):
        return before, None
    move = moves.Move(person.id, opening.id if opening else None, change.pinned)
    return before, moves.assess(session, row, [move])[0]


def _refuse_never_placed(person: models.Participant, opening: models.Opening) -> None:
    """A withdrawn participant or a cancelled opening is never part of a plan, override or
    not: a publication would show a host someone who has left, or a post that is gone."""
    problems = []
    if person.status == fmt.ParticipantStatus.WITHDRAWN.value:
        message = f"{person.external_id} has withdrawn: a withdrawn participant is never placed"
        problems.append(
            FieldProblem("plan", person.external_id, "opening", "participant_withdrawn", message)
        )
    if opening.status == fmt.OpeningStatus.CANCELLED.value:
        message = f"opening {opening.external_id} is cancelled: nobody is placed there"
        problems.append(
            FieldProblem("plan", person.external_id, "opening", "opening_cancelled", message)
        )
    if problems:
        raise InvalidInput(
            "; ".join(problem.message for problem in problems) + " (even with an override)",
            problems,
        )


def _refuse_unkeepable_pin(
    row: models.Round, person: models.Participant, opening: models.Opening, *, pinned: bool
) -> None:
    """A pin no run could keep is refused, even with an override reason (a run would fail);
    so is an override there, pinned or not: every run keeps an override like a pin."""
    why = moves.outside_the_run(
        row, person.position, person.status, opening.position, opening.status
    )
    if why:
        reasons = "; ".join(why)
        verb = "pinned" if pinned else "placed with an override"
        message = f"{person.external_id} cannot be {verb} at {opening.external_id}: {reasons}"
        raise InvalidInput(
            message + " (no run of the round could keep it: runs keep pins and overrides)",
            [FieldProblem("plan", person.external_id, "pinned", "pin_outside_run", message)],
        )


def _refused(participant: str, breaks: tuple[RuleBreak, ...]) -> InvalidInput:
    problems = [
        FieldProblem(
            "plan",
            participant,
            "opening",
            item.rule,
            f"{item.rule}: {item.message} ({', '.join([*item.participants, *item.openings])})",
        )
        for item in breaks
    ]
    rules = ", ".join(sorted({item.rule for item in breaks}))
    return InvalidInput(
        f"the change breaks a hard rule ({rules}); send override_reason to make it anyway",
        problems,
    )


def _kept_reason(
    before: PlanItem | None, change: PlanChange, assessment: moves.Assessment
) -> str | None:
    """The override reason the placement keeps: the change's when it breaks a rule; the
    placement's own when an override is pinned where it stands (the waiver holds); none
    otherwise (unpinning, moving or unassigning an override ends its waiver)."""
    if assessment.breaks:
        return change.override_reason
    if (
        before is not None
        and before.override_reason is not None
        and before.opening == change.opening
        and change.pinned
    ):
        return before.override_reason
    return None


def _write(
    session: Session, round_id: int, assessment: moves.Assessment, override_reason: str | None
) -> None:
    move = assessment.move
    session.execute(
        delete(Placement).where(
            col(Placement.round_id) == round_id,
            col(Placement.participant_id) == move.participant_id,
        )
    )
    if move.opening_id is None or assessment.pair is None:
        return
    session.add(
        Placement(
            round_id=round_id,
            participant_id=move.participant_id,
            opening_id=move.opening_id,
            pinned=move.pinned,
            score=assessment.pair.score,
            breakdown=dict(assessment.pair.breakdown),
            source="adjustment",
            override_reason=override_reason,
        )
    )
    session.flush()


def _audit_change(
    session: Session,
    caller: Caller,
    row: models.Round,
    participant: str,
    before: PlanItem | None,
    after: PlanItem | None,
    assessment: moves.Assessment,
    change: PlanChange,
) -> None:
    if after is None:
        action = "plan.unassign"
    elif before is not None and before.opening == after.opening:
        action = "plan.pin" if after.pinned else "plan.unpin"
    else:
        action = "plan.move"
    audit.record(
        session,
        caller,
        action,
        "round",
        row.external_id,
        participant=participant,
        before=_state(before),
        after=_state(after),
        objective_change=assessment.change.model_dump(),
    )
    if (
        before is not None
        and before.override_reason is not None
        and (after is None or after.override_reason is None)
    ):
        audit.record(
            session,
            caller,
            "plan.override_end",
            "round",
            row.external_id,
            participant=participant,
            opening=before.opening,
            reason=before.override_reason,
        )
    if assessment.breaks:
        audit.record(
            session,
            caller,
            "plan.override",
            "round",
            row.external_id,
            participant=participant,
            opening=after.opening if after else None,
            rules=sorted({item.rule for item in assessment.breaks}),
            reason=change.override_reason,
        )


def _state(item: PlanItem | None) -> dict[str, Any] | None:
    return {"opening": item.opening, "pinned": item.pinned} if item else None


# --- Several changes in one transaction (the bulk sheet) ------------------------------------


class NeedsReason(InvalidInput):
    """A change that breaks hard rules (`breaks`) and has no override reason."""

    def __init__(
        self, detail: str, problems: list[FieldProblem], *, breaks: tuple[RuleBreak, ...]
    ) -> None:
        super().__init__(detail, problems)
        self.breaks = breaks


@dataclass(frozen=True, slots=True)
class Staged:
    """One change written (flushed, not committed) as `change_placement` writes it."""

    before: PlanItem | None
    after: PlanItem | None
    breaks: tuple[RuleBreak, ...]
    objective_change: ObjectiveChange


def stage_change(
    session: Session,
    caller: Caller,
    row: models.Round,
    person: models.Participant,
    change: PlanChange,
    *,
    audited: bool,
) -> Staged:
    """Judge one change on the plan as written so far in this transaction and write it
    (flush only): the same rules, refusals and audit events as `change_placement`, for a
    caller that checked the round's version and bumps it once for all its changes."""
    assert row.id is not None
    assert person.id is not None
    before, assessment = _assess_change(session, row, person, change)
    if assessment is None:
        return Staged(before, before, (), NO_CHANGE)
    if assessment.breaks and change.override_reason is None:
        refused = _refused(person.external_id, assessment.breaks)
        raise NeedsReason(refused.detail, refused.problems, breaks=assessment.breaks)
    _write(session, row.id, assessment, _kept_reason(before, change, assessment))
    after = plan_item(session, row.id, person.id)
    if audited:
        _audit_change(session, caller, row, person.external_id, before, after, assessment, change)
    return Staged(before, after, assessment.breaks, assessment.change)
