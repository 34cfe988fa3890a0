"""Placement notices: per host organization (a host reads its own) and per sending country."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from jet_match.api.deps import ExternalIdPath, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.notices import Notice
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import notices

router = APIRouter(tags=["season"])

HostReader = Annotated[Caller, Depends(allowed(Action.PLACEMENTS_READ))]
Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]


class NoticeFormat(StrEnum):
    """How a notice is answered."""

    JSON = "json"
    HTML = "html"
    XLSX = "xlsx"


_MEDIA_TYPES = {
    NoticeFormat.HTML: "text/html; charset=utf-8",
    NoticeFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}
FormatQuery = Annotated[
    NoticeFormat,
    Query(
        description="json, html (a printable page) or xlsx; every label in Japanese and English."
    ),
]
FullQuery = Annotated[
    bool, Query(description="Every line, not only the changes since the last issue.")
]
CountryPath = Annotated[
    str,
    Path(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code.", examples=["US"]),
]
DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The notice: JSON, a printable HTML page or an XLSX sheet.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _document(content: bytes, notice_format: NoticeFormat, name: str) -> Response:
    disposition = "inline" if notice_format is NoticeFormat.HTML else "attachment"
    return Response(
        content,
        media_type=_MEDIA_TYPES[notice_format],
        headers={"Content-Disposition": f'{disposition}; filename="{name}.{notice_format.value}"'},
    )


@router.get(
    "/rounds/{round_id}/notices/organizations/{organization_id}",
    response_model=Notice,
    responses={**DOCUMENT, **responses(401, 403, 404, 409, 422)},
)
def organization_notice(
    round_id: RoundPath,
    organization_id: ExternalIdPath,
    session: SessionDep,
    caller: HostReader,
    format: FormatQuery = NoticeFormat.JSON,
    full: FullQuery = False,
) -> Notice | Response:
    """The placement notice for a host organization.

    Who is placed at its openings in the round's latest published version, in which
    position, travelling in which arrival group. The first read of a version issues it
    (recorded: who, when, which version); a notice of a later version is a re-issue that
    lists only what changed since the last issue (`full=true`: everything). A host reads
    its own organization's only (another one is a 404). 409 before the first
    publication. Audited.
    """
    if format is NoticeFormat.JSON:
        return notices.organization_notice(
            session=session,
            caller=caller,
            round_id=round_id,
            organization_id=organization_id,
            full=full,
        )
    content = notices.organization_notice_file(
        session=session,
        caller=caller,
        round_id=round_id,
        organization_id=organization_id,
        file_format=format.value,
        full=full,
    )
    return _document(content, format, f"{round_id}-notice-{organization_id}")


@router.get(
    "/rounds/{round_id}/notices/countries/{country}",
    response_model=Notice,
    responses={**DOCUMENT, **responses(401, 403, 404, 409, 422)},
)
def country_notice(
    round_id: RoundPath,
    country: CountryPath,
    session: SessionDep,
    caller: Reader,
    format: FormatQuery = NoticeFormat.JSON,
    full: FullQuery = False,
) -> Notice | Response:
    """The placement notice for a sending country (coordinators).

    Every participant of that citizenship placed in the round's latest published
    version: where, in which position and arrival group. Issued and re-issued like the
    organizations' notices. Audited.
    """
    if format is NoticeFormat.JSON:
        return notices.country_notice(
            session=session, caller=caller, round_id=round_id, country=country, full=full
        )
    content = notices.country_notice_file(
        session=session,
        caller=caller,
        round_id=round_id,
        country=country,
        file_format=format.value,
        full=full,
    )
    return _document(content, format, f"{round_id}-notice-{country}")
