"""The worker's notifier thread: the backlog written while no worker ran is delivered
when one starts, and stopping it is prompt."""

from __future__ import annotations

import os
import threading

from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.worker import Notifier
from notification_support import add_webhook, http_receiver
from round_support import published_round
from service_support import Keys, wait_until


def test_the_backlog_is_delivered_when_a_worker_starts(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    with http_receiver() as receiver:
        add_webhook(engine, settings, receiver.url, ["round.published", "run.finished"])
        published_round(engine, settings)  # no notifier runs: three events wait
        notifier = Notifier(engine, settings.model_copy(update={"notify_poll_s": 0.05}), "test")
        thread: threading.Thread = notifier.start()
        try:
            wait_until(lambda: len(receiver.requests) == 3, timeout=20)
        finally:
            notifier.stop_event.set()
            thread.join(timeout=10)
        assert not thread.is_alive()
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3


class _Probe(Notifier):
    """Records the priority its delivery thread runs at, then stops."""

    seen: list[int]

    def run_once(self) -> int:
        self.seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        self.stop_event.set()
        return 0


def test_the_notifier_thread_runs_at_the_solvers_niceness(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    probe = _Probe(engine, settings.model_copy(update={"worker_solver_nice": 7}), "test")
    probe.seen = []
    probe.start().join(timeout=10)
    assert probe.seen
    assert probe.seen[0] == max(7, before)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # that thread only
