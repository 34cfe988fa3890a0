"""A round's plan as a table (coordinators): filtered, sorted and paged on the server, and
downloadable (CSV, XLSX) as filtered, with headers in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from jet_match.api.deps import RoundPath, SessionDep
from jet_match.dataset import format as fmt
from jet_match.dataset.reference import PREFECTURES
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.services.kit import sheet_writing, spreadsheets
from jet_match.services.kit.access import Action
from jet_match.services.rounds import plan_table, rounds
from jet_match.services.rounds.plan_table import PlanQuery, PlanRow
from jet_match.web import labels
from jet_match.web.forms import problem_messages
from jet_match.web.i18n import N_, Translator
from jet_match.web.pages import Page, page_for
from jet_match.web.round_views import (
    choice_names,
    round_url,
)

router = APIRouter(prefix="/rounds/{round_id}")

ROWS_PER_PAGE = 50
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

router = APIRouter(prefix="/rounds/{round_id}")

Reader = Annotated[Page, Depends(page_for(Action.ROUNDS_READ))]
Text = Annotated[str | None, Query(max_length=100)]


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
    base = round_url(round_id, "plan")

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
        body = sheet_writing.write_table_csv(headers, named)
        media = spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8"
    else:
        body = sheet_writing.write_tables_xlsx({page.t.gettext(N_("Plan")): (headers, named)})
        media = spreadsheets.XLSX_MEDIA_TYPE
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- Compare --------------------------------------------------------------------------------
