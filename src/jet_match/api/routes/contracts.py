"""Contracts in post (the reappointment ledger): kept by coordinators; host organizations
read theirs and set their intentions."""

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
from jet_match.schemas.contracts import ContractUpdate
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import contracts

router = APIRouter(prefix="/contracts", tags=["contracts"])

Reader = Annotated[Caller, Depends(allowed(Action.CONTRACTS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.CONTRACTS_WRITE))]
IntentionSetter = Annotated[Caller, Depends(allowed(Action.INTENTIONS_WRITE))]

EXAMPLE = {
    "external_id": "JET-2025-00042",
    "family_name": "Smith",
    "given_name": "Alex",
    "citizenship": "US",
    "position": "ALT",
    "organization": "ORG-01-SAPPORO",
    "opening": "OPN-SAPPORO-ALT-01",
    "started_on": "2025-08-01",
    "ends_on": "2026-07-31",
    "year_in_programme": 2,
    "japanese_level": "N4",
    "field_of_study": "Linguistics",
    "intention": "undecided",
}


@router.get("", response_model=Page[fmt.Contract], responses=responses(401, 403, 422))
def list_contracts(
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
    opening: Annotated[
        str | None,
        Query(max_length=64, pattern=EXTERNAL_ID_PATTERN, description="external_id of the post."),
    ] = None,
    position: fmt.Position | None = None,
    intention: fmt.Intention | None = None,
    reappointment_year: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="Contracts ending in this year (their decision)."),
    ] = None,
) -> Page[fmt.Contract]:
    """List contracts in post.

    Ordered by external_id; filtered by organization, prefecture, opening, position,
    intention and reappointment year (the year of `ends_on`). A host-org key sees its own
    organization's contracts (with prefecture scope: its prefecture's). Audited.
    """
    filters = contracts.ContractFilter(
        organization=organization,
        prefecture=prefecture,
        opening=opening,
        position=position,
        intention=intention,
        reappointment_year=reappointment_year,
    )
    return contracts.list_contracts(session=session, caller=caller, filters=filters, page=page)


@router.post(
    "",
    response_model=fmt.Contract,
    status_code=201,
    responses={**documented(201, "Created."), **responses(400, 401, 403, 409, 422)},
)
def create_contract(
    contract: Annotated[fmt.Contract, Body(openapi_examples={"alt": {"value": EXAMPLE}})],
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
) -> fmt.Contract:
    """Add a contract in post.

    The body is a contract exactly as in a dataset (coordinators). Send an
    `Idempotency-Key` to make retries safe.
    """
    written = contracts.create_contract(
        session=session, caller=caller, contract_in=contract, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/contracts/{written.resource.external_id}")


@router.get(
    "/{external_id}",
    response_model=fmt.Contract,
    responses={**documented(200, "The contract."), **responses(401, 403, 404, 422)},
)
def get_contract(
    external_id: ExternalIdPath, session: SessionDep, caller: Reader, response: Response
) -> fmt.Contract:
    """Read a contract.

    Another organization's contract answers 404 to a host-org key, exactly like a missing
    one. Audited.
    """
    written = contracts.get_contract(session=session, caller=caller, external_id=external_id)
    return with_headers(response, written)


@router.patch(
    "/{external_id}",
    response_model=fmt.Contract,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def update_contract(
    external_id: ExternalIdPath,
    changes: ContractUpdate,
    session: SessionDep,
    caller: IntentionSetter,
    response: Response,
    if_match: IfMatch = None,
) -> fmt.Contract:
    """Change a contract, or set its reappointment intention.

    Send only the fields to change and `If-Match` with the ETag you read. A host-org key
    sends only `intention`, for its own contracts, until the programme year's deadline
    (403 after it). Setting `intention` stamps `intention_set_on` with today.
    """
    written = contracts.update_contract(
        session=session, caller=caller, external_id=external_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)
