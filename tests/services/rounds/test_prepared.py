"""Review reads prepared by the worker: stored after a run, never shown stale, refreshed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import prepared, report_sheets, review, rounds
from jet_match.worker import InlineSolver, Worker
from round_support import ROUND, move, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def _forbid_whole_problem(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any evaluation of the whole problem fail loudly; the calls it saw."""
    calls: list[str] = []

    def refused(*args: Any, **kwargs: Any) -> Any:
        calls.append("full_instance")
        raise AssertionError("the whole problem was built during a read")

    monkeypatch.setattr(round_data, "full_instance", refused)
    return calls


def _read_report(engine: Engine) -> Any:
    with Session(engine, expire_on_commit=False) as session:
        return review.report(
            session=session, caller=COMMAND_LINE, prepared=PreparedProblems(), round_id=ROUND
        )


def _computed(engine: Engine) -> prepared.Evaluation:
    with Session(engine, expire_on_commit=False) as session:
        return prepared.evaluate(session, rounds.find(session, ROUND), PreparedProblems())


def _stored(engine: Engine) -> list[models.PreparedReview]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(models.PreparedReview)).all())


def test_a_completed_run_leaves_the_evaluation_prepared(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved_round(engine, settings)
    expected = _computed(engine)
    [row] = [r for r in _stored(engine) if r.kind == prepared.EVALUATION]
    assert prepared.Evaluation.from_document(row.document) == expected
    calls = _forbid_whole_problem(monkeypatch)
    built = _read_report(engine)
    assert calls == []
    assert built.objective == expected.objective
    assert built.metrics == expected.metrics
    assert [u.participant for u in built.unplaced] == [u.participant for u in expected.unplaced]


def test_a_plan_change_is_never_answered_from_the_stale_evaluation(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    before = _read_report(engine)
    move(engine, "P-1", PlanChange(opening=None))
    after = _read_report(engine)
    assert after.objective.placed == before.objective.placed - 1
    assert "P-1" in [u.participant for u in after.unplaced]
    assert _computed(engine).objective == after.objective


def _stamp(engine: Engine) -> str:
    with Session(engine, expire_on_commit=False) as session:
        return prepared.review_stamp(session, rounds.find(session, ROUND))


def _placement(session: Session, participant: str) -> models.Placement:
    return session.scalars(
        select(models.Placement)
        .join(models.Participant, models.Participant.id == models.Placement.participant_id)  # type: ignore[arg-type]
        .where(models.Participant.external_id == participant)
    ).one()


def _bump(table: type[Any], external_id: str) -> Any:
    def change(session: Session) -> None:
        record = session.scalars(select(table).where(table.external_id == external_id)).one()
        record.version += 1
        session.add(record)

    return change


def _pin(session: Session) -> None:
    _placement(session, "P-1").pinned = True


def _override(session: Session) -> None:
    _placement(session, "P-1").override_reason = "agreed with the prefecture"


def _rescore(session: Session) -> None:
    _placement(session, "P-1").score += 5


def _forbid(session: Session) -> None:
    placement = _placement(session, "P-1")
    session.add(
        models.ForbiddenPair(
            round_id=placement.round_id,
            participant_id=placement.participant_id,
            opening_id=placement.opening_id,
        )
    )


def _unplace(session: Session) -> None:
    session.delete(_placement(session, "P-1"))


@pytest.mark.parametrize(
    "change",
    [
        _bump(models.Participant, "P-4"),
        _bump(models.Opening, "OPN-A1"),
        _bump(models.Organization, "ORG-A"),
        _pin,
        _override,
        _rescore,
        _forbid,
        _unplace,
    ],
    ids=["participant", "opening", "organization", "pin", "override", "score", "forbid", "unplace"],
)
def test_every_input_of_the_evaluation_changes_the_stamp(
    engine: Engine, settings: Settings, change: Any
) -> None:
    solved_round(engine, settings)
    before = _stamp(engine)
    assert _stamp(engine) == before  # read twice, unchanged: the same stamp
    with Session(engine, expire_on_commit=False) as session:
        change(session)
        session.commit()
    assert _stamp(engine) != before


def test_the_idle_refresh_prepares_the_changed_plan_again(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved_round(engine, settings)
    move(engine, "P-1", PlanChange(opening=None))
    preparer = Worker(engine, settings, InlineSolver(engine)).preparer
    try:
        refreshing = preparer.refresh(force=True)
        assert refreshing is not None
        assert refreshing.result() == [ROUND]
        assert preparer.refresh() is None  # nothing moved since: no work
    finally:
        preparer.close()
    expected = _computed(engine)
    calls = _forbid_whole_problem(monkeypatch)
    assert _read_report(engine).objective == expected.objective
    assert calls == []


def test_the_workbook_is_prepared_and_never_served_for_other_content(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved_round(engine, settings)
    assert report_sheets.WORKBOOK in {r.kind for r in _stored(engine)}

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbook was written during a read")

    monkeypatch.setattr(sheet_writing, "write_tables_xlsx", refused)
    prepared_bytes = _workbook(engine)
    assert _plan_sheet(prepared_bytes)["P-1"] == "OPN-B1"
    monkeypatch.undo()
    move(engine, "P-1", PlanChange(opening=None))
    assert "P-1" not in _plan_sheet(_workbook(engine))


def _workbook(engine: Engine) -> bytes:
    with Session(engine, expire_on_commit=False) as session:
        return report_sheets.report_sheet(
            session=session,
            caller=COMMAND_LINE,
            prepared=PreparedProblems(),
            round_id=ROUND,
            sheet_format="xlsx",
        )


def _plan_sheet(content: bytes) -> dict[str, str]:
    """participant -> opening of the workbook's plan sheet (the placed ones)."""
    rows = list(load_workbook(io.BytesIO(content))["plan"].iter_rows(values_only=True))
    header = list(rows[0])
    at, where, placed = header.index("participant"), header.index("opening"), header.index("placed")
    return {str(r[at]): str(r[where]) for r in rows[1:] if r[placed]}


def test_a_failed_preparation_leaves_reads_computing(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken evaluation")

    monkeypatch.setattr(prepared, "evaluate", broken)
    solved_round(engine, settings)  # the worker goes on: the run succeeded
    assert _stored(engine) == []
    monkeypatch.undo()
    assert _read_report(engine).objective.placed == 4


def test_comparing_prepared_plans_needs_no_whole_problem_and_matches_computing(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved_round(engine, settings)

    def compared(problems: PreparedProblems) -> Any:
        with Session(engine, expire_on_commit=False) as session:
            return review.compare(
                session=session,
                caller=COMMAND_LINE,
                prepared=problems,
                round_id=ROUND,
                a="current",
                b="run:1",
            )

    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, ROUND)
        instance, entries = round_data.full_instance(session, row, prepared=PreparedProblems())
        expected = prepared.kpis_of(instance, round_data.assignments(entries))
    calls = _forbid_whole_problem(monkeypatch)
    found = compared(PreparedProblems())
    assert calls == []
    assert found.kpis_a == found.kpis_b == expected
    monkeypatch.undo()
    move(engine, "P-1", PlanChange(opening=None))  # prepared figures no longer current
    after = compared(PreparedProblems())
    assert after.kpis_a.placed == expected.placed - 1
    assert after.kpis_b == expected
