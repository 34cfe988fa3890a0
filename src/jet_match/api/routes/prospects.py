"""Prospective host organizations (coordinators): the pipeline, its contact log, its
sheets and conversions into organizations."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from jet_match.api.deps import (
    ExternalIdPath,
    IdempotencyDep,
    IfMatch,
    PageDep,
    SessionDep,
    SettingsDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.development import (
    ContactCreate,
    PipelineReport,
    ProspectConversion,
    ProspectCreate,
    ProspectImport,
    ProspectPublic,
    ProspectStage,
    ProspectUpdate,
)
from jet_match.services.development import prospect_sheets, prospects
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller

router = APIRouter(tags=["development"])

Developer = Annotated[Caller, Depends(allowed(Action.DEVELOPMENT))]


class SheetFormat(StrEnum):
    """How a prospect sheet is answered."""

    CSV = "csv"
    XLSX = "xlsx"


_SHEET_MEDIA = {
    SheetFormat.CSV: spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
    SheetFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}
_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A prospect sheet (header: the prospect's field names), CSV or XLSX.",
        "content": {
            spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/prospects", response_model=Page[ProspectPublic], responses=responses(401, 403, 422))
def list_prospects(
    session: SessionDep,
    caller: Developer,
    page: PageDep,
    stage: ProspectStage | None = None,
    prefecture: Annotated[int | None, Query(ge=1, le=47, description="JIS code.")] = None,
) -> Page[ProspectPublic]:
    """List prospects.

    Ordered by external_id, filtered by stage and prefecture, each with its contact log.
    Audited (contact details).
    """
    return prospects.list_prospects(
        session=session,
        caller=caller,
        filters=prospects.ProspectFilter(stage=stage, prefecture=prefecture),
        page=page,
    )


@router.post(
    "/prospects",
    response_model=ProspectPublic,
    status_code=201,
    responses={**documented(201, "Created."), **responses(401, 403, 409, 422)},
)
def create_prospect(
    prospect: ProspectCreate,
    session: SessionDep,
    caller: Developer,
    response: Response,
    idempotency: IdempotencyDep,
) -> ProspectPublic:
    """Add a prospect to the pipeline.

    Any stage but `hosting` (reached by conversion). Send an `Idempotency-Key` to make
    retries safe.
    """
    written = prospects.create_prospect(
        session=session, caller=caller, prospect_in=prospect, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/prospects/{prospect.external_id}")


@router.get(
    "/prospects/{prospect_id}",
    response_model=ProspectPublic,
    responses={**documented(200, "The prospect."), **responses(401, 403, 404, 422)},
)
def get_prospect(
    prospect_id: ExternalIdPath, session: SessionDep, caller: Developer, response: Response
) -> ProspectPublic:
    """Read a prospect and its contact log (audited)."""
    written = prospects.get_prospect(session=session, caller=caller, external_id=prospect_id)
    return with_headers(response, written)


@router.patch(
    "/prospects/{prospect_id}",
    response_model=ProspectPublic,
    responses={**documented(200, "Updated."), **responses(401, 403, 404, 409, 412, 422, 428)},
)
def update_prospect(
    prospect_id: ExternalIdPath,
    changes: ProspectUpdate,
    session: SessionDep,
    caller: Developer,
    response: Response,
    if_match: IfMatch = None,
) -> ProspectPublic:
    """Change a prospect (stage, owner, next action ...).

    Send only the fields to change, and `If-Match` with the ETag you read.
    """
    written = prospects.update_prospect(
        session=session,
        caller=caller,
        external_id=prospect_id,
        changes=changes,
        if_match=if_match,
    )
    return with_headers(response, written)


@router.post(
    "/prospects/{prospect_id}/contacts",
    response_model=ProspectPublic,
    status_code=201,
    responses={**documented(201, "Logged."), **responses(401, 403, 404, 409, 422)},
)
def add_contact(
    prospect_id: ExternalIdPath,
    contact: ContactCreate,
    session: SessionDep,
    caller: Developer,
    response: Response,
    idempotency: IdempotencyDep,
) -> ProspectPublic:
    """Log a contact with a prospect.

    Dated, with the channel and what came of it; an `identified` prospect becomes
    `contacted`. Send an `Idempotency-Key` to make retries safe.
    """
    written = prospects.add_contact(
        session=session,
        caller=caller,
        external_id=prospect_id,
        contact_in=contact,
        idempotency=idempotency,
    )
    return with_headers(response, written)


@router.post(
    "/prospects/{prospect_id}/convert",
    response_model=ProspectPublic,
    responses={**documented(200, "Converted."), **responses(401, 403, 404, 409, 412, 422, 428)},
)
def convert_prospect(
    prospect_id: ExternalIdPath,
    conversion: ProspectConversion,
    session: SessionDep,
    caller: Developer,
    response: Response,
    if_match: IfMatch = None,
) -> ProspectPublic:
    """Convert an agreed prospect into a host organization.

    Creates the organization (name, prefecture, kind and area type from the prospect)
    and its first openings, links it to the prospect, which becomes `hosting`; all or
    nothing. Only an `interested` or `request_submitted` prospect (409 otherwise).
    Needs `If-Match`. The new openings take part in the next run of their position.
    """
    written = prospects.convert(
        session=session,
        caller=caller,
        external_id=prospect_id,
        conversion=conversion,
        if_match=if_match,
    )
    return with_headers(response, written)


@router.get(
    "/development/pipeline", response_model=PipelineReport, responses=responses(401, 403, 422)
)
def pipeline_report(session: SessionDep, caller: Developer) -> PipelineReport:
    """The pipeline report.

    Prospects by stage, overall and per prefecture, and the places (slots) the openings
    of converted prospects added.
    """
    return prospects.pipeline_report(session=session, caller=caller)


@router.get(
    "/development/prospects-sheet",
    response_class=Response,
    responses={
        200: {
            "description": "Every prospect, as a CSV or XLSX attachment.",
            "content": {
                spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(401, 403, 422),
    },
)
def export_prospects(
    session: SessionDep,
    caller: Developer,
    format: Annotated[SheetFormat, Query(description="csv or xlsx.")] = SheetFormat.CSV,
) -> Response:
    """Download the prospects as a sheet (audited)."""
    content = prospect_sheets.export_prospects(
        session=session, caller=caller, sheet_format=format.value
    )
    return Response(
        content,
        media_type=_SHEET_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="prospects.{format.value}"'},
    )


@router.post(
    "/development/prospects-sheet",
    response_model=ProspectImport,
    responses=responses(401, 403, 413, 415, 422, 503),
    openapi_extra=_SHEET_BODY,
)
async def import_prospects(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: Developer,
    response: Response,
    idempotency: IdempotencyDep,
) -> ProspectImport:
    """Import a prospect sheet.

    Creates unknown prospects and changes the given fields of known ones (empty cells
    keep them), all or nothing; problems name the sheet row and field. Never converts:
    `hosting` is refused.
    """
    raw = await request.body()
    written = await run_in_threadpool(
        prospect_sheets.import_prospects,
        session=session,
        caller=caller,
        raw=raw,
        media_type=request.headers.get("content-type", "").split(";")[0].strip().lower(),
        idempotency=idempotency,
        limits=spreadsheets.SheetLimits.of(settings),
    )
    return with_headers(response, written)
