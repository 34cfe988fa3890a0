"""The worker's notifier thread: the backlog written while no worker ran is delivered
when one starts, and stopping it is prompt."""

from __future__ import annotations

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
