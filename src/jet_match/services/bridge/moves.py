"""What moving one participant would do: the hard rules it breaks and the objective change.

A move is judged on a local problem (`round_data.local_problem`): the movers, their
partners, everyone now holding an opening a mover would take, and under a country cap
everyone placed in that prefecture with a mover's citizenship. Those are all the records
a move can bring into conflict, so the solver's `check_plan` and `plan_objective` on it
answer exactly as on the whole round, in milliseconds. Only rule breaks the move
*adds* count: the plan may already break rules a coordinator accepted earlier.

The objective change is after minus before, with the current plan as the previous plan:
moving a placed participant costs the round's `disruption` weight, as in a re-solve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.plans import ObjectiveChange
from jet_match.schemas.runs import RuleBreak
from jet_match.services.bridge import loaded_round, round_data
from jet_match.services.bridge.loaded_round import LoadedRound
from jet_match.services.bridge.round_data import PlanEntry
from jet_match.solver import (
    Assignment,
    Instance,
    Objective,
    PairReport,
    Problem,
    Violation,
    check_plan,
    pair_report,
    plan_objective,
    prepare,
)


@dataclass(frozen=True, slots=True)
class Move:
    """Put `participant` (row id) at `opening` (row id; None: unassign), pinned or not."""

    participant_id: int
    opening_id: int | None
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """What one move does to the plan."""

    move: Move
    participant: str
    opening: str | None
    before: PlanEntry | None
    breaks: tuple[RuleBreak, ...]
    change: ObjectiveChange
    pair: PairReport | None  # score and eligibility of the new pair


def rule_break(violation: Violation) -> RuleBreak:
    """A solver violation as the API reports it."""
    return RuleBreak(
        rule=violation.rule,
        message=violation.message,
        participants=list(violation.participants),
        openings=list(violation.openings),
        failed_rules=list(violation.failed_rules),
    )


def outside_the_run(
    row: models.Round, position: str, status: str, opening_position: str, opening_status: str
) -> list[str]:
    """Why no run of the round can place a participant at an opening (empty: one can)."""
    why = []
    if position not in row.positions:
        why.append(f"the round does not place {position} participants")
    if opening_position not in row.positions:
        why.append(f"the round does not cover {opening_position} openings")
    if status == fmt.ParticipantStatus.WITHDRAWN.value:
        why.append("the participant has withdrawn")
    if opening_status == fmt.OpeningStatus.CANCELLED.value:
        why.append("the opening is cancelled")
    return why


def objective_change(before: Objective, after: Objective) -> ObjectiveChange:
    """after - before."""
    score = after.score - before.score
    disruption = after.disruption - before.disruption
    return ObjectiveChange(
        placed=after.placed - before.placed,
        score=score,
        disruption=disruption,
        net=score - disruption,
    )


def assess(session: Session, row: models.Round, moves: Sequence[Move]) -> list[Assessment]:
    """Judge each move alone against the current plan (they share one local problem)."""
    assert row.id is not None
    if not moves:
        return []
    affected = _affected(session, row, moves)
    entries = round_data.plan_entries(session, row.id, affected)
    by_participant = {e.participant_id: e for e in entries}
    before_plan = round_data.assignments(entries)
    pins_before = round_data.pins(entries)
    problem = round_data.local_problem(
        session, row, affected, pinned=pins_before, previous_plan=before_plan
    )
    names = _names(session, moves)
    judged = _judge(
        problem,
        [
            (
                names.participants[m.participant_id],
                names.openings.get(m.opening_id) if m.opening_id is not None else None,
                m.pinned,
            )
            for m in moves
        ],
    )
    return [
        Assessment(
            move=move,
            participant=j.participant,
            opening=j.opening,
            before=by_participant.get(move.participant_id),
            breaks=j.breaks,
            change=j.change,
            pair=j.pair,
        )
        for move, j in zip(moves, judged, strict=True)
    ]


def assess_loaded(loaded: LoadedRound, moves: Sequence[tuple[str, str]]) -> list[Judgement]:
    """Judge each move (participant, opening: external ids) alone, on what a read has
    loaded (`loaded_round`): the same answers as `assess`, and no statement sent."""
    if not moves:
        return []
    movers, targets = {p for p, _ in moves}, {o for _, o in moves}
    affected = loaded_round.affected(loaded, movers, targets)
    return _judge(loaded_round.local_problem(loaded, affected), [(p, o, False) for p, o in moves])


@dataclass(frozen=True, slots=True)
class Judgement:
    """What moving `participant` to `opening` (None: unassigning) does to the plan."""

    participant: str
    opening: str | None
    breaks: tuple[RuleBreak, ...]
    change: ObjectiveChange
    pair: PairReport | None  # score and eligibility of the new pair


def _judge(problem: Problem, moves: Sequence[tuple[str, str | None, bool]]) -> list[Judgement]:
    """Each move (participant, opening or None, pinned) alone on the local `problem`,
    whose previous plan and pins are the current plan's part; only the rule breaks a
    move adds count."""
    base = prepare(problem)
    before_plan, pins_before = problem.previous_plan, problem.pins
    before_objective = plan_objective(base, before_plan)
    before_breaks = {_key(v) for v in check_plan(base, before_plan)}
    out = []
    for participant, opening, pinned in moves:
        after_plan = tuple(a for a in before_plan if a.participant != participant)
        if opening is not None:
            after_plan = (*after_plan, Assignment(participant, opening))
        after_pins = tuple(p for p in pins_before if p.participant != participant)
        if pinned and opening is not None:
            after_pins = (*after_pins, Assignment(participant, opening))
        instance = base if after_pins == pins_before else _with_pins(base, after_pins)
        breaks = tuple(
            rule_break(v) for v in check_plan(instance, after_plan) if _key(v) not in before_breaks
        )
        out.append(
            Judgement(
                participant=participant,
                opening=opening,
                breaks=breaks,
                change=objective_change(before_objective, plan_objective(instance, after_plan)),
                pair=pair_report(instance, participant, opening) if opening is not None else None,
            )
        )
    return out


def _with_pins(base: Instance, pinned: tuple[Assignment, ...]) -> Instance:
    return prepare(replace(base.problem, pins=pinned), base=base)


def _key(violation: Violation) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return violation.rule, tuple(sorted(violation.participants)), tuple(sorted(violation.openings))


@dataclass(frozen=True, slots=True)
class _Names:
    participants: dict[int, str]
    openings: dict[int, str]


def _names(session: Session, moves: Sequence[Move]) -> _Names:
    people = {m.participant_id for m in moves}
    places = {m.opening_id for m in moves if m.opening_id is not None}
    participants = dict(
        session.execute(
            select(models.Participant.id, models.Participant.external_id).where(
                col(models.Participant.id).in_(list(people))
            )
        ).all()
    )
    openings = dict(
        session.execute(
            select(models.Opening.id, models.Opening.external_id).where(
                col(models.Opening.id).in_(list(places))
            )
        ).all()
    )
    return _Names(participants, openings)


def _affected(session: Session, row: models.Round, moves: Sequence[Move]) -> set[int]:
    """Participants whose rules a move can touch: movers, holders, same country and prefecture."""
    assert row.id is not None
    placement = models.Placement
    affected = {m.participant_id for m in moves}
    targets = {m.opening_id for m in moves if m.opening_id is not None}
    if targets:
        affected.update(
            session.scalars(
                select(placement.participant_id).where(
                    placement.round_id == row.id, col(placement.opening_id).in_(list(targets))
                )
            ).all()
        )
    if targets and row.max_country_share_per_prefecture is not None:
        opening, organization, participant = models.Opening, models.Organization, models.Participant
        prefectures = session.scalars(
            select(organization.prefecture)
            .join(opening, col(opening.organization_id) == organization.id)
            .where(col(opening.id).in_(list(targets)))
        ).all()
        countries = session.scalars(
            select(participant.citizenship).where(
                col(participant.id).in_([m.participant_id for m in moves])
            )
        ).all()
        affected.update(
            session.scalars(
                select(placement.participant_id)
                .join(participant, col(participant.id) == placement.participant_id)
                .join(opening, col(opening.id) == placement.opening_id)
                .join(organization, col(organization.id) == opening.organization_id)
                .where(
                    placement.round_id == row.id,
                    col(organization.prefecture).in_(list(set(prefectures))),
                    col(participant.citizenship).in_(list(set(countries))),
                )
            ).all()
        )
    partners = session.scalars(
        select(models.Participant.partner_id).where(
            col(models.Participant.id).in_(list(affected)),
            col(models.Participant.partner_id).is_not(None),
        )
    ).all()
    affected.update(pid for pid in partners if pid is not None)
    return affected
