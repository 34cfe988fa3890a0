"""Review reads prepared by the worker, so that the first read after a run is fast.

The expensive part of a round's report, of the round page's charts and of the demand
report is the evaluation of the working plan on the round's whole problem: every
eligible pair (millions at national scale), then the solver's `result_of_plan` and
`check_plan`. The worker computes it once a run has completed (`Preparer.after_run`),
and again whenever the round's plan or records change (`Preparer.refresh`, while idle),
and stores it in `prepared_reviews`, where every API process finds it.

Stale data is never shown: the row carries `review_stamp`, a digest of everything the
evaluation is computed from (the round's version and policy, the id, version and time of
last write of every organization, opening and participant, the working plan with its
pins and overrides, the forbidden pairs). A read computes the stamp (a few cheap
queries) and uses the stored document only when it matches; otherwise it evaluates
afresh as before, and the worker catches up.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.db import is_unavailable
from jet_match.schemas.runs import ObjectiveValue, RuleBreak
from jet_match.services.bridge import moves, round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.bridge.solving import metrics_document, unplaced_entry
from jet_match.solver import Unplaced, check_plan, result_of_plan

log = structlog.get_logger(__name__)

EVALUATION = "evaluation"

#: How often an idle worker looks for rounds whose prepared reads went stale (seconds).
REFRESH_EVERY_S = 1.0


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


def _feed(digest: Any, rows: Iterable[Iterable[object]]) -> None:
    for row in rows:
        digest.update("|".join(map(str, row)).encode())
        digest.update(b";")
    digest.update(b"#")


def review_stamp(session: Session, row: models.Round) -> str:
    """The digest of everything a round's evaluation is computed from (see the module)."""
    assert row.id is not None
    digest = hashlib.sha256()
    policy = [row.id, row.version, sorted(row.positions), row.weights]
    digest.update(json.dumps([*policy, row.max_country_share_per_prefecture]).encode())
    for table in (models.Organization, models.Opening, models.Participant):
        _feed(
            digest,
            session.execute(
                sa.select(col(table.id), col(table.version), col(table.updated_at)).order_by(
                    col(table.id)
                )
            ).all(),
        )
    placement, pair = models.Placement, models.ForbiddenPair
    _feed(
        digest,
        session.execute(
            sa.select(
                col(placement.participant_id),
                col(placement.opening_id),
                col(placement.pinned),
                col(placement.override_reason).is_not(None),
                col(placement.score),
            )
            .where(col(placement.round_id) == row.id)
            .order_by(col(placement.participant_id))
        ).all(),
    )
    _feed(
        digest,
        session.execute(
            sa.select(col(pair.participant_id), col(pair.opening_id))
            .where(col(pair.round_id) == row.id)
            .order_by(col(pair.participant_id), col(pair.opening_id))
        ).all(),
    )
    return digest.hexdigest()


def evaluate(session: Session, row: models.Round, problems: PreparedProblems) -> Evaluation:
    """The evaluation computed now, on the round's whole problem (seconds at national
    scale: the worker's job; a read does it only when nothing current is stored)."""
    instance, entries = round_data.full_instance(session, row, prepared=problems)
    plan = round_data.assignments(entries)
    result = result_of_plan(instance, plan, engine="plan")
    objective = result.objective
    ids = instance.tables.participant_ids
    return Evaluation(
        objective=ObjectiveValue(
            placed=objective.placed,
            score=objective.score,
            disruption=objective.disruption,
            moved=objective.moved,
            net=objective.net,
        ),
        metrics=metrics_document(result.metrics),
        unplaced=list(result.unplaced),
        violations=[moves.rule_break(v) for v in check_plan(instance, plan)],
        in_run=[ids[i] for i in instance.in_run.nonzero()[0].tolist()],
    )


def _stored(session: Session, round_id: int, kind: str) -> models.PreparedReview | None:
    return session.scalars(
        select(models.PreparedReview).where(
            models.PreparedReview.round_id == round_id,
            models.PreparedReview.kind == kind,
            models.PreparedReview.subject == "",
        )
    ).first()


def evaluation(session: Session, row: models.Round, problems: PreparedProblems) -> Evaluation:
    """The round's evaluation: the stored one when its stamp is current, else computed."""
    assert row.id is not None
    stamp = review_stamp(session, row)
    stored = _stored(session, row.id, EVALUATION)
    if stored is not None and stored.stamp == stamp:
        return Evaluation.from_document(stored.document)
    return evaluate(session, row, problems)


def prepare_round(session: Session, row: models.Round, problems: PreparedProblems) -> bool:
    """Store the round's evaluation unless the stored one is current; whether it wrote.

    The stamp is read before the records, so a change racing the evaluation leaves a
    stamp that no longer matches: the next refresh computes it again."""
    assert row.id is not None
    stamp = review_stamp(session, row)
    stored = _stored(session, row.id, EVALUATION)
    if stored is not None and stored.stamp == stamp:
        return False
    document = evaluate(session, row, problems).document()
    if stored is None:
        stored = models.PreparedReview(round_id=row.id, kind=EVALUATION, subject="", stamp="")
    stored.stamp, stored.document, stored.prepared_at = stamp, document, models.utcnow()
    session.add(stored)
    session.commit()
    return True


class Preparer:
    """The worker's side: prepares a round's reads after a run, and keeps every round's
    reads current while idle. Holds one prepared problem of its own (`problems`, the
    eligibility and scores of the round evaluated last: about 270 MB at national scale),
    so that preparing again after a withdrawal reuses them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.problems = PreparedProblems(limit=1)
        self._mark: object = None  # what the data looked like at the last refresh
        self._next_refresh = 0.0
        self._lock = threading.Lock()
        self._busy: Future[list[str]] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preparer")

    def after_run(self, run_id: int) -> Future[None]:
        """Prepare the reads of the run's round (a run just completed), on the preparer's
        own thread: the worker goes on to the next run meanwhile."""
        return self._thread.submit(self._after_run, run_id)

    def wait(self) -> None:
        """Return once what `after_run` was given is prepared (tests, tools)."""
        self._thread.submit(lambda: None).result()

    def close(self) -> None:
        """Finish what is under way and stop the thread."""
        self._thread.shutdown(wait=True)

    def _after_run(self, run_id: int) -> None:
        try:
            self._prepare_run(run_id)
        except Exception as exc:  # the database went away: the idle refresh catches up
            log.warning("review_not_prepared", run=run_id, error=repr(exc)[:300])

    def _prepare_run(self, run_id: int) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            run = session.get(models.Run, run_id)
            row = session.get(models.Round, run.round_id) if run is not None else None
        if row is not None:
            self._prepare(row)

    def refresh(self, *, force: bool = False) -> Future[list[str]] | None:
        """Prepare, on the preparer's thread, the reads of every round with a plan whose
        stored ones went stale (a plan edit, a record write); looked at most every
        REFRESH_EVERY_S, only when the tables' marks moved (a few aggregate queries) and
        while the thread is not busy. The future gives the rounds prepared (external ids);
        None when there was nothing to do."""
        busy = self._busy is not None and not self._busy.done()
        if busy or (not force and time.monotonic() < self._next_refresh):
            return None
        self._next_refresh = time.monotonic() + REFRESH_EVERY_S
        with Session(self.engine, expire_on_commit=False) as session:
            mark = _mark(session)
        if mark == self._mark and not force:
            return None
        self._busy = self._thread.submit(self._refresh, mark)
        return self._busy

    def _refresh(self, mark: object) -> list[str]:
        with Session(self.engine, expire_on_commit=False) as session:
            planned = session.scalars(
                select(models.Round)
                .where(
                    col(models.Round.id).in_(select(models.Placement.round_id).distinct()),
                    col(models.Round.active_run_id).is_(None),
                )
                .order_by(col(models.Round.id))
            ).all()
        try:
            done = [row.external_id for row in planned if self._prepare(row)]
        except Exception as exc:  # the database went away: the next refresh tries again
            log.warning("review_not_prepared", error=repr(exc)[:300])
            return []
        self._mark = mark
        return done

    def _prepare(self, row: models.Round) -> bool:
        """Prepare one round; a failure is logged, not raised (the reads then compute as
        before), except the database being unreachable, which the worker waits out."""
        started = time.perf_counter()
        try:
            with self._lock, Session(self.engine, expire_on_commit=False) as session:
                fresh = session.get(models.Round, row.id)
                wrote = fresh is not None and prepare_round(session, fresh, self.problems)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            log.warning("review_not_prepared", round=row.external_id, error=repr(exc)[:300])
            return False
        if wrote:
            elapsed = round(time.perf_counter() - started, 3)
            log.info("review_prepared", round=row.external_id, seconds=elapsed)
        return wrote


def _mark(session: Session) -> tuple[object, ...]:
    """Cheap aggregates that move whenever a round, its plan or a record is written."""
    found: list[object] = []
    for table, written in (
        (models.Round, models.Round.updated_at),
        (models.Organization, models.Organization.updated_at),
        (models.Opening, models.Opening.updated_at),
        (models.Participant, models.Participant.updated_at),
    ):
        found.append(
            tuple(
                session.execute(
                    select(func.count(), func.max(written), func.sum(table.version))
                ).one()
            )
        )
    for written in (models.Placement.updated_at, models.ForbiddenPair.created_at):
        found.append(tuple(session.execute(select(func.count(), func.max(written))).one()))
    return tuple(found)
