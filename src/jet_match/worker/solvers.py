"""How the worker has a claimed run solved: `ChildSolver` in a long-lived child process
that it can kill at any moment (deployments), `InlineSolver` in the worker's own thread
(no process to kill: cancellation waits for the solver's next progress report; the tests
use it to run queued runs quickly). Either answers `Solved` or `Stopped`, relaying the
solver's progress through `tick` about once a second.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.bridge.round_data import RecordStamp
from jet_match.services.rounds import queue
from jet_match.services.rounds.queue import Heartbeat
from jet_match.solver import Deadline, Progress, Result, prepare, solve
from jet_match.statuses import RunStatus
from jet_match.worker import solver_process

#: Called with progress fields; says whether to go on, cancel, or give the run up.
Tick = Callable[[dict[str, Any]], Heartbeat]


@dataclass(frozen=True, slots=True)
class Solved:
    """The solver answered (`timings`: seconds spent loading and preparing the problem)."""

    result: Result
    progress: dict[str, Any]
    timings: dict[str, float]
    stamp: RecordStamp  # the versions of the records the problem was read from


@dataclass(frozen=True, slots=True)
class Stopped:
    """The run ends without a plan: cancelled, lost, failed or interrupted."""

    status: RunStatus | None  # None: the run is no longer ours, leave it
    reason: str
    progress: dict[str, Any]
    outage: bool = False  # cut by a database outage: retried, not failed


Outcome = Solved | Stopped

#: Why a run went back to the queue: its worker was told to stop (SIGTERM, Ctrl-C).
HANDED_BACK = "the worker was stopped; the run went back to the queue"


class Solver(Protocol):
    """Solves a claimed run, calling `tick` about every `every_s` seconds."""

    def solve(
        self,
        run_id: int,
        tick: Tick,
        *,
        every_s: float,
        deadline: float,
        stopping: Callable[[], bool],
    ) -> Outcome:
        """Load and solve the run; give up at `deadline` (time.monotonic) or `stopping()`."""
        ...

    def close(self) -> None:
        """Release the solver's resources."""
        ...


class ChildSolver:
    """Solves in a long-lived child process that can be killed at any moment."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._process, self._conn
        self.close()
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=solver_process.main,
            args=(child, os.getpid(), self._settings),
            name="jet-match-solver",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return process, parent

    @property
    def pid(self) -> int | None:
        """The solver process's pid, if it runs."""
        return self._process.pid if self._process is not None else None

    def solve(
        self,
        run_id: int,
        tick: Tick,
        *,
        every_s: float,
        deadline: float,
        stopping: Callable[[], bool],
    ) -> Outcome:
        """Send the run, relay progress, and kill the solver if the run must stop."""
        process, conn = self._start()
        progress: dict[str, Any] = {"phase": "loading"}
        conn.send(run_id)
        next_tick = time.monotonic() + every_s
        while True:
            message = self._receive(conn, timeout=min(0.2, every_s))
            if message is not None:
                kind, payload = message
                if kind == "result":
                    result, timings, stamp = payload
                    return Solved(result, progress, timings, stamp)
                if kind == "error":
                    return Stopped(RunStatus.FAILED, f"the solver failed: {payload}", progress)
                if kind == "unavailable":  # the solver lost the database while loading
                    return Stopped(RunStatus.INTERRUPTED, payload, progress, outage=True)
                progress.update(payload)
            elif not process.is_alive():
                code = process.exitcode
                self.close()
                return Stopped(
                    RunStatus.INTERRUPTED,
                    f"the solver process ended unexpectedly (exit code {code})",
                    progress,
                )
            if stopping():
                self.close()
                return Stopped(RunStatus.QUEUED, HANDED_BACK, progress)
            if time.monotonic() > deadline:
                self.close()
                return Stopped(
                    RunStatus.FAILED,
                    "the solver did not finish within the time limit and its grace period",
                    progress,
                )
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + every_s
                heartbeat = tick(progress)
                if heartbeat is not Heartbeat.CONTINUE:
                    self.close()
                    return _stopped_by(heartbeat, progress)

    def _receive(self, conn: Connection, timeout: float) -> tuple[str, Any] | None:
        try:
            if conn.poll(timeout):
                message: tuple[str, Any] = conn.recv()
                return message
        except (EOFError, OSError):
            return None
        return None

    def close(self) -> None:
        """Kill the solver process (a new one starts with the next job)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None and process.is_alive():
            process.kill()
            process.join(timeout=10)


def _stopped_by(heartbeat: Heartbeat, progress: dict[str, Any]) -> Stopped:
    if heartbeat is Heartbeat.CANCEL:
        return Stopped(RunStatus.CANCELLED, "cancelled by a coordinator", progress)
    return Stopped(None, "the run was ended by someone else meanwhile", progress)


class InlineSolver:
    """Solves in the calling thread; stops at the solver's progress reports only."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def solve(
        self,
        run_id: int,
        tick: Tick,
        *,
        every_s: float,
        deadline: float,
        stopping: Callable[[], bool],
    ) -> Outcome:
        """Load, prepare and solve here, ticking from the solver's progress callback."""
        started = time.perf_counter()
        with Session(self._engine, expire_on_commit=False) as session:
            job = queue.job_of(session, run_id)
        timings = {"load_s": round(time.perf_counter() - started, 4)}
        progress: dict[str, Any] = {"phase": "solving"}
        heartbeat = tick(progress)
        if heartbeat is not Heartbeat.CONTINUE:
            return _stopped_by(heartbeat, progress)
        verdict: list[Heartbeat] = []

        def report(update: Progress) -> bool:
            progress.update(solver_process.progress_fields(update))
            verdict.append(tick(progress))
            return verdict[-1] is not Heartbeat.CONTINUE

        clock = Deadline(job.time_limit_s, started)  # loading counts against the limit
        result = solve(
            prepare(job.problem, deadline=clock), seed=job.seed, progress=report, deadline=clock
        )
        stop = next((v for v in verdict if v is not Heartbeat.CONTINUE), None)
        if stop is not None:
            return _stopped_by(stop, progress)
        return Solved(result, progress, timings, job.stamp)

    def close(self) -> None:
        """Nothing to release."""
