"""Review aids (coordinators): explanations, candidates, comparisons, the round report."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import (
    ExternalIdPath,
    PreparedProblemsDep,
    RoundPath,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.schemas.review import Candidates, Comparison, Explanation, RoundReport
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import report_sheets, review

router = APIRouter(prefix="/rounds/{round_id}", tags=["review"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]
PlanLabel = Annotated[
    str,
    Query(
        max_length=30,
        pattern=r"^(current|run:\d{1,18}|version:\d{1,9})$",
        description="`current` (the working plan), `run:<id>` or `version:<n>` (published).",
        examples=["version:1"],
    ),
]


class ReportFormat(StrEnum):
    """How the report is answered."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@router.get(
    "/participants/{participant_id}/explanation",
    response_model=Explanation,
    responses=responses(401, 403, 404, 422),
)
def explain_participant(
    round_id: RoundPath,
    participant_id: ExternalIdPath,
    session: SessionDep,
    caller: Reader,
    alternatives: Annotated[int, Query(ge=1, le=20, description="How many alternatives.")] = 5,
) -> Explanation:
    """Explain a participant's placement.

    The placement's score breakdown (or why they are unplaced), and their best-scoring
    other openings: the rules that exclude each, who holds it and with what score, and
    for eligible ones the objective change of moving there (everything else unchanged)
    and the hard rules that move would break.
    """
    return review.explanation(
        session=session,
        caller=caller,
        round_id=round_id,
        participant_id=participant_id,
        alternatives=alternatives,
    )


@router.get(
    "/openings/{opening_id}/candidates",
    response_model=Candidates,
    responses=responses(401, 403, 404, 422),
)
def opening_candidates(
    round_id: RoundPath,
    opening_id: ExternalIdPath,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=100, description="How many candidates.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
    ] = None,
    unplaced: Annotated[
        bool | None,
        Query(description="true: only those without a placement in the plan; false: only placed."),
    ] = None,
) -> Candidates:
    """Rank candidates for an opening.

    The round's shortlisted participants eligible for it (alternates come in through
    fill-vacancies), best score first (ties by external_id), each with their current
    placement, the objective change if assigned there, and the hard rules that would
    break (a full opening: over_capacity). `unplaced=true` lists only those without a
    placement; paged with `next_cursor`.
    """
    return review.candidates(
        session=session,
        caller=caller,
        prepared=prepared,
        round_id=round_id,
        opening_id=opening_id,
        filters=review.CandidateFilter(unplaced=unplaced),
        page=PageRequest(cursor=cursor, limit=limit),
    )


@router.get("/compare", response_model=Comparison, responses=responses(401, 403, 404, 422))
def compare_plans(
    round_id: RoundPath,
    a: PlanLabel,
    b: PlanLabel,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    caller: Reader,
) -> Comparison:
    """Compare two plans of the round.

    Runs (`run:<id>`), published versions (`version:<n>`) or the working plan
    (`current`): key figures of each on today's records and policy, their difference
    (b - a) and everyone placed differently.
    """
    return review.compare(
        session=session, caller=caller, prepared=prepared, round_id=round_id, a=a, b=b
    )


_MEDIA_TYPES = {
    ReportFormat.CSV: spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
    ReportFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}


@router.get(
    "/report",
    response_model=RoundReport,
    responses={
        200: {
            "description": "The report: JSON, or a CSV/XLSX attachment.",
            "content": {
                spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(401, 403, 404, 422),
    },
)
def round_report(
    round_id: RoundPath,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    caller: Reader,
    format: Annotated[
        ReportFormat, Query(description="json, csv (UTF-8 with BOM) or xlsx.")
    ] = ReportFormat.JSON,
) -> RoundReport | Response:
    """The round report.

    JSON: objective, rank profile, fill rates by prefecture and country, unplaced with
    reasons, blocking pairs, hard-rule breaks. CSV: one row per participant of the round
    (placement, rank of the choice, score breakdown, or the reasons for being unplaced).
    XLSX: that sheet plus unplaced, prefectures, countries and a summary. Audited.
    """
    if format is ReportFormat.JSON:
        return review.report(session=session, caller=caller, prepared=prepared, round_id=round_id)
    content = report_sheets.report_sheet(
        session=session,
        caller=caller,
        prepared=prepared,
        round_id=round_id,
        sheet_format=format.value,
    )
    return Response(
        content,
        media_type=_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{round_id}-report.{format.value}"'},
    )
