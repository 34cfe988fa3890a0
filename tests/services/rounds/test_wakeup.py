"""A queued run wakes an idle worker at once (PostgreSQL NOTIFY, a local socket on SQLite),
well before its poll interval; polling remains the fallback."""

from __future__ import annotations

import functools
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.rounds import queue, wakeup
from jet_match.worker import InlineSolver, Worker
from round_support import create_round, queue_run
from service_support import wait_until

POLL_S = 30.0  # the fallback: far longer than the wake-up may take, even on a loaded box


@pytest.fixture
def idle_worker(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Worker]:
    """A worker polling every 30 s, idle in a thread of this process, its listener
    listening (PostgreSQL issues the LISTEN on a thread of its own)."""
    listeners: list[wakeup.Listener] = []
    start = wakeup.Listener.start

    def recorded_start(listener: wakeup.Listener) -> wakeup.Listener:
        listeners.append(listener)
        return start(listener)

    monkeypatch.setattr(wakeup.Listener, "start", recorded_start)
    slow_poll = settings.model_copy(update={"worker_poll_s": POLL_S})
    worker = Worker(engine, slow_poll, InlineSolver(engine))
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    wait_until(lambda: bool(listeners), timeout=30)
    assert listeners[0].listening.wait(30)
    time.sleep(0.5)  # past its first claim attempt: now it waits
    yield worker
    worker.stop_event.set()
    worker.wake.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def _started(engine: Engine, run_id: int) -> bool:
    with Session(engine, expire_on_commit=False) as session:
        return queue.find(session, run_id).started_at is not None


def _finished(engine: Engine, run_id: int) -> bool:
    with Session(engine, expire_on_commit=False) as session:
        return queue.find(session, run_id).finished_at is not None


@pytest.mark.usefixtures("loaded")
def test_a_queued_run_is_claimed_well_before_the_poll_interval(
    engine: Engine, idle_worker: Worker
) -> None:
    create_round(engine)
    waits = []
    for _ in range(2):  # the second wait also proves the listener keeps listening
        queued = time.monotonic()
        run_id = queue_run(engine)
        while not _started(engine, run_id) and time.monotonic() - queued < POLL_S * 2:
            time.sleep(0.01)
        waits.append(time.monotonic() - queued)
        wait_until(functools.partial(_finished, engine, run_id), timeout=30)
        time.sleep(1.0)  # idle again
    assert max(waits) < POLL_S / 3, waits


def test_a_rolled_back_queue_wakes_nobody(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # PostgreSQL's channels are the database's: parallel tests in other schemas of it
    # queue runs too, so this one listens on a channel of its own.
    monkeypatch.setattr(wakeup, "CHANNEL", f"jet_match_runs_{uuid.uuid4().hex[:8]}")
    woken = threading.Event()
    listener = wakeup.Listener(engine, woken).start()
    try:
        assert listener.listening.wait(10)  # PostgreSQL: the LISTEN is issued
        with Session(engine) as session:
            wakeup.announce(session)
            session.rollback()
        assert not woken.wait(1.0)
        with Session(engine) as session:
            wakeup.announce(session)
            session.commit()
        assert woken.wait(5.0)
    finally:
        listener.stop()


def test_a_sqlite_worker_that_cannot_bind_its_socket_still_polls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """(PostgreSQL listens on a connection instead, retried while the database is down.)"""
    sqlite = create_engine(f"sqlite:///{tmp_path}/any.db")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(wakeup, "socket_folder", lambda _url: blocked)
    listener = wakeup.Listener(sqlite, threading.Event()).start()  # no exception
    assert listener._thread is None  # nothing listens: the worker polls
    listener.stop()
    assert wakeup.ring_local(str(sqlite.url)) == 0
