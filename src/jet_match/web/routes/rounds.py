"""A round's pages (coordinators): status, runs with live progress, figures and charts,
starting a run, publishing after a confirmation, closing; the plan as a filtered, sorted,
paged table (`round_plan.py`); two plans compared and the report (`round_compare.py`).

Every action is the REST API's service call (`runs.start_run`, `publications.publish`,
`rounds.close_round`) with the version the form was opened on: a stale submit is refused
with "changed since you opened it" and the current state (412). Host organizations may
not read rounds (`rounds:read`), so these pages are a 403 for them, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from jet_match.api.deps import PreparedProblemsDep, RoundPath, SessionDep
from jet_match.errors import Conflict, PreconditionFailed
from jet_match.schemas.review import RoundReport
from jet_match.schemas.runs import RunCreate, RunPublic
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import publications, review, rounds, runs
from jet_match.web import labels
from jet_match.web.forms import STALE, if_match, version_of
from jet_match.web.i18n import N_, Translator
from jet_match.web.pages import Page, page_for
from jet_match.web.round_views import (
    MOVED_PER_PAGE,
    RUNS_SHOWN,
    Change,
    changes_between,
    choice_names,
    round_url,
)

router = APIRouter(prefix="/rounds/{round_id}")

Reader = Annotated[Page, Depends(page_for(Action.ROUNDS_READ))]
Writer = Annotated[Page, Depends(page_for(Action.ROUNDS_WRITE))]
Publisher = Annotated[Page, Depends(page_for(Action.PUBLISH))]

ACTIVE = ("queued", "running")

#: Why people stay unplaced, grouped by the solver's wording of each reason.
REASON_KINDS = (
    ("not placed in this plan", N_("Could be placed: not in this plan")),
    ("eligible openings are full", N_("Eligible openings are full")),
    ("partner", N_("Kept together with a partner")),
    ("country cap", N_("Country cap")),
)
NO_ELIGIBLE = N_("No eligible opening")
RUN_REFUSED = N_(
    "A run cannot start now: one is already queued or running, or the round is closed."
)
# --- The round ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value shown, and length (0..1)."""

    label: str
    value: str
    fraction: float


def _bars(items: list[tuple[str, float, str]]) -> list[Bar]:
    top = max((value for _, value, _ in items), default=0) or 1
    return [Bar(label, shown, value / top) for label, value, shown in items]


def _reason_kind(reason: str) -> str:
    for phrase, kind in REASON_KINDS:
        if phrase in reason:
            return kind
    return NO_ELIGIBLE


def _charts(t: Translator, report: RoundReport) -> dict[str, list[Bar]]:
    profile = dict(report.metrics.get("rank_profile", {}))
    profile["unplaced"] = len(report.unplaced)
    fill = report.metrics.get("fill_rate_by_prefecture", {})
    reasons: dict[str, int] = {}
    for item in report.unplaced:
        for reason in item.reasons[:1]:
            kind = _reason_kind(reason)
            reasons[kind] = reasons.get(kind, 0) + 1
    return {
        "rank": _bars([(t.gettext(choice_names[k]), v, t.number(v)) for k, v in profile.items()]),
        "fill": [
            Bar(t.prefecture(int(code)), t.percent(rate), min(rate, 1.0))
            for code, rate in sorted(fill.items(), key=lambda item: int(item[0]))
        ],
        "reasons": _bars(
            [(t.gettext(kind), count, t.number(count)) for kind, count in reasons.items()]
        ),
    }


def _round_page(
    page: Page,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: str,
    *,
    status_code: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    written = rounds.get_round(session=session, caller=page.caller, external_id=round_id)
    round_ = written.resource
    listed = runs.list_runs(
        session=session, caller=page.caller, round_id=round_id, page=PageRequest(None, RUNS_SHOWN)
    ).items
    latest = next((run for run in listed if run.outcome is not None), None)
    report = None
    if round_.placed or latest is not None:
        report = review.report(
            session=session, caller=page.caller, prepared=prepared, round_id=round_id
        )
    return page.render(
        "round.html",
        status_code=status_code,
        round=round_,
        version=version_of(written.etag),
        runs=listed,
        latest=latest,
        active=any(run.status.value in ACTIVE for run in listed),
        report=report,
        charts=_charts(page.t, report) if report else None,
        notice=notice,
        errors=errors or {},
    )


@router.get("", response_class=HTMLResponse)
def round_page(
    page: Reader, session: SessionDep, prepared: PreparedProblemsDep, round_id: RoundPath
) -> HTMLResponse:
    """A round: status, runs, figures and charts; start a run, publish, close."""
    return _round_page(page, session, prepared, round_id)


def _progress(run: RunPublic) -> dict[str, Any]:
    progress = run.progress
    return {
        "id": run.id,
        "status": run.status.value,
        "elapsed_s": progress.elapsed_s,
        "placed": progress.placed,
        "score": progress.score,
        "bound_placed": progress.bound_placed,
        "bound_score": progress.bound_score,
        "gap": progress.gap,
    }


@router.get("/progress")
def run_progress(page: Reader, session: SessionDep, round_id: RoundPath) -> JSONResponse:
    """The round's latest runs and their progress, for the round page's live view."""
    listed = runs.list_runs(
        session=session, caller=page.caller, round_id=round_id, page=PageRequest(None, RUNS_SHOWN)
    ).items
    body = {
        "active": any(run.status.value in ACTIVE for run in listed),
        "runs": [
            {
                **_progress(run),
                **{
                    name: page.t.number(getattr(run.progress, name))
                    for name in ("placed", "score", "bound_placed", "bound_score")
                },
                "status_name": page.t.gettext(labels.run_status_names[run.status.value]),
                "elapsed": page.t.number(round(run.progress.elapsed_s or 0, 1)),
                "gap_text": page.t.percent(run.progress.gap),
            }
            for run in listed
        ],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/runs", response_class=HTMLResponse)
async def start_run(
    request: Request,
    page: Writer,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundPath,
) -> Response:
    """Start a run (or re-solve) with an optional time limit."""
    form = await request.form()
    limit = str(form.get("time_limit_s", "")).strip()
    values: dict[str, Any] = {"minimise_disruption": form.get("minimise_disruption") == "on"}
    refusal: tuple[int, str, str] | None = None
    if limit and not limit.replace(".", "", 1).isdigit():
        refusal = (422, "time_limit_s", N_("Enter a number of seconds."))
    elif limit:
        values["time_limit_s"] = float(limit)
    try:
        options = RunCreate.model_validate(values)
    except ValueError:
        refusal = refusal or (422, "time_limit_s", N_("This time limit is not allowed."))
    if refusal is None:
        try:
            runs.start_run(
                session=session,
                caller=page.caller,
                round_id=round_id,
                options=options,
                idempotency=None,
            )
            return page.redirect(round_url(round_id))
        except Conflict:
            refusal = (409, "run", RUN_REFUSED)
    status, field, message = refusal
    return _round_page(
        page,
        session,
        prepared,
        round_id,
        status_code=status,
        errors={field: page.t.gettext(message)},
    )


@router.post("/close", response_class=HTMLResponse)
async def close_round(
    request: Request,
    page: Writer,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundPath,
) -> Response:
    """Close the round: its plan and publications become read-only."""
    form = await request.form()
    try:
        rounds.close_round(
            session=session,
            caller=page.caller,
            external_id=round_id,
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        return _round_page(
            page, session, prepared, round_id, status_code=412, notice=page.t.gettext(STALE)
        )
    return page.redirect(round_url(round_id))


# --- Publishing -----------------------------------------------------------------------------


def _publish_page(
    page: Page,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: str,
    offset: int,
    *,
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    written = rounds.get_round(session=session, caller=page.caller, external_id=round_id)
    round_ = written.resource
    before = f"version:{round_.published_version}" if round_.published_version else None
    comparison = None
    changes: list[Change] = []
    if before is not None:
        comparison = review.compare(
            session=session,
            caller=page.caller,
            prepared=prepared,
            round_id=round_id,
            a=before,
            b="current",
        )
        changes = changes_between(page, session, comparison, offset, MOVED_PER_PAGE)
    return page.render(
        "publish.html",
        status_code=status_code,
        round=round_,
        version=version_of(written.etag),
        comparison=comparison,
        changes=changes,
        offset=offset,
        per_page=MOVED_PER_PAGE,
        notice=notice,
    )


@router.get("/publish", response_class=HTMLResponse)
def confirm_publication(
    page: Publisher,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundPath,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """What publishing changes against the last publication, and the button to do it."""
    return _publish_page(page, session, prepared, round_id, offset)


@router.post("/publish", response_class=HTMLResponse)
async def publish_round(
    request: Request,
    page: Publisher,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundPath,
) -> Response:
    """Publish the working plan the user confirmed (refused if it changed since)."""
    form = await request.form()
    try:
        publications.publish(
            session=session,
            caller=page.caller,
            round_id=round_id,
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        return _publish_page(
            page, session, prepared, round_id, 0, status_code=412, notice=page.t.gettext(STALE)
        )
    return page.redirect(round_url(round_id))


# --- The plan -------------------------------------------------------------------------------
