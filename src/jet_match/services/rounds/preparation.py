"""The worker's side of the prepared review reads (services/rounds/prepared.py): once a
run has completed (`Preparer.after_run`), and whenever a round's plan or records change
while the worker is idle (`Preparer.refresh`), it evaluates the working plan on the
round's whole problem, writes the XLSX report and evaluates the key figures of the plans
a comparison most likely names, and stores them in `prepared_reviews`: in a process of its
own at the solvers' niceness (a thread in tests), so that neither the next run nor the
API waits for it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import structlog
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.db import is_unavailable, make_engine
from jet_match.errors import NotFound
from jet_match.process_memory import keep_freed_memory
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.rounds import prepared, report_sheets, review
from jet_match.solver import Assignment
from jet_match.statuses import RoundStatus, RunStatus

log = structlog.get_logger(__name__)

T = TypeVar("T")

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


class _Core:
    """What prepares: the engine, one prepared problem of its own (`problems`: the
    eligibility and scores of the round evaluated last, about 270 MB at national scale,
    so that preparing again after a withdrawal reuses them) and a lock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.problems = PreparedProblems(limit=1)
        self._lock = threading.Lock()

    def prepare_run(self, run_id: int) -> None:
        """Prepare the reads of the run's round; a failure is logged (the database went
        away: the idle refresh catches up)."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                run = session.get(models.Run, run_id)
                row = session.get(models.Round, run.round_id) if run is not None else None
            if row is not None:
                self._prepare(row)
        except Exception as exc:
            log.warning("review_not_prepared", run=run_id, error=repr(exc)[:300])

    def refresh(self) -> list[str] | None:
        """Prepare every open round with a plan whose stored reads went stale; the rounds
        prepared (external ids), or None when the database went away."""
        try:
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
            return [row.external_id for row in planned if self._prepare(row)]
        except Exception as exc:  # the database went away: the next refresh tries again
            log.warning("review_not_prepared", error=repr(exc)[:300])
            return None

    def _prepare(self, row: models.Round) -> bool:
        """Prepare one round; a failure is logged, not raised (the reads then compute as
        before), except the database being unreachable, which the caller waits out."""
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


#: The preparation process's own core (set by `_process_start`).
_process_core: _Core | None = None


def _process_start(settings: Settings, parent_pid: int) -> None:
    """Start the preparation process: the solvers' niceness, Ctrl-C left to the worker, an
    engine of its own, and an exit once the worker is gone (even killed)."""
    global _process_core
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(settings.worker_solver_nice)
    if settings.keep_freed_memory:
        keep_freed_memory()  # the next preparation reuses it at once (process_memory)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="jet-match-preparer-watch", daemon=True).start()
    _process_core = _Core(make_engine(settings))


def _process_prepare_run(run_id: int) -> None:
    assert _process_core is not None
    _process_core.prepare_run(run_id)


def _process_refresh() -> list[str] | None:
    assert _process_core is not None
    return _process_core.refresh()


def _process_ready() -> int:
    return os.getpid()


class Preparer:
    """The worker's side: prepares a round's reads after a run, and keeps every round's
    reads current while idle, off the worker's own thread.

    Given `settings` (a worker that solves in child processes), it prepares in a process
    of its own at the solvers' niceness: preparing a national round is seconds of Python
    and numpy, which on a thread of the worker would hold the worker's GIL while the
    worker's threads write (heartbeats, run progress, delivery results), and on SQLite
    keep the database's write lock held, and the API's audited reads waiting, for as long.
    Without (tests, the inline solver) it prepares on a thread.
    """

    def __init__(self, engine: Engine, *, settings: Settings | None = None) -> None:
        self.engine = engine
        self._settings = settings
        self._core = _Core(engine) if settings is None else None
        self._mark: object = None  # what the data looked like at the last refresh
        self._next_refresh = 0.0
        self._busy: Future[list[str]] | None = None
        self._executor = self._start()

    def _start(self) -> Executor:
        if self._settings is None:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="preparer")
        executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_process_start,
            initargs=(self._settings, os.getpid()),
        )
        executor.submit(_process_ready)  # starts the process now, not at the first run
        return executor

    def _submit(self, call: Callable[..., T], *args: object) -> Future[T]:
        try:
            return self._executor.submit(call, *args)
        except BrokenProcessPool:  # the process died (killed, out of memory): a new one
            log.warning("preparer_restarted")
            self._executor.shutdown(wait=False)
            self._executor = self._start()
            return self._executor.submit(call, *args)

    def after_run(self, run_id: int) -> Future[None]:
        """Prepare the reads of the run's round (a run just completed), off the worker's
        thread: the worker goes on to the next run meanwhile."""
        if self._core is not None:
            return self._submit(self._core.prepare_run, run_id)
        return self._submit(_process_prepare_run, run_id)

    def wait(self) -> None:
        """Return once what `after_run` was given is prepared (tests, tools)."""
        with contextlib.suppress(BrokenProcessPool):
            self._submit(_process_ready).result()

    def process_id(self) -> int | None:
        """The preparation process's pid (started again if it died); None on a thread."""
        if self._core is not None:
            return None
        return self._submit(_process_ready).result()

    def close(self) -> None:
        """Finish what is under way and stop the thread or process."""
        self._executor.shutdown(wait=True)

    def refresh(self, *, force: bool = False) -> Future[list[str]] | None:
        """Prepare the reads of every open round with a plan whose stored ones went stale
        (a plan edit, a record write); looked at most every REFRESH_EVERY_S, only when the
        tables' marks moved (a few aggregate queries) and while no refresh is under way.
        The future gives the rounds prepared (external ids); None when there was nothing
        to do."""
        busy = self._busy is not None and not self._busy.done()
        if busy or (not force and time.monotonic() < self._next_refresh):
            return None
        self._next_refresh = time.monotonic() + REFRESH_EVERY_S
        with Session(self.engine, expire_on_commit=False) as session:
            mark = _mark(session)
        if mark == self._mark and not force:
            return None
        inner = self._submit(self._core.refresh if self._core else _process_refresh)
        outer: Future[list[str]] = Future()

        def settle(done: Future[list[str] | None]) -> None:
            try:
                rounds = done.result()
            except Exception as exc:  # the process died mid-way: the next refresh retries
                log.warning("review_not_prepared", error=repr(exc)[:300])
                rounds = None
            if rounds is not None:
                self._mark = mark
            outer.set_result(rounds or [])

        inner.add_done_callback(settle)
        self._busy = outer
        return outer


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
