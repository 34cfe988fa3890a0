"""The database storage of `limits`: one count for every process, windows that end."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.db import make_engine
from jet_match.services.security import rate_limits
from jet_match.services.security.rate_limits import DatabaseStorage


def test_counts_from_two_engines_at_once_are_never_lost(engine: Engine, settings: Settings) -> None:
    other = make_engine(settings)
    storages = [DatabaseStorage(engine), DatabaseStorage(other)]

    def count(storage: DatabaseStorage) -> None:
        for _ in range(40):
            storage.incr("auth-failure/client", 60)

    threads = [threading.Thread(target=count, args=(s,)) for s in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert storages[0].get("auth-failure/client") == 80
    assert time.time() < storages[0].get_expiry("auth-failure/client") <= time.time() + 60


class _Clock:
    """The storage's `time` module, on a clock the test moves (a loaded box may stall for
    longer than a 1 s window between two statements)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_a_window_that_ended_counts_from_zero(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(rate_limits, "time", clock)
    storage = DatabaseStorage(engine)
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2/second")
    assert limiter.hit(item, "c")
    assert limiter.hit(item, "c")
    assert not limiter.test(item, "c")
    clock.now += 0.9
    assert not limiter.test(item, "c")  # still the same window
    clock.now += 0.2
    assert storage.get(item.key_for("c")) == 0
    assert limiter.test(item, "c")
    assert limiter.hit(item, "c")
    assert storage.get(item.key_for("c")) == 1
    storage.clear(item.key_for("c"))
    assert storage.get(item.key_for("c")) == 0
    assert storage.check()
