"""The worker keeps its long-lived heap out of full garbage collections (JET_MATCH_GC_FREEZE):
once idle after starting and after each run, so that no full collection of its whole heap
(70-100 ms each) lands in the middle of a run's save."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.rounds import queue
from jet_match.worker import InlineSolver, Worker
from round_support import create_round, queue_run
from service_support import wait_until


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The test process's heap is collectable again afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_settling_freezes_the_heap_once_until_the_next_run(
    engine: Engine, settings: Settings
) -> None:
    worker = Worker(engine, settings.model_copy(update={"gc_freeze": True}), InlineSolver(engine))
    assert gc.get_freeze_count() == 0
    assert worker.settle_heap() is True
    assert gc.get_freeze_count() > 10_000  # the modules, the engine, the worker
    assert worker.settle_heap() is False  # nothing ran since: nothing to settle


@pytest.mark.usefixtures("unfrozen")
def test_without_gc_freeze_the_worker_never_freezes(engine: Engine, settings: Settings) -> None:
    worker = Worker(engine, settings, InlineSolver(engine))  # the tests' settings: off
    assert worker.settle_heap() is False
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("unfrozen", "loaded")
def test_a_running_worker_settles_its_heap_after_each_run(
    engine: Engine, settings: Settings
) -> None:
    worker = Worker(
        engine,
        settings.model_copy(update={"gc_freeze": True, "worker_poll_s": 0.05}),
        InlineSolver(engine),
    )
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        wait_until(lambda: gc.get_freeze_count() > 0, timeout=10)  # idle after starting
        gc.unfreeze()  # settled already: the idle worker does not freeze again...
        create_round(engine)
        run_id = queue_run(engine)

        def succeeded() -> bool:
            with Session(engine, expire_on_commit=False) as session:
                return queue.find(session, run_id).status == "succeeded"

        wait_until(succeeded, timeout=30)
        # ...until a run has allocated: then, idle again, it does.
        wait_until(lambda: gc.get_freeze_count() > 0, timeout=10)
    finally:
        worker.stop_event.set()
        worker.wake.set()
        thread.join(timeout=30)
