"""A run's review reads are prepared once the worker has been idle for a moment
(`PREPARE_AFTER_IDLE_S`), so that a re-solve queued right after a run does not share the
cores with seconds of preparation; `run_until_idle` prepares at once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.services.rounds import prepared, report_sheets
from jet_match.worker import InlineSolver, Worker, supervisor
from round_support import create_round, queue_run

pytestmark = pytest.mark.usefixtures("loaded")


def _kinds(engine: Engine) -> set[str]:
    with Session(engine, expire_on_commit=False) as session:
        return set(session.scalars(select(models.PreparedReview.kind)).all())


@pytest.fixture
def after_a_run(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Worker]:
    """A worker right after a run, never idle nor overdue enough to hand its reads over
    (however slow the box) until a test lowers the two delays."""
    monkeypatch.setattr(supervisor, "PREPARE_AFTER_IDLE_S", 60.0)
    monkeypatch.setattr(supervisor, "PREPARE_AT_THE_LATEST_S", 60.0)
    create_round(engine)
    worker = Worker(engine, settings, InlineSolver(engine))
    try:
        queue_run(engine)
        assert worker.run_once() is not None
        # Right after the run: a re-solve would go first; nothing is handed over yet.
        assert worker.prepare_when_idle() is False
        worker.preparer.wait()
        assert _kinds(engine) == set()
        yield worker
    finally:
        worker.preparer.close()


def test_a_runs_reads_wait_until_the_worker_is_idle(
    engine: Engine, after_a_run: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Idle for long enough: the run's reads are prepared.
    monkeypatch.setattr(supervisor, "PREPARE_AFTER_IDLE_S", 0.3)
    time.sleep(0.3)
    assert after_a_run.prepare_when_idle() is True
    after_a_run.preparer.wait()
    assert {prepared.EVALUATION, prepared.KPIS, report_sheets.WORKBOOK} <= _kinds(engine)


def test_run_until_idle_prepares_at_once(engine: Engine, settings: Settings) -> None:
    create_round(engine)
    queue_run(engine)
    worker = Worker(engine, settings, InlineSolver(engine))
    try:
        assert len(worker.run_until_idle()) == 1
        assert {prepared.EVALUATION, prepared.KPIS, report_sheets.WORKBOOK} <= _kinds(engine)
    finally:
        worker.preparer.close()


def test_a_runs_reads_wait_at_most_a_while_when_runs_keep_coming(
    engine: Engine, after_a_run: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue of runs keeps the worker busy: the first run's reads are prepared beside a
    later run once they have waited PREPARE_AT_THE_LATEST_S, not after the whole queue."""
    monkeypatch.setattr(supervisor, "PREPARE_AT_THE_LATEST_S", 0.2)
    time.sleep(0.2)
    queue_run(engine)  # another run keeps the worker busy
    assert after_a_run.run_once() is not None
    assert after_a_run.prepare_when_idle() is False  # a run has just ended again, but...
    after_a_run.preparer.wait()  # ...the first run's reads waited long enough
    assert {prepared.EVALUATION, prepared.KPIS, report_sheets.WORKBOOK} <= _kinds(engine)
