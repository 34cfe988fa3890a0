"""Host-organization development (coordinators): where demand is unmet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jet_match.api.deps import PreparedProblemsDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.development import Demand
from jet_match.services.development import demand
from jet_match.services.kit.access import Action, Caller

router = APIRouter(prefix="/development", tags=["development"])

Developer = Annotated[Caller, Depends(allowed(Action.DEVELOPMENT))]
ProgrammeYear = Annotated[int, Query(ge=2000, le=2100, description="The programme year.")]


@router.get("/demand", response_model=Demand, responses=responses(401, 403, 404, 422))
def unmet_demand(
    programme_year: ProgrammeYear,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    caller: Developer,
) -> Demand:
    """Where demand for host organizations is unmet.

    Per prefecture, area type, school level and position: applicants who named the
    prefecture, places offered, placed, unplaced for want of an eligible opening (the
    solver's own rules; the same participants the round report gives as "no eligible
    opening"), and requested countries nobody placed there holds. Uses the working plan
    of the latest round of the year for each position. 404 without a round that year.
    """
    return demand.demand(
        session=session, caller=caller, prepared=prepared, programme_year=programme_year
    )
