"""Host-organization development for coordinators: where demand is unmet, by prefecture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from jet_match.api.deps import PreparedProblemsDep, SessionDep
from jet_match.schemas.development import Demand
from jet_match.services.development import demand
from jet_match.services.kit.access import Action
from jet_match.web.i18n import Translator
from jet_match.web.pages import Page, page_for

router = APIRouter(prefix="/development")

DevelopmentPage = Annotated[Page, Depends(page_for(Action.DEVELOPMENT))]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value shown, and length (0..1)."""

    label: str
    value: str
    fraction: float


def _charts(t: Translator, report: Demand) -> dict[str, list[Bar]]:
    """Per prefecture: applicants no opening admits, and applicants per place offered."""
    unmet = [row for row in report.prefectures if row.unplaced_no_eligible_opening]
    top = max((row.unplaced_no_eligible_opening for row in unmet), default=1) or 1
    wanted = [row for row in report.prefectures if row.preferred]
    most = max((row.preferred for row in wanted), default=1) or 1
    return {
        "unmet": [
            Bar(
                t.prefecture(row.prefecture),
                t.number(row.unplaced_no_eligible_opening),
                row.unplaced_no_eligible_opening / top,
            )
            for row in sorted(unmet, key=lambda r: -r.unplaced_no_eligible_opening)
        ],
        "wanted": [
            Bar(
                t.prefecture(row.prefecture),
                f"{t.number(row.preferred)} / {t.number(row.offered)}",
                row.preferred / most,
            )
            for row in wanted
        ],
    }


@router.get("", response_class=HTMLResponse)
def demand_page(
    page: DevelopmentPage,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    programme_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    """Unmet demand of a programme year: a chart and a table by prefecture (404 without a
    round that year)."""
    report = (
        demand.demand(
            session=session, caller=page.caller, prepared=prepared, programme_year=programme_year
        )
        if programme_year is not None
        else None
    )
    return page.render(
        "development.html",
        report=report,
        charts=_charts(page.t, report) if report else None,
        programme_year=programme_year,
    )
