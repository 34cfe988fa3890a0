"""Openings: posted and maintained by coordinators and by host organizations (their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from jet_match.api.deps import (
    EXTERNAL_ID_PATTERN,
    ExternalIdPath,
    IdempotencyDep,
    IfMatch,
    PageDep,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.common import Page
from jet_match.schemas.record_changes import OpeningChanged
from jet_match.schemas.records import OpeningUpdate
from jet_match.services.kit.access import Action, Caller
from jet_match.services.records import openings

router = APIRouter(prefix="/openings", tags=["openings"])

Reader = Annotated[Caller, Depends(allowed(Action.OPENINGS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.OPENINGS_WRITE))]

EXAMPLE = {
    "external_id": "OPN-SAPPORO-ALT-01",
    "organization": "ORG-01-SAPPORO",
    "position": "ALT",
    "slots": 2,
    "school_level": "junior_high",
    "min_japanese_level": "N5",
    "driving_required": False,
    "requested_countries": ["US", "CA"],
    "country_required": False,
    "prefers_experience": True,
    "sport": None,
    "status": "open",
}


@router.get("", response_model=Page[fmt.Opening], responses=responses(401, 403, 422))
def list_openings(
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    organization: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=EXTERNAL_ID_PATTERN,
            description="external_id of the organization.",
        ),
    ] = None,
    prefecture: Annotated[
        int | None, Query(ge=1, le=47, description="Prefecture of the organization.")
    ] = None,
    position: fmt.Position | None = None,
    status: fmt.OpeningStatus | None = None,
    school_level: fmt.SchoolLevel | None = None,
) -> Page[fmt.Opening]:
    """List openings.

    Ordered by external_id, filtered by organization, prefecture, position, status and
    school level. A host-org key sees its own organization's openings only.
    """
    filters = openings.OpeningFilter(
        organization=organization,
        prefecture=prefecture,
        position=position,
        status=status,
        school_level=school_level,
    )
    return openings.list_openings(session=session, caller=caller, filters=filters, page=page)


@router.post(
    "",
    response_model=fmt.Opening,
    status_code=201,
    responses={**documented(201, "Created."), **responses(400, 401, 403, 409, 422)},
)
def create_opening(
    opening: Annotated[fmt.Opening, Body(openapi_examples={"alt": {"value": EXAMPLE}})],
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
) -> fmt.Opening:
    """Post an opening.

    The body is an opening exactly as in a dataset. A host-org key posts for its own
    organization only (another organization is unknown to it: 422). Send an
    `Idempotency-Key` to make retries safe.
    """
    written = openings.create_opening(
        session=session, caller=caller, opening_in=opening, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/openings/{written.resource.external_id}")


@router.get(
    "/{external_id}",
    response_model=fmt.Opening,
    responses={**documented(200, "The opening."), **responses(401, 403, 404, 422)},
)
def get_opening(
    external_id: ExternalIdPath, session: SessionDep, caller: Reader, response: Response
) -> fmt.Opening:
    """Read an opening.

    Another organization's opening answers 404 to a host-org key, exactly like a missing one.
    """
    written = openings.get_opening(session=session, caller=caller, external_id=external_id)
    return with_headers(response, written)


@router.patch(
    "/{external_id}",
    response_model=OpeningChanged,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def update_opening(
    external_id: ExternalIdPath,
    changes: OpeningUpdate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> OpeningChanged:
    """Change an opening.

    Send only the fields to change and `If-Match` with the ETag you read (428 without it,
    412 if someone changed it since). `{"status": "cancelled"}` cancels, `{"status":
    "open"}` reopens.
    """
    written = openings.update_opening(
        session=session, caller=caller, external_id=external_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)


@router.delete(
    "/{external_id}",
    response_model=OpeningChanged,
    responses={**documented(200, "Cancelled."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def cancel_opening(
    external_id: ExternalIdPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> OpeningChanged:
    """Cancel an opening.

    The opening is kept with status `cancelled` (never deleted: plans and the audit trail
    refer to it) and answered. Needs `If-Match`. Cancelling twice changes nothing.
    """
    written = openings.cancel_opening(
        session=session, caller=caller, external_id=external_id, if_match=if_match
    )
    return with_headers(response, written)
