"""Freed memory kept in the process (JET_MATCH_KEEP_FREED_MEMORY): glibc's allocator set
by `keep_freed_memory`, and every service process setting it at start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from multiprocessing import Pipe

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

import jet_match.worker as worker_package
from jet_match import main
from jet_match.config import Settings
from jet_match.services.rounds import preparation
from jet_match.worker import solver_process

# Resident MiB after allocating 64 MiB (touched) and after freeing it, in a new process.
_PROBE = """
import sys
import numpy as np
from jet_match.process_memory import keep_freed_memory

def resident():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20

if sys.argv[1] == "keep":
    assert keep_freed_memory()
block = np.ones(64 * 2**20 // 8)
held = resident()
del block
print(held, resident())
"""


def _resident_after_freeing(mode: str) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True
    ).stdout
    held, after = (int(x) for x in out.split())
    return held, after


def test_freed_memory_stays_in_the_process_for_its_next_allocations() -> None:
    """Without the setting glibc hands a 64 MiB block back to the kernel when it is freed
    (on a VM the host then reclaims its pages, and the next run faults them in again);
    with it, the block stays resident for the process's next allocation."""
    held, after = _resident_after_freeing("default")
    assert held - after >= 60  # handed back
    held, after = _resident_after_freeing("keep")
    assert held - after <= 4  # kept


# Huge pages (KiB) backing a 64 MiB array, and numpy's own advice switch, in a new process.
_HUGE_PAGE_PROBE = """
import sys
import numpy._core.multiarray as multiarray
import numpy as np
from jet_match.process_memory import keep_freed_memory

if sys.argv[1] == "keep":
    assert keep_freed_memory()
block = np.ones(64 * 2**20 // 8)
rollup = open("/proc/self/smaps_rollup").read().splitlines()
huge = next(line for line in rollup if line.startswith("AnonHugePages")).split()[1]
print(huge, int(multiarray._get_madvise_hugepage()))
"""


def _huge_pages(mode: str, **environment: str) -> tuple[int, bool]:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"} | environment
    out = subprocess.run(
        [sys.executable, "-c", _HUGE_PAGE_PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    huge, advised = (int(x) for x in out.split())
    return huge, bool(advised)


def test_kept_memory_is_not_advised_into_huge_pages() -> None:
    """numpy advises huge pages for its large arrays; with large blocks on the kept heap
    that advice made a national solve 0.5-1.7 s slower (process_memory): it is off once
    the memory is kept, unless the environment asks numpy for it."""
    with open("/sys/kernel/mm/transparent_hugepage/enabled") as mode:
        # Only there does the advice decide (never: no huge pages; always: everywhere).
        advice_decides = "[madvise]" in mode.read()
    huge, advised = _huge_pages("default")
    assert advised
    kept, kept_advised = _huge_pages("keep")
    assert not kept_advised
    asked, asked_advised = _huge_pages("keep", NUMPY_MADVISE_HUGEPAGE="1")
    assert asked_advised
    if advice_decides:
        assert huge >= 32 * 1024
        assert kept == 0
        assert asked >= 32 * 1024


class _Calls:
    """Stands in for `keep_freed_memory`, counting the calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bool:
        self.count += 1
        return True


class _NoThread:
    def __init__(self, **_: object) -> None:
        pass

    def start(self) -> None:
        pass


@pytest.mark.parametrize("keep", [True, False])
def test_the_api_process_keeps_freed_memory_when_asked(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    calls = _Calls()
    monkeypatch.setattr(main, "keep_freed_memory", calls)
    app = main.create_app(settings.model_copy(update={"keep_freed_memory": keep}), engine)
    with TestClient(app) as client:
        assert client.get("/api/v1/health/live").status_code == 200
    assert calls.count == (1 if keep else 0)


@pytest.mark.parametrize("keep", [True, False])
def test_the_solver_process_keeps_freed_memory_when_asked(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    """The solver process's entry point, run here on a pipe already closed: it sets the
    allocator (or not) before it serves any run."""
    calls = _Calls()
    monkeypatch.setattr(solver_process, "keep_freed_memory", calls)
    monkeypatch.setattr(solver_process, "die_with_parent", lambda: None)
    monkeypatch.setattr(os, "nice", lambda _: 0)
    monkeypatch.setattr(signal, "signal", lambda *_: None)  # keep Ctrl-C
    ours, theirs = Pipe()
    ours.close()
    parent = os.getppid()
    solver_process.main(theirs, parent, settings.model_copy(update={"keep_freed_memory": keep}))
    assert calls.count == (1 if keep else 0)


@pytest.mark.parametrize("keep", [True, False])
def test_the_preparation_process_keeps_freed_memory_when_asked(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    """The preparation process's start (its watcher thread and engine left out here)."""
    calls = _Calls()
    monkeypatch.setattr(preparation, "keep_freed_memory", calls)
    monkeypatch.setattr(os, "nice", lambda _: 0)
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    monkeypatch.setattr(threading, "Thread", _NoThread)
    monkeypatch.setattr(preparation, "make_engine", lambda _: None)
    monkeypatch.setattr(preparation, "_Core", lambda _: None)
    monkeypatch.setattr(preparation, "_process_core", None)
    preparation._process_start(settings.model_copy(update={"keep_freed_memory": keep}), 1)
    assert calls.count == (1 if keep else 0)


class _StandIn:
    """A worker or notifier that stops at once (`run_worker` is the code under test)."""

    identity = "stand-in"

    def __init__(self, *_: object) -> None:
        self.stop_event = threading.Event()
        self.wake = threading.Event()

    def run_forever(self) -> None:
        pass

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever)
        thread.start()
        return thread


@pytest.mark.parametrize("keep", [True, False])
def test_a_worker_process_keeps_freed_memory_when_asked(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    """`run_worker` (`jet-match worker`, and the worker `jet-match serve` embeds) sets the
    allocator before anything else."""
    calls = _Calls()
    monkeypatch.setattr(worker_package, "keep_freed_memory", calls)
    monkeypatch.setattr(worker_package, "Worker", _StandIn)
    monkeypatch.setattr(worker_package, "Notifier", _StandIn)
    monkeypatch.setattr(signal, "signal", lambda *_: None)  # keep the suite's handlers
    worker_package.run_worker(settings.model_copy(update={"keep_freed_memory": keep}))
    assert calls.count == (1 if keep else 0)


def test_it_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JET_MATCH_KEEP_FREED_MEMORY", raising=False)  # the suite's (conftest)
    assert Settings().keep_freed_memory is True
