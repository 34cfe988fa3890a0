"""The demand: the new places of a programme year that the reappointment ledger leaves,
and applying them to the openings' slots."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import EXTERNAL_ID_PATTERN, IfMatch, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.demand import Demand, DemandApplied
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import demand

router = APIRouter(prefix="/demand", tags=["season"])

Reader = Annotated[Caller, Depends(allowed(Action.DEMAND_READ))]
Applier = Annotated[Caller, Depends(allowed(Action.DEMAND_APPLY))]
ProgrammeYear = Annotated[
    int, Query(ge=1987, le=2100, description="The programme year.", examples=[2026])
]


@router.get(
    "",
    response_model=Demand,
    responses={**documented(200, "The demand."), **responses(401, 403, 422)},
)
def get_demand(
    session: SessionDep,
    caller: Reader,
    response: Response,
    programme_year: ProgrammeYear,
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
) -> Demand:
    """Read the demand of a programme year.

    Per opening, organization and prefecture: posts, continuing, reappointing, leaving,
    undecided and new places. A host-org key reads its own organization's (with
    prefecture scope: its prefecture's). The ETag of the unfiltered demand is what
    `POST /demand/apply` takes in If-Match.
    """
    filters = demand.DemandFilter(
        organization=organization, prefecture=prefecture, position=position
    )
    written = demand.get_demand(
        session=session, caller=caller, programme_year=programme_year, filters=filters
    )
    return with_headers(response, written)


@router.post(
    "/apply",
    response_model=DemandApplied,
    responses={
        **documented(200, "Applied (or previewed)."),
        **responses(400, 401, 403, 409, 412, 422, 428),
    },
)
def apply_demand(
    session: SessionDep,
    caller: Applier,
    response: Response,
    programme_year: ProgrammeYear,
    dry_run: Annotated[
        bool, Query(description="Only say what applying would change; write nothing.")
    ] = False,
    if_match: IfMatch = None,
) -> DemandApplied:
    """Set each open opening's slots to its new places (coordinators).

    Needs `If-Match` with the ETag of `GET /demand?programme_year=Y` (412 if the demand
    changed since). An opening without new places is cancelled. `?dry_run=true` previews
    the changes and writes nothing. Audited.
    """
    written = demand.apply_demand(
        session=session,
        caller=caller,
        programme_year=programme_year,
        if_match=if_match,
        dry_run=dry_run,
    )
    return with_headers(response, written)
