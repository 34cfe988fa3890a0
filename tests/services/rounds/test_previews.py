"""Previews through the services: a plan change judged and a vacancy filling planned
exactly as the real ones, with nothing saved; and a withdrawal's reason in the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import InvalidInput, NotFound
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import adjustments, vacancies, withdrawals
from round_support import ROUND, current_plan, published_round, round_etag, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def _preview(engine: Engine, participant: str, change: PlanChange) -> adjustments.ChangePreview:
    with Session(engine, expire_on_commit=False) as session:
        return adjustments.preview_change(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            participant_id=participant,
            change=change,
        )


class TestPreviewChange:
    def test_a_move_to_a_full_opening_reports_the_break_and_saves_nothing(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        before, etag = current_plan(engine), round_etag(engine)
        preview = _preview(engine, "P-1", PlanChange(opening="OPN-A1"))
        assert [item.rule for item in preview.breaks] == ["over_capacity"]
        assert preview.before is not None
        assert preview.before.opening == "OPN-B1"
        assert preview.etag == etag
        assert current_plan(engine) == before
        assert round_etag(engine) == etag

    def test_an_ineligible_move_names_the_eligibility_rules_it_fails(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        # P-1, an ALT without Japanese, at the CIR opening OPN-A2 (N2 required).
        preview = _preview(engine, "P-1", PlanChange(opening="OPN-A2"))
        ineligible = [item for item in preview.breaks if item.rule == "ineligible"]
        assert [item.failed_rules for item in ineligible] == [["same_position", "japanese_level"]]
        assert all(item.failed_rules == [] for item in preview.breaks if item.rule != "ineligible")

    def test_it_agrees_with_the_change_it_previews(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        preview = _preview(engine, "P-1", PlanChange(opening=None))
        assert preview.breaks == ()
        with Session(engine, expire_on_commit=False) as session:
            made = adjustments.change_placement(
                session=session,
                caller=COMMAND_LINE,
                round_id=ROUND,
                participant_id="P-1",
                change=PlanChange(opening=None),
                if_match=preview.etag,
            ).resource
        assert made.objective_change == preview.objective_change
        assert preview.objective_change.placed == -1

    def test_no_change_is_a_zero_change(self, engine: Engine, settings: Settings) -> None:
        solved_round(engine, settings)
        preview = _preview(engine, "P-1", PlanChange(opening="OPN-B1"))
        assert preview.objective_change.net == 0
        assert preview.breaks == ()

    def test_what_no_override_allows_is_refused_naming_the_field(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        with pytest.raises(InvalidInput) as refused:
            _preview(engine, "P-1", PlanChange(opening=None, pinned=True))
        assert refused.value.problems[0].field == "pinned"
        with pytest.raises(InvalidInput) as unknown:
            _preview(engine, "P-1", PlanChange(opening="OPN-NONE"))
        assert unknown.value.problems[0].field == "opening"
        with pytest.raises(NotFound):
            _preview(engine, "P-404", PlanChange(opening=None))


class TestFillPreview:
    def test_a_dry_run_plans_the_same_filling_and_saves_nothing(
        self, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        with Session(engine, expire_on_commit=False) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
        etag = round_etag(engine)
        with Session(engine, expire_on_commit=False) as session:
            planned = vacancies.fill_vacancies(
                session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=etag, dry_run=True
            )
        assert planned.etag == etag
        assert "P-4" not in current_plan(engine)
        with Session(engine, expire_on_commit=False) as session:
            made = vacancies.fill_vacancies(
                session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=etag
            )
        assert made.resource.changes == planned.resource.changes
        assert current_plan(engine)["P-4"] == "OPN-B1"


def test_a_withdrawals_reason_goes_to_the_audit_trail(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        withdrawals.withdraw(
            session=session, caller=COMMAND_LINE, participant_id="P-1", reason="visa refused"
        )
        event = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "participant.withdraw")
        ).one()
    assert event.detail["reason"] == "visa refused"
