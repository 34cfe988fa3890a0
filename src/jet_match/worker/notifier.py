"""Delivering notifications: a thread of every worker process, beside its runs.

The web process only writes the outbox; this thread dispatches its events and delivers
them (`services.notifications.delivery`), so a solve that takes minutes never holds up a
webhook. After downtime it simply finds the backlog: everything not yet delivered is
still in the tables. Any number of workers may deliver at once: each delivery is claimed
by one of them for a lease, and one that dies mid-delivery leaves it to another when the
lease ends.
"""

from __future__ import annotations

import contextlib
import os
import threading

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import is_unavailable
from jet_match.services.notifications import delivery
from jet_match.statuses import DeliveryStatus

log = structlog.get_logger("jet_match.worker.notifier")


class Notifier:
    """Dispatches and delivers notifications until told to stop."""

    def __init__(self, engine: Engine, settings: Settings, identity: str) -> None:
        self.engine = engine
        self.settings = settings
        self.identity = f"{identity}/notifier"
        self.stop_event = threading.Event()

    def run_once(self) -> int:
        """One batch: dispatch new events, attempt the due deliveries; how many attempts."""
        with Session(self.engine, expire_on_commit=False) as session:
            done = delivery.deliver_due(session, self.identity, settings=self.settings)
        for delivery_id, status in done:
            # A success is the normal case: one debug line; a retry or a failure is news.
            level = {DeliveryStatus.DELIVERED: log.debug, DeliveryStatus.FAILED: log.warning}
            level.get(status, log.info)(
                "notification_attempt", delivery=delivery_id, status=status.value
            )
        return len(done)

    def run_forever(self) -> None:
        """Deliver until `stop_event` is set; wait out database outages.

        The thread runs at the solvers' niceness (`worker_solver_nice`, Linux: a thread's
        own priority), so that a burst of deliveries after a national publish yields the
        CPU to the API, as solves do.
        """
        _lower_priority(self.settings.worker_solver_nice)
        failures = 0
        while not self.stop_event.is_set():
            try:
                if self.run_once() == 0:
                    self.stop_event.wait(self.settings.notify_poll_s)
                failures = 0
            except Exception as exc:
                if not is_unavailable(exc):
                    log.exception("notifier_error")
                failures += 1
                self.stop_event.wait(min(0.5 * 2**failures, self.settings.worker_backoff_max_s))

    def start(self) -> threading.Thread:
        """Run in a daemon thread."""
        thread = threading.Thread(target=self.run_forever, name="jet-match-notifier", daemon=True)
        thread.start()
        return thread


def _lower_priority(nice: int) -> None:
    """Lower this thread's scheduling priority (where the system allows it)."""
    with contextlib.suppress(OSError, AttributeError):
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, nice))
