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
from jet_match.schemas.runs import RunCreate
from jet_match.services.bridge import round_data
from jet_match.services.kit import lookups
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import openings
from jet_match.services.rounds import outcome, queue, runs, withdrawals
from jet_match.solver import solve
from jet_match.statuses import RunStatus
from round_support import ROUND, SMALL_PLAN, create_round, current_plan, queue_run, work


def _status(engine: Engine, run_id: int) -> models.Run:
    with Session(engine, expire_on_commit=False) as session:
        return queue.find(session, run_id)


def _claim(engine: Engine, run_id: int) -> queue.Job:
    """Claim the queued run as worker `w`; its job."""
    with Session(engine, expire_on_commit=False) as session:
        assert queue.claim_next(session, "w") == run_id
        return queue.job_of(session, run_id)


def _complete(
    engine: Engine, run_id: int, job: queue.Job, progress: dict[str, object] | None = None
) -> RunStatus:
    """Complete the run with an optimal solve of its job, as worker `w`."""
    with Session(engine, expire_on_commit=False) as session:
        return outcome.complete_run(
            session, run_id, "w", solve(job.problem), dict(progress or {}), stamp=job.stamp
        )


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
                claimed.append(queue.claim_next(session, f"host:{worker}:0"))

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
            assert queue.claim_next(session, "w") == first
            assert queue.claim_next(session, "w") == second
            assert queue.claim_next(session, "w") is None

    def test_one_active_run_per_round(self, engine: Engine) -> None:
        create_round(engine)
        queue_run(engine)
        with pytest.raises(Conflict), Session(engine) as session:
            runs.start_run(
                session=session, caller=COMMAND_LINE, round_id=ROUND, options=RunCreate()
            )


@pytest.mark.usefixtures("loaded")
class TestCompletion:
    def _claimed_job(self, engine: Engine) -> tuple[int, queue.Job]:
        create_round(engine)
        run_id = queue_run(engine)
        return run_id, _claim(engine, run_id)

    def test_the_plan_the_run_and_the_round_commit_together(self, engine: Engine) -> None:
        run_id, job = self._claimed_job(engine)
        status = _complete(engine, run_id, job)
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

        monkeypatch.setattr(outcome, "commit", crash)
        with Session(engine, expire_on_commit=False) as session, pytest.raises(RuntimeError):
            outcome.complete_run(session, run_id, "w", result, {}, stamp=job.stamp)
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
            queue.claim_next(session, "w")
            job = queue.job_of(session, run_id)
            person = session.scalars(
                select(models.Participant).where(models.Participant.external_id == "P-5")
            ).one()
            person.status = fmt.ParticipantStatus.WITHDRAWN.value
            withdrawals.free_places(session, COMMAND_LINE, person)
            session.commit()
        status = _complete(engine, run_id, job)
        assert status is RunStatus.FAILED
        run = _status(engine, run_id)
        assert run.error is not None
        assert "changed while the run was solving" in run.error
        plan = current_plan(engine)
        assert plan == {p: o for p, o in SMALL_PLAN.items() if p != "P-5"}

    def test_a_run_whose_records_changed_while_solving_fails_naming_them(
        self, engine: Engine, settings: Settings
    ) -> None:
        # R-A places P-1 at OPN-B1; R-B (no plan yet) is solving meanwhile when P-1
        # withdraws and OPN-B1 is cancelled: neither touches R-B, both change its records.
        create_round(engine, "R-A")
        queue_run(engine, "R-A")
        work(engine, settings)
        create_round(engine, "R-B")
        run_id = queue_run(engine, "R-B")
        job = _claim(engine, run_id)
        with Session(engine, expire_on_commit=False) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
            openings.cancel_opening(
                session=session, caller=COMMAND_LINE, external_id="OPN-B1", if_match="*"
            )
        status = _complete(engine, run_id, job)
        assert status is RunStatus.FAILED
        run = _status(engine, run_id)
        assert run.error is not None
        assert run.error.startswith("records changed while solving: ")
        assert "participant P-1" in run.error
        assert "opening OPN-B1" in run.error
        assert "start a new run" in run.error
        assert current_plan(engine, "R-B") == {}
        with Session(engine, expire_on_commit=False) as session:
            assert session.get(models.Round, job.round_id).active_run_id is None  # type: ignore[union-attr]

    def test_the_final_figures_replace_the_last_progress_report(self, engine: Engine) -> None:
        run_id, job = self._claimed_job(engine)
        interim = {"phase": "solving", "elapsed_s": 1.0, "placed": 1, "score": 5, "gap": 0.9}
        _complete(engine, run_id, job, interim)
        run = _status(engine, run_id)
        assert run.outcome is not None
        objective = run.outcome["objective"]
        assert run.progress == {
            "phase": "done",
            "elapsed_s": 1.0,
            "placed": objective["placed"],
            "score": objective["net"],
            "bound_placed": run.outcome["bound"]["placed"],
            "bound_score": run.outcome["bound"]["score"],
            "gap": run.outcome["gap"],
        }

    def test_a_run_someone_else_ended_is_not_written(self, engine: Engine) -> None:
        run_id, job = self._claimed_job(engine)
        with Session(engine, expire_on_commit=False) as session:
            queue.end_run(session, run_id, RunStatus.INTERRUPTED, "lost")
            status = outcome.complete_run(
                session, run_id, "w", solve(job.problem), {}, stamp=job.stamp
            )
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
            lost = queue.interrupt_lost(
                session,
                stale_before=queue.stale_cutoff(60),
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


@pytest.mark.usefixtures("loaded")
class TestPins:
    def _pin_directly(self, engine: Engine, participant: str, opening: str) -> None:
        """A pin written as an older version or a later record change could leave it."""
        with Session(engine, expire_on_commit=False) as session:
            row = session.scalars(select(models.Round)).one()
            person = lookups.find_participant(session, participant)
            place = lookups.find_opening(session, opening)
            assert row.id is not None
            assert person.id is not None
            assert place.id is not None
            session.add(
                models.Placement(
                    round_id=row.id,
                    participant_id=person.id,
                    opening_id=place.id,
                    pinned=True,
                    score=0,
                    source="adjustment",
                )
            )
            session.commit()

    def test_a_pin_outside_the_round_fails_the_run_naming_it(
        self, engine: Engine, settings: Settings
    ) -> None:
        create_round(engine, positions=["ALT"])
        queue_run(engine)
        work(engine, settings)
        self._pin_directly(engine, "P-5", "OPN-A2")  # a CIR pinned in an ALT round
        run_id = queue_run(engine)
        work(engine, settings)
        run = _status(engine, run_id)
        assert run.status == RunStatus.FAILED.value
        assert run.outcome is not None
        assert run.outcome["conflicts"] == [
            {
                "rule": "pin_outside_run",
                "message": "P-5 is pinned to OPN-A2, but the round does not place CIR "
                "participants; the round does not cover CIR openings",
                "participants": ["P-5"],
                "openings": ["OPN-A2"],
                "failed_rules": [],
            }
        ]
        assert run.error is not None
        assert "P-5 is pinned to OPN-A2" in run.error
        assert current_plan(engine)["P-5"] == "OPN-A2"  # nothing was written

    def test_a_pin_the_result_leaves_out_fails_the_run(self, engine: Engine) -> None:
        create_round(engine)
        run_id = queue_run(engine)
        job = _claim(engine, run_id)
        self._pin_directly(engine, "P-4", "OPN-B1")  # not in the problem the run solved
        status = _complete(engine, run_id, job)
        assert status is RunStatus.FAILED
        run = _status(engine, run_id)
        assert run.outcome is not None
        assert [c["rule"] for c in run.outcome["conflicts"]] == ["pin_not_kept"]
        assert current_plan(engine) == {"P-4": "OPN-B1"}
