"""A sheet of plan changes: read, previewed on the plan the earlier rows leave, applied all
or nothing with one new round version, refused when stale, audited."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import InvalidInput, PreconditionFailed, UnsupportedMediaType
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.spreadsheets import SheetLimits
from jet_match.services.rounds import bulk
from round_support import ROUND, SMALL_PLAN, current_plan, round_etag, solved_round

pytestmark = pytest.mark.usefixtures("loaded")

HEADER = "participant,opening,pinned,reason\n"


def _read(text: str, filename: str = "changes.csv") -> list[bulk.SheetChange]:
    return bulk.read_sheet(
        caller=COMMAND_LINE, raw=text.encode(), filename=filename, limits=SheetLimits()
    )


def _preview(engine: Engine, changes: list[bulk.SheetChange]) -> bulk.Preview:
    with Session(engine, expire_on_commit=False) as session:
        return bulk.preview_changes(
            session=session, caller=COMMAND_LINE, round_id=ROUND, changes=changes
        )


def _apply(engine: Engine, changes: list[bulk.SheetChange], etag: str) -> bulk.Preview:
    with Session(engine, expire_on_commit=False) as session:
        return bulk.apply_changes(
            session=session, caller=COMMAND_LINE, round_id=ROUND, changes=changes, if_match=etag
        )


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(models.AuditEvent.action).where(
                    col(models.AuditEvent.action).startswith("plan.")
                )
            ).all()
        )


class TestReadSheet:
    def test_a_csv_and_an_xlsx_give_the_same_changes(self) -> None:
        from_csv = _read(HEADER + "P-1,OPN-A1,yes,host asked\nP-2,,,\n")
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in (
            ["participant", "opening", "pinned", "reason"],
            ["P-1", "OPN-A1", True, "host asked"],
            ["P-2", None, None, None],
        ):
            sheet.append(row)
        raw = io.BytesIO()
        book.save(raw)
        from_xlsx = bulk.read_sheet(
            caller=COMMAND_LINE, raw=raw.getvalue(), filename="c.xlsx", limits=SheetLimits()
        )
        assert from_csv == from_xlsx
        assert [(c.row, c.participant, c.opening, c.pinned, c.reason) for c in from_csv] == [
            (2, "P-1", "OPN-A1", True, "host asked"),
            (3, "P-2", None, False, None),
        ]

    @pytest.mark.parametrize(
        ("text", "code", "row"),
        [
            ("participant,opening\nP-1,OPN-A1\n", "missing_column", 1),
            (HEADER + "P-1,OPN-A1,maybe,\n", "invalid_pinned", 2),
            (HEADER + "P-1,OPN-A1,,\nP-1,,,\n", "repeated", 3),
            (HEADER + ",OPN-A1,,\n", "string_too_short", 2),
            (HEADER, "empty_sheet", None),
        ],
    )
    def test_a_bad_sheet_is_refused_naming_row_and_column(
        self, text: str, code: str, row: int | None
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            _read(text)
        assert (refused.value.problems[0].code, refused.value.problems[0].row) == (code, row)

    def test_another_kind_of_file_is_refused(self) -> None:
        with pytest.raises(UnsupportedMediaType):
            _read(HEADER, filename="changes.txt")

    def test_the_changes_survive_the_confirmation_form(self) -> None:
        changes = _read(HEADER + "P-1,OPN-A1,yes,ホストの依頼\n")
        assert bulk.decode(bulk.encode(changes)) == changes
        with pytest.raises(InvalidInput):
            bulk.decode('[{"row": "2", "participant": "P-1"}]')  # strict: no string row
        with pytest.raises(InvalidInput):
            bulk.decode("[]")


class TestPreviewAndApply:
    def test_the_preview_judges_each_row_on_the_rows_before_and_saves_nothing(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        etag = round_etag(engine)
        # P-1 leaves OPN-B1; the CIR P-5 takes it with an override; the ALT P-2 would then
        # find it full (and leave the partner P-3): refused, no reason given.
        changes = _read(HEADER + "P-1,,,\nP-5,OPN-B1,yes,agreed\nP-2,OPN-B1,,\n")
        preview = _preview(engine, changes)
        first, second, third = preview.lines
        assert first.before is not None
        assert first.before.opening == "OPN-B1"
        assert (first.breaks, first.refused, first.after) == ((), (), None)
        assert [(b.rule, b.failed_rules) for b in second.breaks] == [
            ("ineligible", ["same_position"])
        ]
        assert second.refused == ()
        assert second.after is not None
        assert second.after.pinned
        assert {b.rule for b in third.breaks} >= {"over_capacity", "couple_apart"}
        assert {p.row for p in third.refused} == {4}
        assert preview.objective_change.placed == -1
        assert preview.etag == etag
        assert current_plan(engine) == SMALL_PLAN
        assert round_etag(engine) == etag

    def test_apply_makes_all_changes_in_one_version_and_audits_them(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        etag = round_etag(engine)
        changes = _read(HEADER + "P-1,,,\nP-5,OPN-B1,yes,the host asked\n")
        done = _apply(engine, changes, etag)
        plan = current_plan(engine)
        assert plan["P-5"] == "OPN-B1"
        assert "P-1" not in plan
        assert int(round_etag(engine).strip('"')) == int(etag.strip('"')) + 1
        assert done.etag == round_etag(engine)
        actions = _actions(engine)
        assert actions.count("plan.bulk") == 1
        assert {"plan.unassign", "plan.move", "plan.override"} <= set(actions)

    def test_one_refused_row_refuses_the_sheet_and_nothing_is_written(
        self, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        etag = round_etag(engine)
        changes = _read(HEADER + "P-1,,,\nP-5,OPN-B1,,\n")
        with pytest.raises(InvalidInput) as refused:
            _apply(engine, changes, etag)
        assert {p.row for p in refused.value.problems} == {3}
        assert current_plan(engine) == SMALL_PLAN
        assert round_etag(engine) == etag
        assert "plan.bulk" not in _actions(engine)

    def test_a_stale_version_is_refused(self, engine: Engine, settings: Settings) -> None:
        solved_round(engine, settings)
        etag = round_etag(engine)
        _apply(engine, _read(HEADER + "P-1,,,\n"), etag)
        with pytest.raises(PreconditionFailed):
            _apply(engine, _read(HEADER + "P-5,,,\n"), etag)
        assert current_plan(engine)["P-5"] == "OPN-A2"
