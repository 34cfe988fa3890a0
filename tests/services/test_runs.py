"""The run queue: atomic claims, one active run per round, single-transaction plans,
interrupted runs. On SQLite and on PostgreSQL (JET_MATCH_TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict
from jet_match.schemas import RunCreate, RunStatus
from jet_match.services import round_data, runs, withdrawals
from jet_match.services.access import COMMAND_LINE
from jet_match.solver import solve
from round_support import ROUND, SMALL_PLAN, create_round, current_plan, queue_run, work


def _status(engine: Engine, run_id: int) -> models.Run:
    with Session(engine, expire_on_commit=False) as session:
        return runs.find(session, run_id)


@pytest.mark.usefixtures("loaded")
class TestClaims:
    def test_among_concurrent_workers_exactly_one_claims_a_run(self, engine: Engine) -> None:
        create_round(engine)
        run_id = queue_run(engine)
        barrier = threading.Barrier(8)
        claimed: list[int | None] = []

        def claim(worker: int) -> None:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                claimed.append(runs.claim_next(session, f"host:{worker}:0"))

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claimed, key=str) == [run_id] + [None] * 7
        run = _status(engine, run_id)
        assert run.status == RunStatus.RUNNING.value
        assert run.worker is not None

    def test_runs_are_claimed_oldest_first(self, engine: Engine) -> None:
        create_round(engine, "R-A")
        create_round(engine, "R-B")
        first, second = queue_run(engine, "R-A"), queue_run(engine, "R-B")
        with Session(engine, expire_on_commit=False) as session:
            assert runs.claim_next(session, "w") == first
            assert runs.claim_next(session, "w") == second
            assert runs.claim_next(session, "w") is None

    def test_one_active_run_per_round(self, engine: Engine) -> None:
        create_round(engine)
        queue_run(engine)
        with pytest.raises(Conflict), Session(engine) as session:
            runs.start_run(
                session=session, caller=COMMAND_LINE, round_id=ROUND, options=RunCreate()
            )


@pytest.mark.usefixtures("loaded")
class TestCompletion:
    def _claimed_job(self, engine: Engine) -> tuple[int, runs.Job]:
        create_round(engine)
        run_id = queue_run(engine)
        with Session(engine, expire_on_commit=False) as session:
            assert runs.claim_next(session, "w") == run_id
            return run_id, runs.job_of(session, run_id)

    def test_the_plan_the_run_and_the_round_commit_together(self, engine: Engine) -> None:
        run_id, job = self._claimed_job(engine)
        with Session(engine, expire_on_commit=False) as session:
            status = runs.complete_run(session, run_id, "w", solve(job.problem), {})
        assert status is RunStatus.SUCCEEDED
        assert current_plan(engine) == SMALL_PLAN
        with Session(engine, expire_on_commit=False) as session:
            row = session.scalars(select(models.Round)).one()
        assert (row.status, row.active_run_id) == ("solved", None)

    def test_a_failure_while_writing_leaves_no_partial_plan(
        self, engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run_id, job = self._claimed_job(engine)
        result = solve(job.problem)

        def crash(session: Session) -> None:
            raise RuntimeError("the process died while committing")

        monkeypatch.setattr(runs, "commit", crash)
        with Session(engine, expire_on_commit=False) as session, pytest.raises(RuntimeError):
            runs.complete_run(session, run_id, "w", result, {})
        assert current_plan(engine) == {}
        assert _status(engine, run_id).status == RunStatus.RUNNING.value

    def test_a_run_of_a_round_that_changed_meanwhile_fails_without_writing(
        self, engine: Engine, settings: Settings
    ) -> None:
        create_round(engine)
        queue_run(engine)
        work(engine, settings)
        run_id = queue_run(engine)
        with Session(engine, expire_on_commit=False) as session:
            runs.claim_next(session, "w")
            job = runs.job_of(session, run_id)
            person = session.scalars(
                select(models.Participant).where(models.Participant.external_id == "P-5")
            ).one()
            person.status = fmt.ParticipantStatus.WITHDRAWN.value
            withdrawals.free_places(session, COMMAND_LINE, person)
            session.commit()
        with Session(engine, expire_on_commit=False) as session:
            status = runs.complete_run(session, run_id, "w", solve(job.problem), {})
        assert status is RunStatus.FAILED
        run = _status(engine, run_id)
        assert run.error is not None
        assert "changed while the run was solving" in run.error
        plan = current_plan(engine)
        assert plan == {p: o for p, o in SMALL_PLAN.items() if p != "P-5"}

    def test_a_run_someone_else_ended_is_not_written(self, engine: Engine) -> None:
        run_id, job = self._claimed_job(engine)
        with Session(engine, expire_on_commit=False) as session:
            runs.end_run(session, run_id, RunStatus.INTERRUPTED, "lost")
            status = runs.complete_run(session, run_id, "w", solve(job.problem), {})
        assert status is RunStatus.INTERRUPTED
        assert current_plan(engine) == {}


@pytest.mark.usefixtures("loaded")
class TestInterruptions:
    def test_runs_of_gone_or_silent_workers_are_interrupted(self, engine: Engine) -> None:
        create_round(engine, "R-GONE")
        create_round(engine, "R-SILENT")
        create_round(engine, "R-ALIVE")
        gone, silent, alive = (queue_run(engine, r) for r in ("R-GONE", "R-SILENT", "R-ALIVE"))
        with Session(engine, expire_on_commit=False) as session:
            for run_id, worker in ((gone, "dead"), (silent, "far"), (alive, "here")):
                session.execute(
                    update(models.Run)
                    .where(models.Run.id == run_id)  # type: ignore[arg-type]
                    .values(status="running", worker=worker, heartbeat_at=models.utcnow())
                )
            session.execute(
                update(models.Run)
                .where(models.Run.id == silent)  # type: ignore[arg-type]
                .values(heartbeat_at=models.utcnow() - timedelta(minutes=5))
            )
            session.commit()
            lost = runs.interrupt_lost(
                session,
                stale_before=runs.stale_cutoff(60),
                is_gone=lambda worker: worker == "dead",
            )
        assert sorted(lost) == sorted([gone, silent])
        for run_id in (gone, silent):
            run = _status(engine, run_id)
            assert run.status == RunStatus.INTERRUPTED.value
            assert run.finished_at is not None
        assert _status(engine, alive).status == RunStatus.RUNNING.value
        with Session(engine, expire_on_commit=False) as session:
            freed = session.scalars(
                select(models.Round.external_id).where(
                    models.Round.active_run_id.is_(None)  # type: ignore[union-attr]
                )
            ).all()
        assert sorted(freed) == ["R-GONE", "R-SILENT"]


@pytest.mark.usefixtures("loaded")
def test_the_local_problem_of_a_move_holds_its_partner_and_the_holders(
    engine: Engine, settings: Settings
) -> None:
    create_round(engine)
    queue_run(engine)
    work(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        row = session.scalars(select(models.Round)).one()
        ids = dict(
            session.execute(select(models.Participant.external_id, models.Participant.id)).all()
        )
        problem = round_data.local_problem(session, row, {ids["P-2"]}, pinned=(), previous_plan=())
    assert sorted(p.external_id for p in problem.participants) == ["P-2", "P-3"]
    assert len(problem.openings) == 3
