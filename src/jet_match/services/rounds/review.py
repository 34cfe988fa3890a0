"""Review aids for coordinators: explanations, candidates, comparisons and the round report.

Everything is evaluated by the solver's own functions (`explain`, `evaluate_plan`,
`result_of_plan`, `check_plan`) on the round's current records and policy, so figures
agree with what a run would compute. The round's prepared instance is kept between
requests in the application's `round_data.PreparedProblems`, which every read here takes
as `prepared`; an opening's candidates need only its column of the problem
(`bridge.opening_column`: every participant against that opening), and a participant's
explanation only their row (`bridge.participant_row`: that participant and their
partner against every opening, the rest of the problem without its pairs). The
objective change shown for a possible move is that of the move alone, everything else
unchanged (`jet_match.services.bridge.moves`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput, NotFound
from jet_match.schemas.review import (
    AlternativeItem,
    Candidate,
    Candidates,
    Comparison,
    Explanation,
    MovedItem,
    RoundReport,
    TakenBy,
    UnplacedItem,
)
from jet_match.services.bridge import loaded_round, moves, round_data
from jet_match.services.bridge.loaded_round import LoadedRound
from jet_match.services.bridge.opening_column import opening_column
from jet_match.services.bridge.participant_row import participant_row
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import (
    MAX_KEY,
    PageRequest,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import (
    arrival_groups,
    plans,
    publications,
    rounds,
    withdrawals,
)
from jet_match.services.rounds import prepared as prepared_reads
from jet_match.services.security import audit
from jet_match.solver import Assignment, explain_plan
from jet_match.statuses import RoundStatus


def _ids(session: Session, table: Any, external_ids: Sequence[str]) -> dict[str, int]:
    return dict(
        session.execute(
            select(table.external_id, table.id).where(
                col(table.external_id).in_(list(external_ids))
            )
        ).all()
    )


def explanation(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    participant_id: str,
    alternatives: int = 5,
) -> Explanation:
    """A participant's placement with its breakdown, and their best alternatives."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    person = lookups.find_participant(session, participant_id)
    assert row.id is not None
    assert person.id is not None
    instance, entries = participant_row(session, row, participant_id)
    explained = explain_plan(
        instance, round_data.assignments(entries), participant_id, alternatives=alternatives
    )
    # Judged on the records the row problem has read: no statement more (`loaded_round`).
    loaded = LoadedRound(instance.problem, entries)
    eligible = [(participant_id, a.opening) for a in explained.alternatives if a.eligible]
    assessed = {j.opening: j for j in moves.assess_loaded(loaded, eligible)}
    organization_of = loaded_round.organization_of(instance.problem)
    reasons = list(explained.unplaced.reasons) if explained.unplaced else []
    placement = plans.plan_item(session, row.id, person.id)
    if placement is None and not reasons:
        reasons = [_outside_the_run(person, row)]
    return Explanation(
        participant=participant_id,
        placement=placement,
        unplaced_reasons=reasons if placement is None else [],
        alternatives=[
            AlternativeItem(
                opening=alt.opening,
                organization=organization_of[alt.opening],
                score=alt.score,
                breakdown=dict(alt.breakdown),
                eligible=alt.eligible,
                failed_rules=list(alt.failed_rules),
                why=alt.why,
                taken_by=[TakenBy(participant=p, score=s) for p, s in alt.taken_by],
                objective_change=assessed[alt.opening].change if alt.opening in assessed else None,
                breaks=list(assessed[alt.opening].breaks) if alt.opening in assessed else [],
            )
            for alt in explained.alternatives
        ],
    )


def _outside_the_run(person: models.Participant, row: models.Round) -> str:
    if person.position not in row.positions:
        return f"the round does not place {person.position} participants"
    if person.status == fmt.ParticipantStatus.ALTERNATE.value:
        return "alternates are placed only through fill-vacancies or a pin"
    if person.status == fmt.ParticipantStatus.WITHDRAWN.value:
        return "the participant has withdrawn"
    return "not placed in the working plan"


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    """Which eligible participants to rank; None means any."""

    unplaced: bool | None = None


def candidates(
    *,
    session: Session,
    caller: Caller,
    prepared: PreparedProblems,
    round_id: str,
    opening_id: str,
    filters: CandidateFilter = CandidateFilter(),
    page: PageRequest = PageRequest(cursor=None, limit=20),
) -> Candidates:
    """Shortlisted participants of the round eligible for an opening, best score first
    (ties by external_id), with what moving each there would do to the objective and to
    the hard rules; paged by a cursor on (score, external_id). Those placed there now
    are its `taken_by`, not candidates."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    opening = lookups.find_opening(session, opening_id)
    instance, entries, whole = opening_column(session, row, opening_id)
    t = instance.tables
    j = t.opening_ids.index(opening_id)
    at = np.flatnonzero(instance.pair_o == j)
    current = {e.participant: e for e in entries}
    holding = {e.participant for e in entries if e.opening == opening_id}
    ranked = sorted(
        (-int(instance.pair_score[k]), t.participant_ids[int(instance.pair_p[k])]) for k in at
    )
    ranked = [r for r in ranked if r[1] not in holding]
    if filters.unplaced is not None:
        ranked = [r for r in ranked if (r[1] not in current) == filters.unplaced]
    if page.cursor is not None:
        after = _candidate_after(page.cursor)
        ranked = ranked[bisect.bisect_right(ranked, after) :]
    more = len(ranked) > page.limit
    ranked = ranked[: page.limit]
    chosen = [participant for _, participant in ranked]
    next_cursor = encode_cursor(f"{-ranked[-1][0]}|{ranked[-1][1]}") if more else None
    people = _ids(session, models.Participant, chosen)
    assert opening.id is not None
    # Judged on the records the column problem has read: no statement more.
    assessed = moves.assess_loaded(LoadedRound(whole, entries), [(p, opening_id) for p in chosen])
    scores = dict(  # of the opening's holders and the page's candidates (not all 6,000)
        session.execute(
            select(models.Participant.external_id, models.Placement.score)
            .join(models.Placement, col(models.Placement.participant_id) == models.Participant.id)
            .where(models.Placement.round_id == row.id)
            .where(
                sa.or_(
                    col(models.Placement.opening_id) == opening.id,
                    col(models.Placement.participant_id).in_(people.values()),
                )
            )
        ).all()
    )
    holders = sorted(
        (
            TakenBy(participant=e.participant, score=scores[e.participant])
            for e in entries
            if e.opening == opening_id
        ),
        key=lambda taken: (-taken.score, taken.participant),
    )
    items = []
    for assessment in assessed:
        entry = current.get(assessment.participant)
        assert assessment.pair is not None
        items.append(
            Candidate(
                participant=assessment.participant,
                score=assessment.pair.score,
                breakdown=dict(assessment.pair.breakdown),
                current_opening=entry.opening if entry else None,
                current_score=scores.get(assessment.participant),
                pinned=bool(entry and entry.pinned),
                objective_change=assessment.change,
                breaks=list(assessment.breaks),
            )
        )
    return Candidates(
        opening=opening_id,
        slots=opening.slots,
        taken_by=holders,
        items=items,
        next_cursor=next_cursor,
    )


def _candidate_after(cursor: str) -> tuple[int, str]:
    """The (-score, external_id) a candidates cursor continues after."""
    score, bar, participant = str(decode_cursor(cursor, str)).partition("|")
    if not bar or not score.lstrip("-").isdigit():
        raise invalid_cursor()
    return -int(score), participant


_PLAN_LABEL = re.compile(r"^(current|run:(\d{1,18})|version:(\d{1,9}))$")


def plan_of(session: Session, row: models.Round, label: str, field: str) -> list[Assignment]:
    """The plan a comparison label names: `current`, `run:<id>` or `version:<n>`."""
    assert row.id is not None
    match = _PLAN_LABEL.match(label)
    if match is None:
        message = f"'{label}' names no plan: use current, run:<id> or version:<n>"
        raise InvalidInput(message, [FieldProblem("query", None, field, "invalid_plan", message)])
    if match.group(2) is not None:
        run_id = int(match.group(2))
        # An id beyond the column's range names no run (PostgreSQL would refuse the query).
        run = session.get(models.Run, run_id) if run_id <= MAX_KEY else None
        if run is None or run.round_id != row.id or run.plan is None:
            raise NotFound(f"round '{row.external_id}' has no run {match.group(2)} with a plan")
        return [Assignment(p, o) for p, o, _ in run.plan]
    if match.group(3) is not None:
        version = int(match.group(3))
        publication = session.scalars(
            select(models.Publication).where(
                models.Publication.round_id == row.id, models.Publication.version == version
            )
        ).first()
        if publication is None:
            raise NotFound(f"round '{row.external_id}' has no published version {version}")
        return [
            Assignment(p, o)
            for p, o in session.execute(
                select(models.Participant.external_id, models.Opening.external_id)
                .select_from(models.PublishedPlacement)
                .join(
                    models.Participant,
                    col(models.Participant.id) == models.PublishedPlacement.participant_id,
                )
                .join(
                    models.Opening, col(models.Opening.id) == models.PublishedPlacement.opening_id
                )
                .where(models.PublishedPlacement.publication_id == publication.id)
            ).all()
        ]
    return list(round_data.assignments(round_data.plan_entries(session, row.id)))


def compare(
    *, session: Session, caller: Caller, prepared: PreparedProblems, round_id: str, a: str, b: str
) -> Comparison:
    """Two plans of a round (runs, published versions, the current plan) side by side."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    plan_a, plan_b = plan_of(session, row, a, "a"), plan_of(session, row, b, "b")
    kpis = prepared_reads.prepared_kpis(session, row, (plan_a, plan_b))
    if kpis is None:  # not prepared by the worker (yet): evaluated on the whole problem
        instance, _ = round_data.full_instance(session, row, prepared=prepared)
        kpis = [prepared_reads.kpis_of(instance, plan) for plan in (plan_a, plan_b)]
    kpis_a, kpis_b = kpis
    difference: dict[str, float] = {}
    for name in (
        "placed",
        "unplaced",
        "score",
        "mean_score",
        "min_score",
        "area_match_rate",
        "blocking_pairs",
    ):
        left, right = getattr(kpis_a, name), getattr(kpis_b, name)
        if left is not None and right is not None:
            difference[name] = round(right - left, 4)
    for name, value in kpis_b.rank_profile.items():
        difference[f"rank_profile.{name}"] = value - kpis_a.rank_profile.get(name, 0)
    where_a = {p.participant: p.opening for p in plan_a}
    where_b = {p.participant: p.opening for p in plan_b}
    moved = [
        MovedItem(participant=p, a=where_a.get(p), b=where_b.get(p))
        for p in sorted(set(where_a) | set(where_b))
        if where_a.get(p) != where_b.get(p)
    ]
    return Comparison(
        a=a,
        b=b,
        kpis_a=kpis_a,
        kpis_b=kpis_b,
        difference=difference,
        moved_count=len(moved),
        moved=moved,
    )


def report(
    *, session: Session, caller: Caller, prepared: PreparedProblems, round_id: str
) -> RoundReport:
    """The round report of the working plan (JSON)."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    built = build_report(session, row, prepared)
    audit.record(session, caller, "round.report", "round", row.external_id, format="json")
    commit(session)
    return built


def build_report(session: Session, row: models.Round, prepared: PreparedProblems) -> RoundReport:
    """The round's report, built from its prepared problem and working plan (no access check:
    the callers authorize and audit)."""
    assert row.id is not None
    evaluated = prepared_reads.evaluation(session, row, prepared)
    positions = dict(
        session.execute(
            select(models.Participant.external_id, models.Participant.position).where(
                col(models.Participant.external_id).in_([u.participant for u in evaluated.unplaced])
            )
        ).all()
    )
    changed = None
    if row.published_version:
        published = publications.published_plan(session, row.id, row.published_version)
        current = {e.participant_id: e.opening_id for e in round_data.plan_entries(session, row.id)}
        changed = sum(
            1 for p in set(published) | set(current) if published.get(p) != current.get(p)
        )
    return RoundReport(
        round=row.external_id,
        round_version=row.version,
        status=RoundStatus(row.status),
        published_version=row.published_version or None,
        objective=evaluated.objective.model_copy(),
        metrics=evaluated.metrics,
        changed_since_publication=changed,
        unplaced=[
            UnplacedItem(
                participant=u.participant,
                position=fmt.Position(positions[u.participant]),
                reasons=list(u.reasons),
            )
            for u in evaluated.unplaced
        ],
        violations=[v.model_copy() for v in evaluated.violations],
        withdrawals=withdrawals.counts(session, row),
        arrival_groups=arrival_groups.counts(session, row),
    )
