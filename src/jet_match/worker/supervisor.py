"""The worker: claims queued runs, has them solved, writes the outcome.

One worker runs one run at a time. It claims a run from the database (see
`jet_match.services.rounds.queue`) and hands it to its solver process (`ChildSolver`), which reads
the round's problem and solves it; meanwhile the worker writes the run's progress and
heartbeat about once a second and reads back whether a coordinator cancelled it. It
kills the solver to cancel, when the time limit plus a grace period is over, or when it
is asked to stop (the run then goes back to the queue); a solver that dies on its own
(out of memory, a crash) leaves the run `interrupted`. A solve cut by a database outage
(the solver could not read the round, or the worker lost the database meanwhile) is
neither: once the database is back the run is queued again, until it has had
`run_max_attempts` attempts, and then stays `interrupted` saying why
(`queue.retry_after_outage`). Idle or busy, the worker writes its own heartbeat
(`worker_heartbeats`, for readiness) every few seconds, removes it when it stops, tends
offers to alternates and applies the retention rule for personal data once in a while.
When the solver answers, the plan, the run's success and the round's new version are
written in one transaction (`jet_match.services.rounds.outcome`).

On start, and when idle (at most every `OFFERS_EVERY_S`), the worker also tends the
offers of vacancies to alternates: it expires those past their time (passing each on)
and makes the offers that a round's policy makes automatically. On start, and whenever
it is idle, it marks `interrupted` the runs whose worker is gone: on this machine, a
worker whose process no longer exists; anywhere, a worker whose heartbeat is older than
`worker_stale_after_s`.

How a run is solved (`ChildSolver` in a child process, `InlineSolver` in this thread for
the tests) is in `solvers.py`.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import is_unavailable
from jet_match.services.kit.access import WORKER
from jet_match.services.operations import retention, workers
from jet_match.services.rounds import outcome, preparation, queue, wakeup
from jet_match.services.rounds.queue import Heartbeat
from jet_match.services.season import offer_expiry
from jet_match.statuses import RunStatus
from jet_match.worker.solvers import ChildSolver, Solved, Solver

log = structlog.get_logger("jet_match.worker")

#: A run's review reads are prepared once the worker has been this long without a run
#: (seconds): a re-solve the coordinator queues right after a run goes first, instead of
#: sharing the two cores and the memory bandwidth with seconds of preparation...
PREPARE_AFTER_IDLE_S = 0.5
#: ...but a run's reads wait at most this long (seconds) while more runs keep the worker
#: busy (a queue of national runs), then they are prepared beside the next run.
PREPARE_AT_THE_LATEST_S = 5.0

#: How often an idle worker tends the offers (expiries, automatic offers), in seconds.
OFFERS_EVERY_S = 30.0


def worker_identity() -> str:
    """`host:pid:start-time` of this process: unique, and checkable on the same host."""
    started = int(psutil.Process().create_time())
    return f"{socket.gethostname()}:{os.getpid()}:{started}"


def is_gone(identity: str) -> bool:
    """The worker named `identity` ran on this host and its process no longer exists."""
    host, _, rest = identity.partition(":")
    pid_text, _, started_text = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or not started_text.isdigit():
        return False
    try:
        return int(psutil.Process(int(pid_text)).create_time()) != int(started_text)
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return True


def backoff_s(failures: int, cap_s: float) -> float:
    """Seconds to wait after `failures` database errors in a row: 0.5, 1, 2, ... up to `cap_s`."""
    return float(min(cap_s, 0.5 * 2 ** min(failures - 1, 16)))


class Worker:
    """Claims and executes runs, one at a time, until told to stop."""

    def __init__(self, engine: Engine, settings: Settings, solver: Solver) -> None:
        self.engine = engine
        self.settings = settings
        self.solver = solver
        self.identity = worker_identity()
        self.stop_event = threading.Event()
        # Set when a run is queued (`wakeup.Listener`) or the worker must stop: ends the wait.
        self.wake = threading.Event()
        # Writes that an outage interrupted, retried before anything else once it is over.
        self._pending: list[Callable[[], None]] = []
        self._failures = 0
        self._offers_tended_at: float | None = None
        self._next_beat = 0.0  # time.monotonic() of the next heartbeat of this worker
        self._run_id: int | None = None  # the run being solved
        self._next_retention = 0.0  # time.monotonic() of the next retention pass
        self._heap_settled = False  # nothing allocated by a run since the last settle_heap
        # Runs whose review reads wait for an idle moment, with time.monotonic() of their end.
        self._to_prepare: list[tuple[int, float]] = []
        self._last_run_end = 0.0  # time.monotonic() when the last run was settled
        # Review reads, prepared after runs: in a process of its own when solves are too.
        isolated = settings if isinstance(solver, ChildSolver) else None
        self.preparer = preparation.Preparer(engine, settings=isolated)

    def apply_retention(self, *, force: bool = False) -> list[str]:
        """Anonymise the participants and the ended contracts retention has expired, if a
        pass is due; the participants' ids."""
        days = self.settings.retention_days
        if days is None or (not force and time.monotonic() < self._next_retention):
            return []
        with Session(self.engine, expire_on_commit=False) as session:
            anonymised = retention.anonymise_expired(
                session=session, caller=WORKER, retention_days=days
            )
        with Session(self.engine, expire_on_commit=False) as session:
            contracts = retention.anonymise_ended_contracts(
                session=session, caller=WORKER, retention_days=days
            )
        self._next_retention = time.monotonic() + self.settings.retention_check_s
        if anonymised:
            log.info("participants_anonymised", count=len(anonymised))
        if contracts:
            log.info("contracts_anonymised", count=len(contracts))
        return anonymised

    def beat(self, *, force: bool = False) -> None:
        """Write this worker's heartbeat (`worker_heartbeats`) if one is due."""
        if not force and time.monotonic() < self._next_beat:
            return
        with Session(self.engine, expire_on_commit=False) as session:
            workers.beat(session, worker=self.identity, run_id=self._run_id)
        self._next_beat = time.monotonic() + self.settings.worker_heartbeat_s

    def _forget(self) -> None:
        """Take this worker's heartbeat away: it stops (best effort; a stale one expires)."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                workers.forget(session, worker=self.identity)
        except Exception as exc:
            log.warning("heartbeat_not_removed", worker=self.identity, error=type(exc).__name__)

    def sweep(self) -> list[int]:
        """Mark interrupted the runs of workers that are gone or silent (and forget their
        heartbeats once long silent)."""
        with Session(self.engine, expire_on_commit=False) as session:
            lost = queue.interrupt_lost(
                session,
                stale_before=queue.stale_cutoff(self.settings.worker_stale_after_s),
                is_gone=is_gone,
            )
            # Heartbeats of workers that died without a word: gone after a while (here, not
            # on every beat: this runs at start and when idle).
            workers.forget_silent(
                session, older_than=queue.stale_cutoff(10 * self.settings.worker_stale_after_s)
            )
        for run_id in lost:
            log.warning("run_interrupted", run=run_id)
        return lost

    def tend_offers(self) -> tuple[list[int], list[int]]:
        """Expire the offers past their time, passing each on, and make the offers the
        rounds' policies make automatically (services/season/offers.py); the ids expired
        and made. Expiry goes by the clock, so after downtime every overdue offer is
        caught up at once."""
        with Session(self.engine, expire_on_commit=False) as session:
            expired = offer_expiry.expire_due(session=session)
            made = offer_expiry.make_automatic_offers(session=session)
        for offer_id in expired:
            log.info("offer_expired", offer=offer_id)
        for offer_id in made:
            log.info("offer_made", offer=offer_id)
        return expired, made

    def _tend_offers_when_due(self) -> None:
        """Tend offers at most every OFFERS_EVERY_S: expiries are days apart, and finding
        the next eligible alternate reads a part of the round's problem."""
        now = time.monotonic()
        if self._offers_tended_at is None or now - self._offers_tended_at >= OFFERS_EVERY_S:
            self.tend_offers()
            self._offers_tended_at = now

    def run_once(self) -> int | None:
        """Claim and execute one queued run; its id, or None when there was none."""
        with Session(self.engine, expire_on_commit=False) as session:
            run_id = queue.claim_next(session, self.identity)
        if run_id is None:
            return None
        log.info("run_claimed", run=run_id, worker=self.identity)
        try:
            self._execute(run_id)
        finally:
            self._last_run_end = time.monotonic()
        return run_id

    def run_until_idle(self) -> list[int]:
        """Execute queued runs until none is left (tests and one-shot use)."""
        done = []
        while (run_id := self.run_once()) is not None:
            done.append(run_id)
        self.prepare_when_idle(force=True)
        self.preparer.wait()  # the reads of the rounds solved are prepared too
        return done

    def prepare_when_idle(self, *, force: bool = False) -> bool:
        """Hand the runs' review reads to the preparer once no run has ended for
        PREPARE_AFTER_IDLE_S, or once the oldest has waited PREPARE_AT_THE_LATEST_S (at
        once with `force`). True when the worker is that idle."""
        now = time.monotonic()
        idle = now - self._last_run_end >= PREPARE_AFTER_IDLE_S
        overdue = bool(self._to_prepare) and now - self._to_prepare[0][1] >= (
            PREPARE_AT_THE_LATEST_S
        )
        if force or idle or overdue:
            while self._to_prepare:
                self.preparer.after_run(self._to_prepare.pop(0)[0])
        return force or idle

    def run_forever(self) -> None:
        """Poll for runs until `stop_event` is set; outlive any database outage.

        While the database is unreachable the worker waits with a capped exponential
        backoff (`backoff_s`) and tries again, logging one line per attempt and no
        traceback; it never exits for it.
        """
        log.info("worker_started", worker=self.identity)
        listener = wakeup.Listener(self.engine, self.wake).start()
        try:
            swept = False
            while not self.stop_event.is_set():
                try:
                    self.wake.clear()  # before claiming: a run queued from now on wakes us
                    self.beat()
                    self.finish_pending()
                    self.prepare_when_idle()  # overdue ones, while runs keep coming
                    if not swept:
                        self.sweep()
                        self._tend_offers_when_due()
                        swept = True
                    if self.run_once() is None:
                        self.sweep()
                        self._tend_offers_when_due()
                        self.apply_retention()
                        self.settle_heap()
                        wait_s = self.settings.worker_poll_s
                        if self.prepare_when_idle():
                            self.preparer.refresh()  # rounds whose plan or records changed
                        else:
                            wait_s = min(wait_s, PREPARE_AFTER_IDLE_S)
                        self.wake.wait(wait_s)
                    else:
                        self._heap_settled = False
                    self._failures = 0
                except Exception as exc:
                    if not is_unavailable(exc):
                        raise
                    self._failures += 1
                    delay = backoff_s(self._failures, self.settings.worker_backoff_max_s)
                    log.warning(
                        "database_unavailable",
                        worker=self.identity,
                        error=type(exc).__name__,
                        attempt=self._failures,
                        retry_in_s=delay,
                    )
                    self.stop_event.wait(delay)
        finally:
            listener.stop()
            self.solver.close()
            self.preparer.close()
            self._forget()
            log.info("worker_stopped", worker=self.identity)

    def settle_heap(self) -> bool:
        """While idle, once after starting and after each run: collect, then move what is
        alive out of the cyclic collector's sight (gc.freeze, JET_MATCH_GC_FREEZE), like the
        API and the solver process. Otherwise a full collection walks the worker's whole
        heap (70-100 ms each, measured every second or two around runs) in the middle of
        a run's save. True when it froze."""
        if self._heap_settled or not self.settings.gc_freeze:
            return False
        gc.collect()
        gc.freeze()
        self._heap_settled = True
        return True

    def finish_pending(self) -> None:
        """Write what an outage interrupted (a run's outcome), oldest first."""
        while self._pending:
            self._pending[0]()
            self._pending.pop(0)

    def _execute(self, run_id: int) -> None:
        started = time.monotonic()

        def tick(progress: dict[str, Any]) -> Heartbeat:
            fields = {**progress, "elapsed_s": round(time.monotonic() - started, 1)}
            try:
                self.beat()
                with Session(self.engine, expire_on_commit=False) as session:
                    return queue.report_progress(session, run_id, self.identity, fields)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                # A short outage must not cost the solve: it goes on, and its outcome is
                # written when the database is back (a long one makes the run stale).
                log.warning("database_unavailable", run=run_id, error=type(exc).__name__)
                return Heartbeat.CONTINUE

        try:
            with Session(self.engine, expire_on_commit=False) as session:
                if outcome.refuse_unkeepable_pins(session, run_id, self.identity):
                    log.info("run_finished", run=run_id, status=RunStatus.FAILED.value)
                    return
                time_limit_s = queue.find(session, run_id).time_limit_s
        except Exception as exc:
            if is_unavailable(exc):  # lost the database right after claiming the run
                self._pending.append(lambda: self._retry(run_id))
            raise
        deadline = time.monotonic() + time_limit_s + self.settings.worker_grace_s
        self._run_id = run_id
        try:
            answer = self.solver.solve(
                run_id,
                tick,
                every_s=self.settings.worker_progress_s,
                deadline=deadline,
                stopping=self.stop_event.is_set,
            )
        except Exception as exc:  # a run that cannot be loaded fails; the worker goes on
            if is_unavailable(exc):
                self.solver.close()
                # The solve was cut by an outage: once the database is back, the run is
                # queued again (bounded by run_max_attempts) or stays interrupted, saying why.
                self._pending.append(lambda: self._retry(run_id))
                raise
            self._end(run_id, RunStatus.FAILED, f"the run could not be solved: {exc}"[:900], {})
            return
        finally:
            self._run_id = None
        progress = {**answer.progress, "elapsed_s": round(time.monotonic() - started, 1)}
        if isinstance(answer, Solved):
            solved = answer

            def complete() -> None:
                with Session(self.engine, expire_on_commit=False) as session:
                    status = outcome.complete_run(
                        session,
                        run_id,
                        self.identity,
                        solved.result,
                        progress,
                        solved.timings,
                        stamp=solved.stamp,
                    )
                log.info("run_finished", run=run_id, status=status.value)
                if status is RunStatus.SUCCEEDED:
                    self._to_prepare.append((run_id, time.monotonic()))  # `prepare_when_idle`

            self._settle(complete)
        elif answer.status is None:
            return
        elif answer.outage:
            self._settle(lambda: self._retry(run_id))
        elif answer.status is RunStatus.QUEUED:
            self._settle(lambda: self._hand_back(run_id))
        else:
            status, reason = answer.status, answer.reason
            self._settle(lambda: self._end(run_id, status, reason, progress))

    def _settle(self, write: Callable[[], None]) -> None:
        """Write a run's outcome; kept for later if the database is unreachable now."""
        try:
            write()
        except Exception as exc:
            if is_unavailable(exc):
                self._pending.append(write)
            raise

    def _retry(self, run_id: int) -> None:
        """A run cut by an outage: queued again, or interrupted once its attempts are spent."""
        with Session(self.engine, expire_on_commit=False) as session:
            status = queue.retry_after_outage(
                session,
                run_id,
                worker=self.identity,
                max_attempts=self.settings.run_max_attempts,
            )
        if status is not None:
            log.warning("run_cut_by_outage", run=run_id, status=status.value)

    def _hand_back(self, run_id: int) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            queue.hand_back(session, run_id, worker=self.identity)
        log.info("run_handed_back", run=run_id)

    def _end(self, run_id: int, status: RunStatus, reason: str, progress: dict[str, Any]) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            queue.end_run(session, run_id, status, reason, worker=self.identity, progress=progress)
        log.info("run_finished", run=run_id, status=status.value)
