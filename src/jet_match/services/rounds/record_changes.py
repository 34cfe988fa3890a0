"""Working plans follow the records: a change that a placement no longer survives vacates it.

When an opening, an organization or a participant changes (a host cancels its opening
or raises its Japanese level, a participant's position or status changes, an
organization loses its specialist care), the placements it touches in every round that
is not closed are checked again with the solver's own rules. A placement that now breaks
a rule it did not break before is taken out of the working plan, exactly as a
withdrawal frees a place (`withdrawals.vacate`: the round's version is bumped, a
published round becomes amended, `plan.vacate` is audited with the reason): it becomes a
vacancy for fill-vacancies, and publishing shows the change. When an opening loses slots,
the placements beyond its new capacity are vacated, lowest score first (pinned last).

Rules counted: the pair's eligibility (`same_position`, `japanese_level`, `driving`,
`opening_open`, ...), and the run's scope (`not_in_run`: the participant is no longer
shortlisted for the round's positions; `out_of_scope`: the opening's position is not the
round's). A placement a coordinator made against a rule (an override) keeps that rule
broken; only what the change adds counts. Couples and country caps are not judged here:
a change that breaks them shows in the round report, and a re-solve mends it.

The services of the records call `watch` before they write and `follow` after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.withdrawals import FreedPlace
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.services.kit.access import Caller
from jet_match.services.kit.records import opening_record, organization_record, participant_record
from jet_match.services.rounds import withdrawals
from jet_match.solver import Assignment, pair_report, prepare
from jet_match.statuses import RoundStatus

Placement = models.Placement


@dataclass(frozen=True, slots=True)
class Watch:
    """The placements a change may invalidate, with the rules each broke before it, and
    the slots of the openings involved."""

    broken: dict[int, frozenset[str]]  # placement id -> rules broken
    slots: dict[int, int]  # opening id -> slots


def watch(
    session: Session,
    *,
    opening_ids: Collection[int] = (),
    participant_ids: Collection[int] = (),
    organization_ids: Collection[int] = (),
) -> Watch:
    """What the placements touching these records break now (call it before the change)."""
    places = _placements(session, opening_ids, participant_ids, organization_ids)
    slots = dict(
        session.execute(
            sa.select(col(models.Opening.id), col(models.Opening.slots)).where(
                col(models.Opening.id).in_({p.opening_id for p in places})
            )
        ).all()
    )
    return Watch(_broken(session, places), slots)


def follow(session: Session, caller: Caller, watched: Watch, *, reason: str) -> list[FreedPlace]:
    """Vacate the watched placements the change made invalid (call it after the change,
    in the same transaction); the places freed."""
    if not watched.broken:
        return []
    places = list(
        session.scalars(
            select(Placement)
            .where(col(Placement.id).in_(list(watched.broken)))
            .execution_options(populate_existing=True)
        )
    )
    now = _broken(session, places)
    invalid = [p for p in places if now[p.id or 0] - watched.broken[p.id or 0]]
    kept = [p for p in places if p not in invalid]
    return withdrawals.vacate(
        session, caller, invalid + _over_capacity(session, kept, watched.slots), reason=reason
    )


def _placements(
    session: Session,
    opening_ids: Collection[int],
    participant_ids: Collection[int],
    organization_ids: Collection[int],
) -> list[models.Placement]:
    """Placements of rounds that are not closed at those openings or of those people."""
    opening = models.Opening
    touched = col(Placement.opening_id).in_(list(opening_ids)) | col(Placement.participant_id).in_(
        list(participant_ids)
    )
    if organization_ids:
        touched = touched | col(Placement.opening_id).in_(
            select(opening.id).where(col(opening.organization_id).in_(list(organization_ids)))
        )
    return list(
        session.scalars(
            select(Placement)
            .join(models.Round, col(models.Round.id) == Placement.round_id)
            .where(col(models.Round.status) != RoundStatus.CLOSED.value, touched)
            .order_by(col(Placement.id))
        )
    )


def _broken(session: Session, places: Sequence[models.Placement]) -> dict[int, frozenset[str]]:
    """The rules each placement breaks on the records as the session sees them now."""
    by_round: dict[int, list[models.Placement]] = defaultdict(list)
    for place in places:
        by_round[place.round_id].append(place)
    broken: dict[int, frozenset[str]] = {}
    for round_id, placed in by_round.items():
        row = session.get(models.Round, round_id)
        assert row is not None
        broken.update(_broken_in_round(session, row, placed))
    return broken


def _broken_in_round(
    session: Session, row: models.Round, places: Sequence[models.Placement]
) -> dict[int, frozenset[str]]:
    """Judged on a problem of just these records, with the round's positions and pins."""
    fresh = {"populate_existing": True}  # the change was written with UPDATE statements
    people = list(
        session.scalars(
            select(models.Participant)
            .where(col(models.Participant.id).in_({p.participant_id for p in places}))
            .execution_options(**fresh)
        )
    )
    openings = list(
        session.scalars(
            select(models.Opening)
            .where(col(models.Opening.id).in_({p.opening_id for p in places}))
            .execution_options(**fresh)
        )
    )
    organizations = {
        o.id: o
        for o in session.scalars(
            select(models.Organization)
            .where(col(models.Organization.id).in_({o.organization_id for o in openings}))
            .execution_options(**fresh)
        )
    }
    person_of = {p.id: p.external_id for p in people}
    opening_of = {o.id: o.external_id for o in openings}
    dataset = fmt.Dataset.model_construct(  # records validated when they were stored
        format="jet-match/dataset@1",
        organizations=[organization_record(o) for o in organizations.values()],
        openings=[
            opening_record(o, organizations[o.organization_id].external_id) for o in openings
        ],
        participants=[participant_record(p, None) for p in people],
        policy=None,
        pins=[],
        forbidden=[],
        previous_plan=[],
    )
    problem = problem_from_dataset(
        dataset,
        positions=[fmt.Position(p) for p in row.positions],
        weights=row.weights,
        override_cap=True,
    )
    pins = tuple(
        Assignment(person_of[p.participant_id], opening_of[p.opening_id])
        for p in places
        if p.pinned
    )
    instance = prepare(replace(problem, pins=pins))
    participant_index = {pid: i for i, pid in enumerate(instance.tables.participant_ids)}
    opening_index = {oid: j for j, oid in enumerate(instance.tables.opening_ids)}
    broken = {}
    for place in places:
        person, opening = person_of[place.participant_id], opening_of[place.opening_id]
        rules = set(pair_report(instance, person, opening).failed_rules)
        if not instance.in_run[participant_index[person]]:
            rules.add("not_in_run")
        if not instance.in_scope[opening_index[opening]]:
            rules.add("out_of_scope")
        broken[place.id or 0] = frozenset(rules)
    return broken


def _over_capacity(
    session: Session, places: Sequence[models.Placement], slots_before: dict[int, int]
) -> list[models.Placement]:
    """Placements beyond the capacity an opening lost: lowest score first, pinned last."""
    slots_now = dict(
        session.execute(
            sa.select(col(models.Opening.id), col(models.Opening.slots)).where(
                col(models.Opening.id).in_({p.opening_id for p in places})
            )
        ).all()
    )
    held: dict[tuple[int, int], list[models.Placement]] = defaultdict(list)
    for place in places:
        held[place.round_id, place.opening_id].append(place)
    excess: list[models.Placement] = []
    for (_, opening_id), placed in sorted(held.items()):
        lost = slots_before[opening_id] - slots_now[opening_id]
        over = min(lost, len(placed) - slots_now[opening_id])
        if over > 0:
            excess.extend(
                sorted(placed, key=lambda p: (p.pinned, p.score, p.participant_id))[:over]
            )
    return excess
