"""The worker's preparation of review reads in a process of its own: it prepares, runs at
the solvers' niceness, is started again when it dies, and never outlives its worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool

import psutil
import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.services.rounds import preparation, prepared, report_sheets
from round_support import ROUND, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def _kinds(engine: Engine) -> set[str]:
    with Session(engine, expire_on_commit=False) as session:
        return set(session.scalars(select(models.PreparedReview.kind)).all())


def _forget_prepared(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.execute(delete(models.PreparedReview))
        session.commit()


def _latest_run(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as session:
        run_id = session.scalars(
            select(models.Run.id).order_by(col(models.Run.id).desc()).limit(1)
        ).one()
    return int(run_id)


def _prepared_again(preparer: preparation.Preparer, run_id: int) -> None:
    """after_run until it completes; a pool that has not yet noticed its process died
    fails the first attempt."""
    for _ in range(3):
        try:
            preparer.after_run(run_id).result(timeout=300)
            return
        except BrokenProcessPool:
            time.sleep(0.2)
    raise AssertionError("the preparation process was not started again")


def test_a_process_prepares_the_reads_and_is_started_again_after_dying(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    run_id = _latest_run(engine)
    _forget_prepared(engine)
    preparer = preparation.Preparer(engine, settings=settings)
    try:
        pid = preparer.process_id()
        assert pid is not None
        assert pid != os.getpid()
        assert psutil.Process(pid).nice() >= settings.worker_solver_nice
        preparer.after_run(run_id).result(timeout=300)
        assert _kinds(engine) == {prepared.EVALUATION, report_sheets.WORKBOOK, prepared.KPIS}

        os.kill(pid, signal.SIGKILL)
        if psutil.pid_exists(pid):
            psutil.Process(pid).wait(timeout=10)
        _forget_prepared(engine)
        _prepared_again(preparer, run_id)
        assert _kinds(engine) == {prepared.EVALUATION, report_sheets.WORKBOOK, prepared.KPIS}
        assert preparer.process_id() not in (None, pid)
    finally:
        preparer.close()


def test_the_idle_refresh_runs_in_the_process_too(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    _forget_prepared(engine)
    preparer = preparation.Preparer(engine, settings=settings)
    try:
        refreshing = preparer.refresh(force=True)
        assert refreshing is not None
        assert refreshing.result(timeout=300) == [ROUND]
        assert preparer.refresh() is None  # nothing moved since
    finally:
        preparer.close()
    assert prepared.EVALUATION in _kinds(engine)


def test_the_process_does_not_outlive_a_killed_worker(settings: Settings) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from jet_match.config import Settings
        from jet_match.db import make_engine
        from jet_match.services.rounds.preparation import Preparer
        settings = Settings(database_url=sys.argv[1], environment="test")
        preparer = Preparer(make_engine(settings), settings=settings)
        print(preparer.process_id(), flush=True)
        time.sleep(300)
        """
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, settings.database_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        child = int(worker.stdout.readline())
        assert psutil.pid_exists(child)
    finally:
        worker.kill()
        worker.wait()
    deadline = time.monotonic() + 10
    while _running(child):
        assert time.monotonic() < deadline, "the preparation process outlived its worker"
        time.sleep(0.1)


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (it may end between two questions)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
