"""The bulk page of a round (coordinators): upload a sheet of plan changes, read the
preview of every row (rule breaks, objective change, refusals), apply all or nothing.

The preview is `bulk.preview_changes` (nothing saved); the confirm form carries the
changes read from the sheet and the round's version the preview was made on, so a plan
changed in between is refused ("changed since you opened it") and previewed again on the
current plan. Applying is `bulk.apply_changes`: one transaction, audited like the API's
changes (`plan.move`, `plan.override` ... and `plan.bulk`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from jet_match.api.deps import SessionDep, SettingsDep
from jet_match.errors import InvalidInput, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType
from jet_match.services.kit import spreadsheets
from jet_match.services.rounds import bulk, rounds
from jet_match.web.forms import MESSAGES, STALE, if_match, problem_messages, version_of
from jet_match.web.i18n import N_
from jet_match.web.pages import APP_PREFIX, Page
from jet_match.web.round_pages import RoundIdPath, Writer
from jet_match.web.rule_labels import rule_names

router = APIRouter(prefix="/rounds/{round_id}/bulk")

#: Messages by the codes of the sheet's refusals.
SHEET_MESSAGES = {
    "missing_column": N_("The sheet needs the columns participant, opening, pinned, reason."),
    "unknown_column": N_("The sheet needs the columns participant, opening, pinned, reason."),
    "empty_sheet": N_("The sheet has no change."),
    "too_many_rows": N_("The sheet has too many rows."),
    "repeated": N_("A participant is listed twice."),
    "invalid_pinned": N_("Pinned must be yes or no."),
    "invalid_changes": N_("The changes sent back are not valid: upload the sheet again."),
    "not-found": N_("There is no such participant."),
    "unknown_opening": N_("There is no such opening."),
    "participant_withdrawn": N_(
        "The participant has withdrawn: a withdrawn participant is never placed."
    ),
    "opening_cancelled": N_("The opening is cancelled: nobody is placed there."),
    "pin_outside_run": N_("No run of the round could keep this pin or override."),
    "pin_without_opening": N_("Only a placement can be pinned: give an opening, or pinned no."),
}
OVERRIDE_NEEDED = N_("This change breaks a hard rule: give a reason in the reason column.")
NOT_A_SHEET = N_("Upload a CSV or XLSX sheet.")
APPLIED = N_("Applied %(count)s changes.")


def _show(
    page: Page,
    session: SessionDep,
    round_id: str,
    *,
    status_code: int = 200,
    preview: bulk.Preview | None = None,
    changes: str = "",
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    round_ = rounds.get_round(session=session, caller=page.caller, external_id=round_id)
    refusals = {}
    if preview is not None:
        for line in preview.lines:
            refusals[line.change.row] = list(
                dict.fromkeys(_refusal(page, p.code, p.message) for p in line.refused)
            )
    return page.render(
        "bulk.html",
        status_code=status_code,
        round=round_.resource,
        preview=preview,
        refusals=refusals,
        preview_version=version_of(preview.etag) if preview else "",
        changes=changes,
        errors=errors or {},
        notice=notice,
        rule_names=rule_names,
    )


def _refusal(page: Page, code: str, message: str) -> str:
    if code in rule_names:
        return page.t.gettext(OVERRIDE_NEEDED)
    known = SHEET_MESSAGES.get(code) or MESSAGES.get(code)
    return page.t.gettext(known) if known else message


def _sheet_errors(page: Page, error: InvalidInput | UnsupportedMediaType | PayloadTooLarge) -> str:
    if not isinstance(error, InvalidInput):
        return page.t.gettext(NOT_A_SHEET)
    messages = []
    for problem in error.problems:
        text = _refusal(page, problem.code, problem.message)
        where = page.t.gettext("Row %(row)s", row=problem.row) if problem.row else ""
        messages.append(f"{where}: {text}" if where else text)
    return " ".join(dict.fromkeys(messages)) or problem_messages(page.t, error)["form"]


@router.get("", response_class=HTMLResponse)
def bulk_page(
    page: Writer,
    session: SessionDep,
    round_id: RoundIdPath,
    applied: Annotated[int | None, Query(ge=0, le=bulk.MAX_CHANGES)] = None,
) -> HTMLResponse:
    """The upload form (and what the last apply did)."""
    notice = page.t.gettext(APPLIED, count=applied) if applied is not None else None
    return _show(page, session, round_id, notice=notice)


@router.post("/preview", response_class=HTMLResponse)
async def preview_sheet(
    request: Request,
    page: Writer,
    session: SessionDep,
    settings: SettingsDep,
    round_id: RoundIdPath,
) -> HTMLResponse:
    """Every row of the uploaded sheet judged in order; nothing saved."""
    form = await request.form()
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _show(
            page, session, round_id, status_code=422, errors={"sheet": page.t.gettext(NOT_A_SHEET)}
        )
    raw = await upload.read()
    try:
        changes = bulk.read_sheet(
            caller=page.caller,
            raw=raw,
            filename=upload.filename,
            limits=spreadsheets.SheetLimits.of(settings),
        )
    except (InvalidInput, UnsupportedMediaType, PayloadTooLarge) as error:
        return _show(
            page, session, round_id, status_code=422, errors={"sheet": _sheet_errors(page, error)}
        )
    preview = bulk.preview_changes(
        session=session, caller=page.caller, round_id=round_id, changes=changes
    )
    return _show(page, session, round_id, preview=preview, changes=bulk.encode(changes))


@router.post("", response_class=HTMLResponse)
async def apply_sheet(
    request: Request, page: Writer, session: SessionDep, round_id: RoundIdPath
) -> Response:
    """Apply every change of the previewed sheet, or none."""
    form = await request.form()
    text = str(form.get("changes", ""))
    try:
        changes = bulk.decode(text)
    except InvalidInput as error:
        return _show(
            page, session, round_id, status_code=422, errors={"sheet": _sheet_errors(page, error)}
        )
    try:
        done = bulk.apply_changes(
            session=session,
            caller=page.caller,
            round_id=round_id,
            changes=changes,
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        again = bulk.preview_changes(
            session=session, caller=page.caller, round_id=round_id, changes=changes
        )
        return _show(
            page,
            session,
            round_id,
            status_code=412,
            preview=again,
            changes=text,
            notice=page.t.gettext(STALE),
        )
    except InvalidInput:
        again = bulk.preview_changes(
            session=session, caller=page.caller, round_id=round_id, changes=changes
        )
        return _show(page, session, round_id, status_code=422, preview=again, changes=text)
    return page.redirect(f"{APP_PREFIX}/rounds/{round_id}/bulk?applied={len(done.lines)}")
