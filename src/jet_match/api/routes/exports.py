"""Exports: the dataset document, or one kind of record as CSV or XLSX (coordinators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.dataset import format as fmt
from jet_match.schemas.imports import SheetKind
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller
from jet_match.services.records import exports
from jet_match.services.records.exports import SheetFormat

router = APIRouter(prefix="/exports", tags=["exports"])

Exporter = Annotated[Caller, Depends(allowed(Action.EXPORT))]

_MEDIA_TYPES = {
    SheetFormat.CSV: spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
    SheetFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}


@router.get("/dataset", response_model=fmt.Dataset, responses=responses(401, 403))
def export_dataset(session: SessionDep, caller: Exporter) -> fmt.Dataset:
    """Export the dataset.

    Every stored organization, opening and participant as one `jet-match/dataset@1`
    document, which `POST /api/v1/imports` and `jet-match solve` accept. Audited.
    """
    return exports.export_dataset(session=session, caller=caller)


@router.get(
    "/{kind}",
    response_class=Response,
    responses={
        200: {
            "description": "The sheet, as an attachment.",
            "content": {
                spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(401, 403, 422),
    },
)
def export_sheet(
    kind: SheetKind,
    session: SessionDep,
    caller: Exporter,
    format: Annotated[
        SheetFormat, Query(description="`csv` (UTF-8 with BOM) or `xlsx`.")
    ] = SheetFormat.CSV,
) -> Response:
    """Export one kind of record as a sheet.

    Columns are the dataset's field names, list fields `;`-separated; cells that a
    spreadsheet would run as a formula (starting with = + - @, tab or CR) start with `'`.
    Audited.
    """
    content = exports.export_sheet(
        session=session, caller=caller, kind=kind.value, sheet_format=format
    )
    return Response(
        content,
        media_type=_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{kind.value}.{format.value}"'},
    )
