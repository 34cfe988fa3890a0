"""The solver process: prepares and solves jobs sent by its worker, one at a time.

It never touches the database: the worker sends a `Job` (the solver's `Problem`, which
holds no names or contact data) through a pipe and gets back progress reports and the
`Result`. It keeps the last prepared `Instance` of each round, so that a re-solve of the
same records (say, after one withdrawal) reuses the eligibility and score arrays and
costs a fraction of a first solve. The worker kills it to cancel a run or enforce a time
limit; it dies with the worker (Linux: PR_SET_PDEATHSIG), so a killed worker leaves no
solver behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from typing import Any

from jet_match.services.runs import Job
from jet_match.solver import Instance, Progress, prepare, solve

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


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the worker that started it dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def main(conn: Connection, parent_pid: int) -> None:
    """Serve jobs until the pipe closes (the entry point of the solver process)."""
    _die_with_parent()
    if os.getppid() != parent_pid:  # the worker died before prctl took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    instances: OrderedDict[int, Instance] = OrderedDict()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("result", _solve(conn, job, instances)))
        except Exception as exc:  # report any failure of a job; the process serves on
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:900]))


def _solve(conn: Connection, job: Job, instances: OrderedDict[int, Instance]) -> object:
    base = instances.pop(job.round_id, None)
    instance = prepare(job.problem, base=base)
    conn.send(("progress", {"phase": "solving"}))
    last = 0.0

    def report(progress: Progress) -> bool:
        nonlocal last
        now = time.perf_counter()
        if now - last >= PROGRESS_EVERY_S:
            last = now
            conn.send(("progress", progress_fields(progress)))
        return False

    result = solve(instance, time_limit_s=job.time_limit_s, seed=job.seed, progress=report)
    instances[job.round_id] = instance
    while len(instances) > KEPT_INSTANCES:
        instances.popitem(last=False)
    return result
