"""A round's pages (coordinators): status, runs with live progress, figures and charts,
starting a run, publishing after a confirmation, closing; the plan as a filtered, sorted,
paged table (downloadable); two plans compared.

Every action is the REST API's service call (`runs.start_run`, `publications.publish`,
`rounds.close_round`) with the version the form was opened on: a stale submit is refused
with "changed since you opened it" and the current state (412). Host organizations may
not read rounds (`rounds:read`), so these pages are a 403 for them, as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from jet_match.api.deps import PreparedProblemsDep, RoundPath, SessionDep
from jet_match.dataset import format as fmt
from jet_match.dataset.reference import PREFECTURES
from jet_match.errors import Conflict, FieldProblem, InvalidInput, PreconditionFailed
from jet_match.schemas.review import Comparison, RoundReport
from jet_match.schemas.rounds import RoundPublic
from jet_match.schemas.runs import RunCreate, RunPublic
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import plan_table, publications, review, rounds, runs
from jet_match.services.rounds.plan_table import PlanQuery, PlanRow
from jet_match.web import labels
from jet_match.web.forms import STALE, if_match, problem_messages, version_of
from jet_match.web.i18n import N_, Translator
from jet_match.web.pages import APP_PREFIX, Page, page_for

router = APIRouter(prefix="/rounds/{round_id}")

Reader = Annotated[Page, Depends(page_for(Action.ROUNDS_READ))]
Writer = Annotated[Page, Depends(page_for(Action.ROUNDS_WRITE))]
Publisher = Annotated[Page, Depends(page_for(Action.PUBLISH))]
Text = Annotated[str | None, Query(max_length=100)]

ROWS_PER_PAGE = 50
MOVED_PER_PAGE = 50
RUNS_SHOWN = 10
ACTIVE = ("queued", "running")

choice_names = {
    "first": N_("1st choice"),
    "second": N_("2nd choice"),
    "third": N_("3rd choice"),
    "same_region": N_("Same region"),
    "elsewhere": N_("Elsewhere"),
    "unplaced": N_("Unplaced"),
}
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
PLAN_COLUMNS = (
    ("participant", N_("Participant ID")),
    ("name", N_("Name")),
    ("country", N_("Citizenship")),
    ("position", N_("Position")),
    ("opening", N_("Opening")),
    ("organization", N_("Organization")),
    ("prefecture", N_("Prefecture")),
    ("choice", N_("Choice")),
    ("score", N_("Score")),
    ("pinned", N_("Pinned")),
    ("override_reason", N_("Override reason")),
)
SORTABLE = ("participant", "name", "country", "organization", "prefecture", "choice", "score")


def _url(round_id: str, *parts: str) -> str:
    return "/".join((f"{APP_PREFIX}/rounds/{round_id}", *parts))


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
            return page.redirect(_url(round_id))
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
    return page.redirect(_url(round_id))


# --- Publishing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One participant placed differently from the last publication, with names."""

    participant: str
    name: str
    kind: str  # added, moved, removed
    before: str | None
    after: str | None


def _place_text(t: Translator, place: plan_table.PlaceName | None, opening: str | None) -> str:
    if opening is None:
        return "—"
    if place is None:
        return opening
    name = t.organization_name(place.organization_name, place.organization_name_ja)
    return f"{name} · {t.prefecture(place.prefecture)} ({opening})"


def _changes(
    page: Page, session: SessionDep, comparison: Comparison, offset: int, limit: int
) -> list[Change]:
    moved = comparison.moved[offset : offset + limit]
    named = plan_table.names(
        session=session,
        caller=page.caller,
        participants=[m.participant for m in moved],
        openings=[o for m in moved for o in (m.a, m.b) if o],
    )
    out = []
    for item in moved:
        kind = "added" if item.a is None else "removed" if item.b is None else "moved"
        out.append(
            Change(
                participant=item.participant,
                name=named.people.get(item.participant, ""),
                kind=kind,
                before=_place_text(page.t, named.places.get(item.a or ""), item.a),
                after=_place_text(page.t, named.places.get(item.b or ""), item.b),
            )
        )
    return out


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
        changes = _changes(page, session, comparison, offset, MOVED_PER_PAGE)
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
    return page.redirect(_url(round_id))


# --- The plan -------------------------------------------------------------------------------


def _query(
    *,
    q: str | None,
    prefecture: str | None,
    organization: str | None,
    position: str | None,
    country: str | None,
    choice: str | None,
    unplaced: str | None,
    pinned: str | None,
    overridden: str | None,
    sort: str | None,
    offset: int,
    limit: int,
) -> PlanQuery:
    """The plan query of the page's parameters (empty ones mean any)."""
    problems = []
    prefecture_code = None
    if prefecture:
        if prefecture.isdigit() and 1 <= int(prefecture) <= len(PREFECTURES):
            prefecture_code = int(prefecture)
        else:
            problems.append(("prefecture", f"'{prefecture}' is not a prefecture code (1-47)"))
    position_value = None
    if position:
        try:
            position_value = fmt.Position(position)
        except ValueError:
            problems.append(("position", f"'{position}' is not a position"))
    if choice and choice not in plan_table.CHOICES:
        problems.append(("choice", f"'{choice}' is not a choice"))
    wanted = (sort or "participant").lstrip("-")
    if wanted not in SORTABLE:
        problems.append(("sort", f"'{sort}' is not a column to sort by"))
    if problems:
        raise InvalidInput(
            "; ".join(message for _, message in problems),
            [FieldProblem("query", None, name, "invalid", text) for name, text in problems],
        )
    return PlanQuery(
        q=q or None,
        prefecture=prefecture_code,
        organization=organization or None,
        position=position_value,
        country=country or None,
        choice=choice or None,  # type: ignore[arg-type]
        unplaced=unplaced in ("1", "on"),
        pinned=pinned in ("1", "on"),
        overridden=overridden in ("1", "on"),
        sort=wanted,
        descending=(sort or "").startswith("-"),
        offset=offset,
        limit=limit,
    )


@dataclass(frozen=True)
class PlanParams:
    """The plan page's query parameters, as given."""

    q: str | None
    prefecture: str | None
    organization: str | None
    position: str | None
    country: str | None
    choice: str | None
    unplaced: str | None
    pinned: str | None
    overridden: str | None
    sort: str | None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def plan_params(
    q: Text = None,
    prefecture: Text = None,
    organization: Text = None,
    position: Text = None,
    country: Text = None,
    choice: Text = None,
    unplaced: Text = None,
    pinned: Text = None,
    overridden: Text = None,
    sort: Text = None,
) -> PlanParams:
    """The filters and order of the plan page."""
    return PlanParams(
        q, prefecture, organization, position, country, choice, unplaced, pinned, overridden, sort
    )


Params = Annotated[PlanParams, Depends(plan_params)]


def _plan_options(t: Translator) -> dict[str, list[tuple[str, str]]]:
    return {
        "prefectures": [(str(p.code), t.prefecture(p.code)) for p in PREFECTURES],
        "positions": [(p.value, t.gettext(labels.position_names[p.value])) for p in fmt.Position],
        "choices": [(c, t.gettext(choice_names[c])) for c in plan_table.CHOICES],
    }


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    page: Reader,
    session: SessionDep,
    round_id: RoundPath,
    params: Params,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """The plan as a table: filters, sorting and paging on the server."""
    round_ = rounds.get_round(session=session, caller=page.caller, external_id=round_id).resource
    try:
        query = _query(**params.__dict__, offset=offset, limit=ROWS_PER_PAGE)
    except InvalidInput as refused:
        return page.render(
            "plan.html",
            status_code=422,
            round=round_,
            table=None,
            params=params,
            options=_plan_options(page.t),
            errors=problem_messages(page.t, refused),
            links={},
        )
    table = plan_table.plan_table(
        session=session, caller=page.caller, round_id=round_id, query=query
    )
    given = params.given()
    base = _url(round_id, "plan")

    def link(**changes: Any) -> str:
        values = {**given, **{k: str(v) for k, v in changes.items() if v is not None}}
        values = {k: v for k, v in values.items() if v and v != "0"}
        return f"{base}?{urlencode(values)}" if values else base

    sort_links = {}
    for column in SORTABLE:
        ascending = query.sort != column or query.descending
        sort_links[column] = (link(sort=column if ascending else f"-{column}", offset=None), column)
    links = {
        "sort": {c: u for c, (u, _) in sort_links.items()},
        "previous": link(offset=max(0, offset - ROWS_PER_PAGE)) if offset > 0 else None,
        "next": link(offset=offset + ROWS_PER_PAGE)
        if offset + ROWS_PER_PAGE < table.total
        else None,
        "csv": f"{base}.csv?{urlencode(given)}",
        "xlsx": f"{base}.xlsx?{urlencode(given)}",
    }
    return page.render(
        "plan.html",
        choice_names=choice_names,
        round=round_,
        table=table,
        params=params,
        query=query,
        options=_plan_options(page.t),
        errors={},
        links=links,
    )


def _sheet_row(t: Translator, row: PlanRow) -> dict[str, Any]:
    return {
        "participant": row.participant,
        "name": f"{row.family_name} {row.given_name}",
        "country": row.country,
        "position": row.position,
        "opening": row.opening or "",
        "organization": t.organization_name(row.organization_name, row.organization_name_ja)
        if row.organization_name
        else "",
        "prefecture": t.prefecture(row.prefecture) if row.prefecture else "",
        "choice": t.gettext(choice_names[row.choice]),
        "score": row.score,
        "pinned": t.gettext(N_("Yes")) if row.pinned else "",
        "override_reason": row.override_reason or "",
    }


@router.get("/plan.{extension}")
def download_plan(
    page: Reader,
    session: SessionDep,
    round_id: RoundPath,
    params: Params,
    extension: Annotated[str, Path(pattern="^(csv|xlsx)$")],
) -> Response:
    """The filtered plan as a CSV or XLSX sheet, headers in the user's language."""
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        query = _query(**params.__dict__, offset=offset, limit=plan_table.MAX_LIMIT)
        table = plan_table.plan_table(
            session=session, caller=page.caller, round_id=round_id, query=query
        )
        rows.extend(_sheet_row(page.t, row) for row in table.rows)
        offset += plan_table.MAX_LIMIT
        if offset >= table.total:
            break
    headers = [page.t.gettext(label) for _, label in PLAN_COLUMNS]
    named = [dict(zip(headers, row.values(), strict=True)) for row in rows]
    name = f"plan-{round_id}.{extension}"
    if extension == "csv":
        body = spreadsheets.write_table_csv(headers, named)
        media = spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8"
    else:
        body = spreadsheets.write_tables_xlsx({page.t.gettext(N_("Plan")): (headers, named)})
        media = spreadsheets.XLSX_MEDIA_TYPE
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- Compare --------------------------------------------------------------------------------


def _default_labels(round_: RoundPublic, listed: list[RunPublic]) -> tuple[str, str]:
    with_plan = [run for run in listed if run.status.value == "succeeded"]
    if round_.published_version:
        return f"version:{round_.published_version}", "current"
    if len(with_plan) >= 2:
        return f"run:{with_plan[1].id}", f"run:{with_plan[0].id}"
    return "current", "current"


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    page: Reader,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundPath,
    a: Text = None,
    b: Text = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """Two plans side by side: key figures and who moved, with names."""
    round_ = rounds.get_round(session=session, caller=page.caller, external_id=round_id).resource
    listed = runs.list_runs(
        session=session, caller=page.caller, round_id=round_id, page=PageRequest(None, RUNS_SHOWN)
    ).items
    default_a, default_b = _default_labels(round_, listed)
    a, b = a or default_a, b or default_b
    choices = [("current", page.t.gettext(N_("Working plan")))]
    choices += [
        (f"version:{v}", page.t.gettext(N_("Published version %(version)s"), version=v))
        for v in range(round_.published_version or 0, 0, -1)
    ]
    choices += [
        (f"run:{run.id}", page.t.gettext(N_("Run %(run)s"), run=run.id))
        for run in listed
        if run.status.value == "succeeded"
    ]
    try:
        comparison = review.compare(
            session=session, caller=page.caller, prepared=prepared, round_id=round_id, a=a, b=b
        )
    except InvalidInput as refused:
        return page.render(
            "compare.html",
            status_code=422,
            round=round_,
            a=a,
            b=b,
            choices=choices,
            comparison=None,
            changes=[],
            errors=problem_messages(page.t, refused),
            links={},
        )
    changes = _changes(page, session, comparison, offset, MOVED_PER_PAGE)
    base = _url(round_id, "compare")

    def at(start: int) -> str:
        return f"{base}?{urlencode({'a': a, 'b': b, 'offset': start})}"

    links = {
        "previous": at(max(0, offset - MOVED_PER_PAGE)) if offset > 0 else None,
        "next": at(offset + MOVED_PER_PAGE)
        if offset + MOVED_PER_PAGE < comparison.moved_count
        else None,
    }
    figures = [
        ("placed", N_("Placed")),
        ("unplaced", N_("Unplaced")),
        ("score", N_("Total score")),
        ("mean_score", N_("Mean score")),
        ("min_score", N_("Lowest score")),
        ("area_match_rate", N_("Area preference met")),
        ("blocking_pairs", N_("Blocking pairs")),
    ]
    return page.render(
        "compare.html",
        round=round_,
        a=a,
        b=b,
        choices=choices,
        comparison=comparison,
        figures=figures,
        rank_names=choice_names,
        changes=changes,
        offset=offset,
        errors={},
        links=links,
    )


# --- The report for people ------------------------------------------------------------------

REPORT_LABELS = {
    "summary": N_("Summary"),
    "plan": N_("Plan"),
    "unplaced": N_("Unplaced"),
    "prefectures": N_("Prefectures"),
    "figure": N_("Figure"),
    "value": N_("Value"),
    "round": N_("Round"),
    "round_version": N_("Round version"),
    "published_version": N_("Published version"),
    "date": N_("Date"),
    "placed": N_("Placed"),
    "score": N_("Score"),
    "mean_score": N_("Mean score"),
    "area_match_rate": N_("Area preference met"),
    "participant": N_("Participant ID"),
    "name": N_("Name"),
    "citizenship": N_("Citizenship"),
    "position": N_("Position"),
    "opening": N_("Opening"),
    "organization": N_("Organization"),
    "prefecture": N_("Prefecture"),
    "choice": N_("Choice"),
    "pinned": N_("Pinned"),
    "override_reason": N_("Override reason"),
    "unplaced_reasons": N_("Why unplaced"),
    "fill_rate": N_("Fill rate"),
    "yes": N_("Yes"),
}


@router.get("/report.xlsx")
def download_report(
    page: Reader, session: SessionDep, prepared: PreparedProblemsDep, round_id: RoundPath
) -> Response:
    """The round report as a workbook for people, in the user's language."""
    t = page.t
    words = review.ReportWords(
        labels={key: t.gettext(text) for key, text in REPORT_LABELS.items()},
        choices={key: t.gettext(text) for key, text in choice_names.items()},
        prefecture=t.prefecture,
        organization=t.organization_name,
        today=t.date(datetime.now(UTC)),
    )
    body = review.report_for_people(
        session=session, caller=page.caller, prepared=prepared, round_id=round_id, words=words
    )
    return Response(
        body,
        media_type=spreadsheets.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{round_id}-report-{t.locale}.xlsx"'
        },
    )
