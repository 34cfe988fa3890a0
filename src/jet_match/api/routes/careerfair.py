"""The career fair: fairs and the employers taking part (coordinators write; career-fair
tools read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from jet_match.api.deps import (
    ExternalIdPath,
    IdempotencyDep,
    IfMatch,
    PageDep,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.careerfair import (
    EmployerCreate,
    EmployerPublic,
    FairCreate,
    FairPublic,
    FairUpdate,
)
from jet_match.schemas.common import Page
from jet_match.services.careerfair import fairs
from jet_match.services.kit.access import Action, Caller

router = APIRouter(prefix="/fairs", tags=["career fair"])

FairReader = Annotated[Caller, Depends(allowed(Action.FAIRS_READ))]
FairWriter = Annotated[Caller, Depends(allowed(Action.FAIRS_WRITE))]


@router.get("", response_model=Page[FairPublic], responses=responses(401, 403, 422))
def list_fairs(session: SessionDep, caller: FairReader, page: PageDep) -> Page[FairPublic]:
    """List career fairs, ordered by external_id."""
    return fairs.list_fairs(session=session, caller=caller, page=page)


@router.post(
    "",
    response_model=FairPublic,
    status_code=201,
    responses={**documented(201, "Created."), **responses(401, 403, 409, 422)},
)
def create_fair(
    fair: FairCreate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    idempotency: IdempotencyDep,
) -> FairPublic:
    """Create a career fair (coordinators).

    Name, date, venue (or online) and capacity. Send an `Idempotency-Key` to make
    retries safe.
    """
    written = fairs.create_fair(
        session=session, caller=caller, fair_in=fair, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/fairs/{fair.external_id}")


@router.get(
    "/{fair_id}",
    response_model=FairPublic,
    responses={**documented(200, "The fair."), **responses(401, 403, 404, 422)},
)
def get_fair(
    fair_id: ExternalIdPath, session: SessionDep, caller: FairReader, response: Response
) -> FairPublic:
    """Read a career fair."""
    written = fairs.get_fair(session=session, caller=caller, external_id=fair_id)
    return with_headers(response, written)


@router.patch(
    "/{fair_id}",
    response_model=FairPublic,
    responses={**documented(200, "Updated."), **responses(401, 403, 404, 412, 422, 428)},
)
def update_fair(
    fair_id: ExternalIdPath,
    changes: FairUpdate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    if_match: IfMatch = None,
) -> FairPublic:
    """Change a career fair (coordinators).

    Send only the fields to change, and `If-Match` with the ETag you read.
    """
    written = fairs.update_fair(
        session=session, caller=caller, external_id=fair_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)


@router.get(
    "/{fair_id}/employers",
    response_model=Page[EmployerPublic],
    responses=responses(401, 403, 404, 422),
)
def list_employers(
    fair_id: ExternalIdPath, session: SessionDep, caller: FairReader, page: PageDep
) -> Page[EmployerPublic]:
    """The employers taking part in a fair, ordered by external_id."""
    return fairs.list_employers(session=session, caller=caller, fair_id=fair_id, page=page)


@router.post(
    "/{fair_id}/employers",
    response_model=EmployerPublic,
    status_code=201,
    responses={**documented(201, "Added.", etag=False), **responses(401, 403, 404, 409, 422)},
)
def add_employer(
    fair_id: ExternalIdPath,
    employer: EmployerCreate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    idempotency: IdempotencyDep,
) -> EmployerPublic:
    """Add an employer to a fair (coordinators): company, sector and its contact.

    Send an `Idempotency-Key` to make retries safe.
    """
    written = fairs.add_employer(
        session=session,
        caller=caller,
        fair_id=fair_id,
        employer_in=employer,
        idempotency=idempotency,
    )
    return with_headers(response, written)
