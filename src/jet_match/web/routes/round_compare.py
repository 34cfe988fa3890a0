"""Two plans of a round side by side (key figures, who moved, by name), and the round's
report for people (XLSX in the reader's language)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from jet_match.api.deps import PreparedProblemsDep, RoundPath, SessionDep
from jet_match.errors import InvalidInput
from jet_match.schemas.rounds import RoundPublic
from jet_match.schemas.runs import RunPublic
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import report_sheets, review, rounds, runs
from jet_match.web import rule_labels
from jet_match.web.forms import problem_messages
from jet_match.web.i18n import N_
from jet_match.web.pages import Page, page_for
from jet_match.web.round_views import (
    MOVED_PER_PAGE,
    RUNS_SHOWN,
    changes_between,
    choice_names,
    round_url,
)

router = APIRouter(prefix="/rounds/{round_id}")

router = APIRouter(prefix="/rounds/{round_id}")

Reader = Annotated[Page, Depends(page_for(Action.ROUNDS_READ))]
Text = Annotated[str | None, Query(max_length=100)]


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
    changes = changes_between(page, session, comparison, offset, MOVED_PER_PAGE)
    base = round_url(round_id, "compare")

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
    words = report_sheets.ReportWords(
        labels={key: t.gettext(text) for key, text in REPORT_LABELS.items()},
        choices={key: t.gettext(text) for key, text in choice_names.items()},
        prefecture=t.prefecture,
        organization=t.organization_name,
        today=t.date(datetime.now(UTC)),
        reason=partial(rule_labels.unplaced_reason, t),
    )
    body = report_sheets.report_for_people(
        session=session, caller=page.caller, prepared=prepared, round_id=round_id, words=words
    )
    return Response(
        body,
        media_type=spreadsheets.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{round_id}-report-{t.locale}.xlsx"'
        },
    )
