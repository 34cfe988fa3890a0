"""Background solving: `jet-match worker` processes, or one embedded in `jet-match serve`.

Runs never execute in the web process: the API queues them (a row in `runs`) and a
worker process claims and executes them (`supervisor.Worker`), each solve in a solver
process of its own (`solver_process`) that can be killed to cancel or to enforce the time
limit. Any number of workers may share a database; each run is claimed by exactly one.
Each worker process also delivers notifications in a thread (`notifier`).
docs/operations.md ("Workers") tells how to run them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from types import FrameType

from jet_match.config import Settings
from jet_match.db import make_engine
from jet_match.logging_setup import configure_logging
from jet_match.process_memory import keep_freed_memory
from jet_match.worker.notifier import Notifier
from jet_match.worker.solvers import ChildSolver, InlineSolver
from jet_match.worker.supervisor import Worker

__all__ = ["ChildSolver", "InlineSolver", "Notifier", "Worker", "embedded", "run_worker"]


def run_worker(settings: Settings, *, parent_pid: int | None = None) -> None:
    """Run a worker in this process until SIGTERM or SIGINT (the `jet-match worker` command).

    On a signal, a run in progress is stopped and handed back to the queue (`queued`), so
    that the next worker runs it again. With `parent_pid`, the worker also stops when that
    process is gone (a worker embedded in `jet-match serve` never outlives the server).
    """
    if settings.keep_freed_memory:
        keep_freed_memory()  # a run's load and save after a pause reuse it (process_memory)
    engine = make_engine(settings)
    worker = Worker(engine, settings, ChildSolver(settings))
    notifier = Notifier(engine, settings, worker.identity)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        worker.stop_event.set()
        worker.wake.set()
        notifier.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if parent_pid is not None:
        threading.Thread(
            target=_stop_when_orphaned, args=(worker.stop_event, parent_pid), daemon=True
        ).start()
    delivering = notifier.start()
    try:
        worker.run_forever()
    finally:
        notifier.stop_event.set()
        delivering.join(timeout=max(10.0, settings.webhook_timeout_s * 2))
        engine.dispose()


def _stop_when_orphaned(stop: threading.Event, parent_pid: int) -> None:
    while not stop.wait(1.0):
        if os.getppid() != parent_pid:
            stop.set()


def _embedded_main(settings: Settings, parent_pid: int) -> None:
    configure_logging(settings)
    run_worker(settings, parent_pid=parent_pid)


@contextmanager
def embedded(settings: Settings, *, restart_after_s: float = 1.0) -> Iterator[None]:
    """A worker process beside the web server, restarted if it dies, stopped at exit."""
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    current: list[BaseProcess] = []

    def start() -> BaseProcess:
        process = context.Process(
            target=_embedded_main,
            args=(settings, os.getpid()),
            name="jet-match-worker",
            daemon=False,
        )
        process.start()
        return process

    def watch() -> None:
        while not stopping.is_set():
            if not current or not current[-1].is_alive():
                current[:] = [start()]
            stopping.wait(restart_after_s)

    current.append(start())
    watcher = threading.Thread(target=watch, name="jet-match-worker-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stopping.set()
        watcher.join(timeout=5)
        for process in current:
            if process.is_alive():
                process.terminate()
                process.join(timeout=15)
            if process.is_alive():
                process.kill()
