"""Imports: a whole dataset (JSON), or one CSV/XLSX sheet per kind; all-or-nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from jet_match.api.deps import IdempotencyDep, SessionDep, SettingsDep, allowed
from jet_match.api.disconnect import until_disconnected
from jet_match.api.problems import responses
from jet_match.api.responses import with_headers
from jet_match.errors import UnsupportedMediaType
from jet_match.schemas.imports import ImportResult, SheetKind
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller
from jet_match.services.records import imports

router = APIRouter(prefix="/imports", tags=["imports"])

Importer = Annotated[Caller, Depends(allowed(Action.IMPORT))]


_DATASET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A dataset document (`jet-match/dataset@1`, docs/dataset.md).",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Dataset"},
                "examples": {
                    "one_opening": {
                        "value": {
                            "format": "jet-match/dataset@1",
                            "organizations": [
                                {
                                    "external_id": "ORG-47-NAHA",
                                    "name": "Naha City",
                                    "kind": "municipality",
                                    "prefecture": 47,
                                    "area_type": "urban",
                                }
                            ],
                            "openings": [
                                {
                                    "external_id": "OPN-NAHA-CIR",
                                    "organization": "ORG-47-NAHA",
                                    "position": "CIR",
                                    "slots": 1,
                                    "school_level": "office",
                                    "min_japanese_level": "N2",
                                }
                            ],
                        }
                    }
                },
            }
        },
    }
}

_SHEET_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A sheet whose header row names the record's fields (docs/api.md, "
        "Sheets): CSV in UTF-8 (with or without BOM) or Shift_JIS/cp932, or XLSX.",
        "content": {
            spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


@router.post(
    "",
    response_model=ImportResult,
    responses=responses(401, 403, 413, 415, 422),
    openapi_extra=_DATASET_BODY,
)
async def import_dataset(
    request: Request,
    session: SessionDep,
    caller: Importer,
    response: Response,
    idempotency: IdempotencyDep,
) -> ImportResult:
    """Import a dataset.

    Upserts organizations, openings and participants by external_id, all or nothing:
    on any problem nothing is written and the answer lists every problem (record,
    external_id, field). References may name records stored earlier. `pins`,
    `forbidden`, `previous_plan` and `policy` are validated but belong to rounds: they
    are counted under `skipped`. Values must have their field's exact JSON type (no
    `true` or `"1"` for a number); external ids differing from others only in case are
    refused. A client that disconnects stops the import: nothing is written.
    """
    if _media_type(request) != "application/json":
        raise UnsupportedMediaType("send the dataset as application/json")
    raw = await request.body()
    written = await until_disconnected(
        request,
        lambda stop: imports.import_dataset(
            session=session, caller=caller, raw=raw, idempotency=idempotency, stop=stop
        ),
    )
    return with_headers(response, written)


@router.post(
    "/{kind}",
    response_model=ImportResult,
    responses=responses(401, 403, 413, 415, 422, 503),
    openapi_extra=_SHEET_BODY,
)
async def import_sheet(
    kind: SheetKind,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: Importer,
    response: Response,
    idempotency: IdempotencyDep,
) -> ImportResult:
    """Import a CSV or XLSX sheet of one kind of record.

    The header row names the fields (`partner.external_id`, `partner.constraint` for a
    couple); list fields are `;`-separated; empty cells take the default. Same
    all-or-nothing upsert as a dataset; problems name the sheet `row`. A sheet beyond
    the import limits (docs/api.md, Limits) is refused: 413 when the workbook unpacks too
    far, 422 for too many rows, columns or cells, a claimed range beyond them, or a read
    over the time budget. A client that disconnects stops the import: nothing is written.
    """
    raw = await request.body()
    media_type = _media_type(request)
    written = await until_disconnected(
        request,
        lambda stop: imports.import_sheet(
            session=session,
            caller=caller,
            kind=kind.value,
            raw=raw,
            media_type=media_type,
            idempotency=idempotency,
            limits=spreadsheets.SheetLimits.of(settings),
            stop=stop,
        ),
    )
    return with_headers(response, written)
