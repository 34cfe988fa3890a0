"""A sheet of plan changes (the workspace's bulk page): read it, preview it, apply it.

A sheet (CSV or XLSX) has the columns `participant`, `opening` (blank: unassign),
`pinned` (yes/no, true/false, 1/0; blank: no) and `reason` (an override reason, needed
where a change breaks a hard rule). Its changes are made one after the other on the plan
as the earlier rows left it, each through `adjustments.stage_change`: the same rules, refusals
and audit events as one change through the API. The preview makes them in a transaction
that is rolled back and reports every row (rule breaks, objective change, refusal); the
apply needs the round's version the preview was made on (If-Match: 412 when the plan has
changed since) and makes all of them in one transaction, or none when any row is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError
from sqlmodel import Session

from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput, NotFound, UnsupportedMediaType
from jet_match.schemas.plans import ObjectiveChange, PlanChange, PlanItem, Reason
from jet_match.schemas.runs import RuleBreak
from jet_match.services.kit import lookups, spreadsheets
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit, etag_of
from jet_match.services.rounds import adjustments, rounds
from jet_match.services.security import audit

COLUMNS = ("participant", "opening", "pinned", "reason")
MAX_CHANGES = 2000
_YES = {"yes", "true", "1", "y", "はい"}
_NO = {"no", "false", "0", "n", "いいえ", ""}


class SheetChange(BaseModel):
    """One row of the sheet: where a participant should be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    row: StrictInt = Field(ge=1)
    participant: fmt.ExternalId
    opening: fmt.ExternalId | None = None
    pinned: StrictBool = False
    reason: Reason | None = None

    def change(self) -> PlanChange:
        """The plan change this row asks for."""
        return PlanChange(opening=self.opening, pinned=self.pinned, override_reason=self.reason)


class _Changes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: list[SheetChange] = Field(max_length=MAX_CHANGES)


@dataclass(frozen=True, slots=True)
class Line:
    """What one row does (or why it is refused)."""

    change: SheetChange
    before: PlanItem | None
    after: PlanItem | None
    breaks: tuple[RuleBreak, ...]
    objective_change: ObjectiveChange
    refused: tuple[FieldProblem, ...]


@dataclass(frozen=True, slots=True)
class Preview:
    """Every row judged in order; the total objective change; the round's ETag."""

    lines: tuple[Line, ...]
    objective_change: ObjectiveChange
    etag: str

    @property
    def refused(self) -> tuple[FieldProblem, ...]:
        """Every problem of every refused row."""
        return tuple(problem for line in self.lines for problem in line.refused)


def _problem(
    row: int, participant: str | None, field: str, code: str, message: str
) -> FieldProblem:
    return FieldProblem("plan", participant, field, code, message, row=row)


def _pinned(cell: Any, row: int, participant: str | None) -> bool:
    if isinstance(cell, bool):
        return cell
    text = "" if cell is None else str(cell).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    message = f"row {row}: pinned must be yes or no, not '{cell}'"
    raise InvalidInput(message, [_problem(row, participant, "pinned", "invalid_pinned", message)])


def _text(cell: Any) -> str | None:
    text = "" if cell is None else str(cell).strip()
    return text or None


def read_sheet(
    *, caller: Caller, raw: bytes, filename: str, limits: spreadsheets.SheetLimits
) -> list[SheetChange]:
    """The changes of an uploaded CSV or XLSX sheet (refused naming the row and column)."""
    authorize(caller, Action.ROUNDS_WRITE)
    name = filename.lower()
    if name.endswith(".xlsx"):
        header, rows = spreadsheets.read_xlsx(raw, limits)
    elif name.endswith(".csv"):
        header, rows = spreadsheets.read_csv(raw, limits)
    else:
        raise UnsupportedMediaType("upload a .csv or .xlsx sheet")
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        message = f"the sheet's columns must be {', '.join(COLUMNS)}"
        problems = [
            FieldProblem("sheet", None, column, "missing_column", message, row=1)
            for column in missing
        ] + [
            FieldProblem("sheet", None, column, "unknown_column", message, row=1)
            for column in unknown
        ]
        raise InvalidInput(message, problems)
    if not rows:
        message = "the sheet has no change"
        raise InvalidInput(message, [FieldProblem("sheet", None, None, "empty_sheet", message)])
    if len(rows) > MAX_CHANGES:
        message = f"a sheet may hold at most {MAX_CHANGES} changes"
        raise InvalidInput(message, [FieldProblem("sheet", None, None, "too_many_rows", message)])
    out: list[SheetChange] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        participant = _text(cells.get("participant"))
        if participant in seen:
            message = f"row {number}: {participant} is already changed in row {seen[participant]}"
            raise InvalidInput(
                message, [_problem(number, participant, "participant", "repeated", message)]
            )
        try:
            change = SheetChange(
                row=number,
                participant=participant or "",
                opening=_text(cells.get("opening")),
                pinned=_pinned(cells.get("pinned"), number, participant),
                reason=_text(cells.get("reason")),
            )
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0])
            message = f"row {number}: {field} is not valid ({exc.errors()[0]['msg']})"
            raise InvalidInput(
                message, [_problem(number, participant, field, exc.errors()[0]["type"], message)]
            ) from None
        seen[change.participant] = number
        out.append(change)
    return out


def encode(changes: list[SheetChange]) -> str:
    """The changes as the text a confirmation form carries."""
    return json.dumps([change.model_dump() for change in changes], ensure_ascii=False)


def decode(text: str) -> list[SheetChange]:
    """The changes a confirmation form carried back (strictly checked)."""
    try:
        changes = _Changes.model_validate({"changes": json.loads(text)}).changes
        if not changes:
            raise ValueError("no change")
        return changes
    except (ValueError, ValidationError):
        message = "the changes sent back are not valid: upload the sheet again"
        raise InvalidInput(
            message, [FieldProblem("sheet", None, "changes", "invalid_changes", message)]
        ) from None


def _stage(
    session: Session, caller: Caller, row: Any, changes: list[SheetChange], *, audited: bool
) -> list[Line]:
    lines = []
    for item in changes:
        try:
            person = lookups.find_participant(session, item.participant)
            staged = adjustments.stage_change(
                session, caller, row, person, item.change(), audited=audited
            )
        except (NotFound, InvalidInput) as exc:
            problems = exc.problems or [
                FieldProblem("plan", item.participant, "participant", exc.code, str(exc))
            ]
            refused = tuple(
                FieldProblem(
                    "plan",
                    item.participant,
                    p.field or "participant",
                    p.code,
                    p.message,
                    row=item.row,
                )
                for p in problems
            )
            breaks = exc.breaks if isinstance(exc, adjustments.NeedsReason) else ()
            lines.append(Line(item, None, None, breaks, adjustments.NO_CHANGE, refused))
            continue
        lines.append(
            Line(item, staged.before, staged.after, staged.breaks, staged.objective_change, ())
        )
    return lines


def _total(lines: list[Line]) -> ObjectiveChange:
    kept = [line.objective_change for line in lines if not line.refused]
    return ObjectiveChange(
        placed=sum(c.placed for c in kept),
        score=sum(c.score for c in kept),
        disruption=sum(c.disruption for c in kept),
        net=sum(c.net for c in kept),
    )


def preview_changes(
    *, session: Session, caller: Caller, round_id: str, changes: list[SheetChange]
) -> Preview:
    """Every row judged on the plan the rows before it leave, nothing saved; with the
    round's ETag, to send back as If-Match with the changes."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.ensure_changeable(row)
    etag = etag_of(row.version)
    try:
        lines = _stage(session, caller, row, changes, audited=False)
    finally:
        session.rollback()
    return Preview(tuple(lines), _total(lines), etag)


def apply_changes(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    changes: list[SheetChange],
    if_match: str | None,
) -> Preview:
    """Make every change of the sheet in one transaction (one new round version), or
    none: a refused row refuses the sheet naming the row, participant and field. The
    answer's `etag` is the round's new one."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    lines = _stage(session, caller, row, changes, audited=True)
    refused = [problem for line in lines for problem in line.refused]
    if refused:
        session.rollback()
        rows = ", ".join(sorted({str(p.row) for p in refused}, key=int))
        raise InvalidInput(f"the sheet was not applied: rows {rows} are refused", refused)
    version = rounds.bump(session, row)
    rounds.settle_status(session, caller, row)
    total = _total(lines)
    audit.record(
        session,
        caller,
        "plan.bulk",
        "round",
        row.external_id,
        changes=len(lines),
        overridden=sum(1 for line in lines if line.breaks),
        objective_change=total.model_dump(),
    )
    commit(session)
    return Preview(tuple(lines), total, etag_of(version))
