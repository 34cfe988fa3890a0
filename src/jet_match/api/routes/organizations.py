"""Organizations (Contracting Organizations), addressed by external_id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from jet_match.api.deps import ExternalIdPath, IdempotencyDep, IfMatch, PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.common import Page
from jet_match.schemas.record_changes import OrganizationChanged
from jet_match.schemas.records import OrganizationUpdate
from jet_match.services.kit.access import Action, Caller
from jet_match.services.records import organizations

router = APIRouter(prefix="/organizations", tags=["organizations"])

Reader = Annotated[Caller, Depends(allowed(Action.ORGANIZATIONS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.ORGANIZATIONS_WRITE))]

EXAMPLE = {
    "external_id": "ORG-01-SAPPORO",
    "name": "Sapporo City Board of Education",
    "name_ja": "札幌市教育委員会",
    "kind": "designated_city",
    "prefecture": 1,
    "area_type": "urban",
    "medical_access": True,
    "sister_regions": ["US-OR"],
}


@router.get("", response_model=Page[fmt.Organization], responses=responses(401, 403, 422))
def list_organizations(
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    prefecture: Annotated[
        int | None, Query(ge=1, le=47, description="JIS prefecture code.")
    ] = None,
    kind: fmt.OrganizationKind | None = None,
    area_type: fmt.AreaType | None = None,
) -> Page[fmt.Organization]:
    """List organizations.

    Ordered by external_id, filtered by prefecture, kind and area type. A host-org key
    sees its own organization only.
    """
    filters = organizations.OrganizationFilter(
        prefecture=prefecture, kind=kind, area_type=area_type
    )
    return organizations.list_organizations(
        session=session, caller=caller, filters=filters, page=page
    )


@router.post(
    "",
    response_model=fmt.Organization,
    status_code=201,
    responses={**documented(201, "Created."), **responses(400, 401, 403, 409, 422)},
)
def create_organization(
    organization: Annotated[fmt.Organization, Body(openapi_examples={"city": {"value": EXAMPLE}})],
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
) -> fmt.Organization:
    """Create an organization (coordinators).

    The body is an organization exactly as in a dataset. Send an `Idempotency-Key` to
    make retries safe.
    """
    written = organizations.create_organization(
        session=session, caller=caller, organization_in=organization, idempotency=idempotency
    )
    location = f"/api/v1/organizations/{written.resource.external_id}"
    return with_headers(response, written, location)


@router.get(
    "/{external_id}",
    response_model=fmt.Organization,
    responses={**documented(200, "The organization."), **responses(401, 403, 404, 422)},
)
def get_organization(
    external_id: ExternalIdPath, session: SessionDep, caller: Reader, response: Response
) -> fmt.Organization:
    """Read an organization.

    A host-org key reads its own organization; any other answers 404.
    """
    written = organizations.get_organization(
        session=session, caller=caller, external_id=external_id
    )
    return with_headers(response, written)


@router.patch(
    "/{external_id}",
    response_model=OrganizationChanged,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def update_organization(
    external_id: ExternalIdPath,
    changes: OrganizationUpdate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> OrganizationChanged:
    """Change an organization (coordinators).

    Send only the fields to change, and `If-Match` with the ETag you read.
    """
    written = organizations.update_organization(
        session=session, caller=caller, external_id=external_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)
