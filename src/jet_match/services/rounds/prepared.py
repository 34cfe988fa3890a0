"""Review reads prepared by the worker, so that the first read after a run is fast.

The expensive part of a round's report, of the round page's charts and of the demand
report is the evaluation of the working plan on the round's whole problem: every
eligible pair (millions at national scale), then the solver's `result_of_plan` and
`check_plan`. The worker computes it once a run has completed, and again whenever the
round's plan or records change (services/rounds/preparation.py), and stores it in
`prepared_reviews`, where every API process finds it.

Stale data is never shown: the row carries `review_stamp`, a digest of everything the
evaluation is computed from: the round's version and policy, the id and version of every
organization, opening and participant (every write bumps the version, as
`round_data.record_stamp` relies on), the working plan with its pins, overrides and
scores, and the forbidden pairs. A read computes the stamp (one cheap
statement) and uses the stored document only when it matches; otherwise it evaluates
afresh as before, and the worker catches up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.review import Kpis
from jet_match.schemas.runs import ObjectiveValue, RuleBreak
from jet_match.services.bridge import moves, round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.bridge.solving import metrics_document, objective_value, unplaced_entry
from jet_match.solver import (
    Assignment,
    Instance,
    Metrics,
    Objective,
    Unplaced,
    check_plan,
    evaluate_plan,
    result_of_plan,
)

log = structlog.get_logger(__name__)

EVALUATION = "evaluation"
KPIS = "kpis"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The working plan evaluated on the round's whole problem: what the report, the round
    page and the demand report need of the solver."""

    objective: ObjectiveValue
    metrics: dict[str, Any]
    unplaced: list[Unplaced]
    violations: list[RuleBreak]
    in_run: list[str]  # the participants the round's runs place (external ids)

    def document(self) -> dict[str, Any]:
        """As stored (JSON)."""
        return {
            "objective": self.objective.model_dump(),
            "metrics": self.metrics,
            "unplaced": [unplaced_entry(u) for u in self.unplaced],
            "violations": [v.model_dump() for v in self.violations],
            "in_run": self.in_run,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Evaluation:
        """As read back."""
        return cls(
            objective=ObjectiveValue.model_validate(document["objective"]),
            metrics=document["metrics"],
            unplaced=[
                Unplaced(u["participant"], tuple(u["reasons"]), dict(u.get("excluded_by", {})))
                for u in document["unplaced"]
            ],
            violations=[RuleBreak.model_validate(v) for v in document["violations"]],
            in_run=list(document["in_run"]),
        )


def _listed(*columns: Any, where: Any = True) -> Any:
    """The rows of `columns` (in order) as one string, built by the database:
    "1,3;2,1;..." (a scalar subquery)."""
    ordered = sa.select(*columns).where(where).order_by(*columns).subquery()
    fields = [sa.func.coalesce(sa.cast(c, sa.String), "") for c in ordered.c]
    row: sa.ColumnElement[str] = fields[0]
    for field in fields[1:]:
        row = row + "," + field
    # The subquery's order is the aggregate's in SQLite (3.40 has no ORDER BY inside an
    # aggregate) and in PostgreSQL; were it ever not, stamps would differ and a read would
    # evaluate afresh: slower, never stale.
    return sa.select(sa.func.aggregate_strings(row, ";")).select_from(ordered).scalar_subquery()


def review_stamp(session: Session, row: models.Round) -> str:
    """The digest of everything a round's evaluation is computed from (see the module).

    One statement: the database lists the rows as text, which costs PostgreSQL and SQLite
    alike a few milliseconds at national scale (fetching the ~20 k rows cost ~20 ms)."""
    assert row.id is not None
    digest = hashlib.sha256()
    policy = [row.id, row.version, sorted(row.positions), row.weights]
    digest.update(json.dumps([*policy, row.max_country_share_per_prefecture]).encode())
    placement, pair = models.Placement, models.ForbiddenPair
    listings = session.execute(
        sa.select(
            *(
                _listed(col(table.id), col(table.version))
                for table in (models.Organization, models.Opening, models.Participant)
            ),
            _listed(
                col(placement.participant_id),
                col(placement.opening_id),
                col(placement.pinned),
                sa.case((col(placement.override_reason).is_(None), 0), else_=1),
                col(placement.score),
                where=col(placement.round_id) == row.id,
            ),
            _listed(
                col(pair.participant_id),
                col(pair.opening_id),
                where=col(pair.round_id) == row.id,
            ),
        )
    ).one()
    for listing in listings:
        digest.update(f"{listing or ''}#".encode())
    return digest.hexdigest()


def evaluate(session: Session, row: models.Round, problems: PreparedProblems) -> Evaluation:
    """The evaluation computed now, on the round's whole problem (seconds at national
    scale: the worker's job; a read does it only when nothing current is stored)."""
    instance, entries = round_data.full_instance(session, row, prepared=problems)
    plan = round_data.assignments(entries)
    result = result_of_plan(instance, plan, engine="plan")
    ids = instance.tables.participant_ids
    return Evaluation(
        objective=objective_value(result.objective),
        metrics=metrics_document(result.metrics),
        unplaced=list(result.unplaced),
        violations=[moves.rule_break(v) for v in check_plan(instance, plan)],
        in_run=[ids[i] for i in instance.in_run.nonzero()[0].tolist()],
    )


def stored(session: Session, round_id: int, kind: str) -> models.PreparedReview | None:
    """The round's prepared row of this kind, current or not."""
    return session.scalars(
        select(models.PreparedReview).where(
            models.PreparedReview.round_id == round_id,
            models.PreparedReview.kind == kind,
            models.PreparedReview.subject == "",
        )
    ).first()


def current(session: Session, round_id: int, kind: str, stamp: str) -> dict[str, Any] | None:
    """The round's prepared document of this kind if it was prepared under `stamp`."""
    found = stored(session, round_id, kind)
    return found.document if found is not None and found.stamp == stamp else None


def store(session: Session, round_id: int, kind: str, stamp: str, document: dict[str, Any]) -> None:
    """Keep a prepared document (replacing the round's previous one of this kind); the
    caller commits."""
    found = stored(session, round_id, kind)
    if found is None:
        found = models.PreparedReview(round_id=round_id, kind=kind, subject="", stamp="")
    found.stamp, found.document, found.prepared_at = stamp, document, models.utcnow()
    session.add(found)


def evaluation(
    session: Session, row: models.Round, problems: PreparedProblems, *, stamp: str | None = None
) -> Evaluation:
    """The round's evaluation: the stored one when its stamp is current, else computed
    (`stamp`: the round's `review_stamp` if the caller has just read it)."""
    assert row.id is not None
    document = current(session, row.id, EVALUATION, stamp or review_stamp(session, row))
    if document is not None:
        return Evaluation.from_document(document)
    return evaluate(session, row, problems)


def plan_digest(plan: Iterable[Assignment]) -> str:
    """A digest of a plan's placements (order aside)."""
    lines = sorted(f"{a.participant}|{a.opening}" for a in plan)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _kpis(objective: Objective, metrics: Metrics) -> Kpis:
    return Kpis(
        placed=objective.placed,
        unplaced=sum(metrics.unplaced_by_position.values()),
        score=objective.score,
        mean_score=round(metrics.mean_score, 2) if metrics.mean_score is not None else None,
        min_score=metrics.min_score,
        rank_profile=dict(metrics.rank_profile),
        area_match_rate=(
            round(metrics.area_match_rate, 4) if metrics.area_match_rate is not None else None
        ),
        blocking_pairs=metrics.blocking_pairs,
    )


def kpis_of(instance: Instance, plan: Sequence[Assignment]) -> Kpis:
    """A plan's key figures on the round's whole problem (its participants that the
    records still hold)."""
    known = set(instance.tables.participant_ids)
    evaluated = evaluate_plan(instance, [p for p in plan if p.participant in known])
    return _kpis(evaluated.objective, evaluated.metrics)


def prepared_kpis(
    session: Session, row: models.Round, plans: Sequence[Sequence[Assignment]]
) -> list[Kpis] | None:
    """The key figures of these plans as the worker prepared them for the round's current
    state; None unless every one was."""
    assert row.id is not None
    document = current(session, row.id, KPIS, review_stamp(session, row))
    if document is None:
        return None
    found = [document.get(plan_digest(plan)) for plan in plans]
    if any(figures is None for figures in found):
        return None
    return [Kpis.model_validate(figures) for figures in found]


def prepare_kpis(
    session: Session,
    row: models.Round,
    problems: PreparedProblems,
    plans: Sequence[Sequence[Assignment]],
) -> bool:
    """Evaluate and keep the key figures of these plans (the worker: the current plan, the
    latest published version, the latest runs), unless kept already; whether it wrote."""
    assert row.id is not None
    stamp = review_stamp(session, row)
    document = current(session, row.id, KPIS, stamp) or {}
    if all(plan_digest(plan) in document for plan in plans):
        return False
    instance, _ = round_data.full_instance(session, row, prepared=problems)
    figures = {plan_digest(plan): kpis_of(instance, plan).model_dump() for plan in plans}
    store(session, row.id, KPIS, stamp, figures)
    session.commit()
    return True
