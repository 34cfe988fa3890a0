"""A run whose solve a database outage cut is queued again, a bounded number of times
(`run_max_attempts`); then it stays `interrupted`, saying why. The outage is an
OperationalError raised where the solver reads the round (the worker's reads and writes
around it are real). A cancel asked meanwhile still wins. Runs on both databases."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import queue, rounds, runs
from jet_match.statuses import RunStatus
from jet_match.worker import InlineSolver, Worker
from round_support import ROUND, create_round, queue_run
from service_support import Keys, auth, wait_until

pytestmark = pytest.mark.usefixtures("loaded")


def _outage() -> OperationalError:
    return OperationalError("SELECT ...", {}, ConnectionRefusedError("connection refused"))


@pytest.fixture
def cut_solves(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], list[int]]:
    """`cut_solves(n)`: the next n solves lose the database while reading the round;
    the list returned fills with the run ids each cut hit."""

    def install(times: int) -> list[int]:
        real = queue.job_of
        cut: list[int] = []

        def job_of(session: Session, run_id: int) -> queue.Job:
            if len(cut) < times:
                cut.append(run_id)
                raise _outage()
            return real(session, run_id)

        monkeypatch.setattr(queue, "job_of", job_of)
        return cut

    return install


@pytest.fixture
def retry_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"worker_poll_s": 0.05, "worker_backoff_max_s": 0.5, "run_max_attempts": 3}
    )


def _run(engine: Engine, run_id: int) -> tuple[str, int, str | None]:
    with Session(engine, expire_on_commit=False) as session:
        run = runs.get_run(session=session, caller=COMMAND_LINE, run_id=run_id)
    return run.status.value, run.attempts, run.error


def test_a_solve_cut_by_an_outage_is_retried_and_succeeds(
    engine: Engine, retry_settings: Settings, cut_solves: Callable[[int], list[int]]
) -> None:
    create_round(engine)
    run_id = queue_run(engine)
    cut = cut_solves(2)
    worker = Worker(engine, retry_settings, InlineSolver(engine))
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        wait_until(lambda: _run(engine, run_id)[0] == RunStatus.SUCCEEDED.value, timeout=60)
    finally:
        worker.stop_event.set()
        thread.join(timeout=30)
    assert cut == [run_id, run_id]
    status, attempts, error = _run(engine, run_id)
    assert (status, attempts, error) == (RunStatus.SUCCEEDED.value, 3, None)


def test_beyond_its_attempts_the_run_stays_interrupted_saying_why(
    engine: Engine, retry_settings: Settings, cut_solves: Callable[[int], list[int]]
) -> None:
    create_round(engine)
    run_id = queue_run(engine)
    cut = cut_solves(100)
    worker = Worker(engine, retry_settings, InlineSolver(engine))
    for attempt in range(1, 4):
        with pytest.raises(OperationalError):
            worker.run_once()
        worker.finish_pending()  # the database is back: the cut run is settled
        status, attempts, _ = _run(engine, run_id)
        assert attempts == attempt
        assert status == (RunStatus.QUEUED if attempt < 3 else RunStatus.INTERRUPTED).value
    status, attempts, error = _run(engine, run_id)
    assert error is not None
    assert "database became unreachable" in error
    assert "3 times" in error
    assert cut == [run_id] * 3
    assert worker.run_once() is None  # not queued again
    with Session(engine, expire_on_commit=False) as session:
        assert rounds.find(session, ROUND).active_run_id is None  # a new run may start


def test_an_outage_right_after_the_claim_is_retried_too(
    engine: Engine, retry_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jet_match.services.rounds import outcome

    create_round(engine)
    run_id = queue_run(engine)
    check = outcome.refuse_unkeepable_pins
    calls: list[int] = []

    def cut_once(session: Session, run_id: int, worker: str) -> bool:
        calls.append(run_id)
        if len(calls) == 1:
            raise _outage()
        return check(session, run_id, worker)

    monkeypatch.setattr(outcome, "refuse_unkeepable_pins", cut_once)
    worker = Worker(engine, retry_settings, InlineSolver(engine))
    with pytest.raises(OperationalError):
        worker.run_once()
    worker.finish_pending()
    assert _run(engine, run_id)[:2] == (RunStatus.QUEUED.value, 1)
    worker.run_until_idle()
    assert _run(engine, run_id)[:2] == (RunStatus.SUCCEEDED.value, 2)


def test_a_cancel_asked_during_the_outage_wins_over_the_retry(
    engine: Engine, retry_settings: Settings, cut_solves: Callable[[int], list[int]]
) -> None:
    create_round(engine)
    run_id = queue_run(engine)
    cut_solves(1)
    worker = Worker(engine, retry_settings, InlineSolver(engine))
    with pytest.raises(OperationalError):
        worker.run_once()
    with Session(engine, expire_on_commit=False) as session:
        runs.cancel_run(session=session, caller=COMMAND_LINE, run_id=run_id)
    worker.finish_pending()
    assert _run(engine, run_id)[0] == RunStatus.CANCELLED.value
    assert worker.run_once() is None


def test_a_solver_error_is_not_retried(
    engine: Engine, retry_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_round(engine)
    run_id = queue_run(engine)

    def broken(session: Session, run_id: int) -> queue.Job:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(queue, "job_of", broken)
    Worker(engine, retry_settings, InlineSolver(engine)).run_once()
    status, attempts, error = _run(engine, run_id)
    assert (status, attempts) == (RunStatus.FAILED.value, 1)
    assert error is not None
    assert "a bug" in error


def test_the_api_shows_the_attempts(
    client: TestClient, keys: Keys, engine: Engine, retry_settings: Settings
) -> None:
    create_round(engine)
    run_id = queue_run(engine)
    queued = client.get(f"/api/v1/runs/{run_id}", headers=auth(keys.coordinator))
    assert queued.json()["attempts"] == 0
    Worker(engine, retry_settings, InlineSolver(engine)).run_until_idle()
    answer = client.get(f"/api/v1/runs/{run_id}", headers=auth(keys.coordinator))
    assert answer.json()["attempts"] == 1
