"""The worker's side of the prepared review reads (services/rounds/prepared.py): once a
run has completed (`Preparer.after_run`), and whenever a round's plan or records change
while the worker is idle (`Preparer.refresh`), it evaluates the working plan on the
round's whole problem, writes the XLSX report and evaluates the key figures of the plans
a comparison most likely names, on a thread of its own so that the
next run is not kept waiting, and stores both in `prepared_reviews`.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import structlog
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.db import is_unavailable
from jet_match.errors import NotFound
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.rounds import prepared, report_sheets, review
from jet_match.solver import Assignment
from jet_match.statuses import RoundStatus, RunStatus

log = structlog.get_logger(__name__)

#: How often an idle worker looks for rounds whose prepared reads went stale (seconds).
REFRESH_EVERY_S = 1.0

#: The latest runs of a round whose plans' key figures are prepared for comparisons.
RUNS_COMPARED = 3


def prepare_round(session: Session, row: models.Round, problems: PreparedProblems) -> bool:
    """Store the round's evaluation unless the stored one is current, then its XLSX
    report; whether it wrote anything.

    The stamp is read before the records, so a change racing the evaluation leaves a
    stamp that no longer matches: the next refresh computes it again."""
    assert row.id is not None
    stamp = prepared.review_stamp(session, row)
    wrote = False
    if prepared.current(session, row.id, prepared.EVALUATION, stamp) is None:
        document = prepared.evaluate(session, row, problems).document()
        prepared.store(session, row.id, prepared.EVALUATION, stamp, document)
        session.commit()
        wrote = True
    wrote = report_sheets.prepare_workbook(session, row, problems) or wrote
    return prepared.prepare_kpis(session, row, problems, _compared(session, row)) or wrote


def _compared(session: Session, row: models.Round) -> list[list[Assignment]]:
    """The plans a comparison most likely names: the current plan, the latest published
    version and the latest runs with a plan."""
    labels = ["current"]
    if row.published_version:
        labels.append(f"version:{row.published_version}")
    labels.extend(
        f"run:{run_id}"
        for run_id in session.scalars(
            select(models.Run.id)
            .where(models.Run.round_id == row.id, models.Run.status == RunStatus.SUCCEEDED.value)
            .order_by(col(models.Run.id).desc())
            .limit(RUNS_COMPARED)
        )
    )
    plans = []
    for label in labels:
        try:
            plans.append(review.plan_of(session, row, label, "a"))
        except NotFound:  # a succeeded run without a plan: nothing to compare
            continue
    return plans


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
        """Prepare, on the preparer's thread, the reads of every open round with a plan whose
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
                    # Closed rounds are read rarely: their reads compute, and years of
                    # them are not prepared again after every record write.
                    col(models.Round.status) != RoundStatus.CLOSED.value,
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
