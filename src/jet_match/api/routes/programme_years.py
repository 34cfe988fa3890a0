"""Programme years: the intention deadline and how undecided JETs count in the demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from jet_match.api.deps import IfMatch, ProgrammeYearPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.programme_years import ProgrammeYearPublic, ProgrammeYearSettings
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import programme_years

router = APIRouter(prefix="/programme-years", tags=["season"])

Reader = Annotated[Caller, Depends(allowed(Action.CONTRACTS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.SEASON_WRITE))]


@router.get("", response_model=list[ProgrammeYearPublic], responses=responses(401, 403, 422))
def list_programme_years(session: SessionDep, caller: Reader) -> list[ProgrammeYearPublic]:
    """List the programme years coordinators have set, oldest first."""
    return programme_years.list_programme_years(session=session, caller=caller)


@router.get(
    "/{year}",
    response_model=ProgrammeYearPublic,
    responses={**documented(200, "The year's settings."), **responses(401, 403, 422)},
)
def get_programme_year(
    year: ProgrammeYearPath, session: SessionDep, caller: Reader, response: Response
) -> ProgrammeYearPublic:
    """Read a programme year's intention deadline and counting.

    A year nobody has set answers the defaults (no deadline, undecided JETs stay) with
    ETag `"0"`.
    """
    written = programme_years.get_programme_year(session=session, caller=caller, year=year)
    return with_headers(response, written)


@router.put(
    "/{year}",
    response_model=ProgrammeYearPublic,
    responses={**documented(200, "Set."), **responses(400, 401, 403, 412, 422, 428)},
)
def set_programme_year(
    year: ProgrammeYearPath,
    settings: ProgrammeYearSettings,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> ProgrammeYearPublic:
    """Set a programme year's intention deadline and counting (coordinators).

    Send the whole settings and `If-Match` with the ETag you read (`"0"` or `*` for a year
    not set yet). Audited.
    """
    written = programme_years.set_programme_year(
        session=session, caller=caller, year=year, settings=settings, if_match=if_match
    )
    return with_headers(response, written)
