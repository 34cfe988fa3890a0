"""The solver process: loads, prepares and solves the runs its worker hands it, one at a time.

The worker sends a run id through a pipe; this process reads the round's problem from the
database (read-only: the worker writes everything) and sends back progress reports and
the `Result` (which holds no names or contact data) with the versions of the records it
read, which the worker compares with the records when it writes the plan. It keeps, per
process, the records it read and the last prepared `Instance` of each round, so that a
re-solve of the same records (after one withdrawal, or after a few record edits) reads the
changed rows only and reuses the eligibility and score arrays (recomputing the edited
participants and openings) and what the engines learnt: a fraction of a first solve. The
worker kills it to cancel a run or enforce a time limit; it dies with the worker (Linux:
PR_SET_PDEATHSIG), so a killed worker leaves no solver behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import is_unavailable, make_engine
from jet_match.process_memory import keep_freed_memory
from jet_match.services.bridge.round_data import RecordStamp
from jet_match.services.rounds import queue
from jet_match.solver import Deadline, Instance, Progress, Result, prepare, solve

#: Rounds whose prepared instance is kept (each is a few hundred MB at national scale).
KEPT_INSTANCES = 2
#: At most this many progress messages per second reach the worker.
PROGRESS_EVERY_S = 0.5


def progress_fields(progress: Progress) -> dict[str, Any]:
    """A solver progress report as the run's `progress` fields."""
    return {
        "placed": progress.placed,
        "score": progress.score,
        "bound_placed": progress.bound_placed,
        "bound_score": progress.bound_score,
        "gap": progress.gap,
    }


def die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that started it ends."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def main(conn: Connection, parent_pid: int, settings: Settings) -> None:
    """Serve runs until the pipe closes (the entry point of the solver process)."""
    die_with_parent()
    if os.getppid() != parent_pid:  # the worker died before prctl took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(settings.worker_solver_nice)
    if settings.keep_freed_memory:
        keep_freed_memory()  # the next run's arrays reuse it at once (process_memory)
    engine = make_engine(settings)
    instances: OrderedDict[int, Instance] = OrderedDict()
    try:
        while True:
            try:
                run_id = conn.recv()
            except (EOFError, OSError):
                return
            if run_id is None:
                return
            try:
                conn.send(("result", _solve(conn, engine, run_id, instances)))
            except Exception as exc:  # report any failure of a run; the process serves on
                kind = "unavailable" if is_unavailable(exc) else "error"
                conn.send((kind, f"{type(exc).__name__}: {exc}"[:900]))
            # Idle now: collect, then exempt what is kept (records, instances) from later
            # collections, which would otherwise walk it again during the next solve.
            gc.collect()
            gc.freeze()
    finally:
        engine.dispose()


def _solve(
    conn: Connection, engine: Engine, run_id: int, instances: OrderedDict[int, Instance]
) -> tuple[Result, dict[str, float], RecordStamp]:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        job = queue.job_of(session, run_id)
    # One clock for the run: loading, preparing and solving all count against its limit.
    deadline = Deadline(job.time_limit_s, started)
    loaded = time.perf_counter()
    conn.send(("progress", {"phase": "preparing"}))
    base = instances.pop(job.round_id, None)
    instance = prepare(job.problem, base=base, deadline=deadline)
    prepared = time.perf_counter()
    conn.send(("progress", {"phase": "solving"}))
    last = 0.0

    def report(progress: Progress) -> bool:
        nonlocal last
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY_S:
            last = now
            conn.send(("progress", progress_fields(progress)))
        return False

    result = solve(instance, seed=job.seed, progress=report, deadline=deadline)
    instances[job.round_id] = instance
    while len(instances) > KEPT_INSTANCES:
        instances.popitem(last=False)
    timings = {"load_s": round(loaded - started, 4), "prepare_s": round(prepared - loaded, 4)}
    return result, timings, job.stamp
