"""Arrival rosters: who travels in each arrival group of a round's published plan."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import PageDep, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.arrivals import ArrivalItem
from jet_match.schemas.common import Page
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import arrivals

router = APIRouter(tags=["season"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]


class RosterFormat(StrEnum):
    """How a roster is answered."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


_MEDIA_TYPES = {
    RosterFormat.CSV: spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
    RosterFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}


@router.get(
    "/rounds/{round_id}/arrivals",
    response_model=Page[ArrivalItem],
    responses={
        200: {
            "description": "A page of the roster (JSON), or the whole roster as CSV/XLSX.",
            "content": {
                spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(401, 403, 404, 422),
    },
)
def arrival_roster(
    round_id: RoundPath,
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    group: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=20,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$",
            description="One arrival group (absent: all).",
        ),
    ] = None,
    format: Annotated[
        RosterFormat, Query(description="json (paged), csv (UTF-8 with BOM) or xlsx.")
    ] = RosterFormat.JSON,
) -> Page[ArrivalItem] | Response:
    """The roster of an arrival group.

    Every placement of the latest published version, with its arrival group (the round's
    policy: the first group whose countries and positions take the participant; upgrades
    published after the cut-off go to the last group), by participant. JSON is paged;
    CSV and XLSX hold the whole roster. Audited.
    """
    if format is RosterFormat.JSON:
        return arrivals.roster(
            session=session, caller=caller, round_id=round_id, group=group, page=page
        )
    content = arrivals.roster_sheet(
        session=session, caller=caller, round_id=round_id, group=group, sheet_format=format.value
    )
    name = f"{round_id}-arrivals{'-' + group if group else ''}.{format.value}"
    return Response(
        content,
        media_type=_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
