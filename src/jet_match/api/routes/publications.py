"""Publication (coordinators), the host organizations' view and career-fair results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from jet_match.api.deps import ExternalIdPath, IfMatch, PageDep, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import ETAG_HEADER_DOC, documented, with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.publications import HostPlacement, PublicationPublic, ResultItem
from jet_match.services.kit.access import Action, Caller
from jet_match.services.rounds import publications

router = APIRouter()

Publisher = Annotated[Caller, Depends(allowed(Action.PUBLISH))]
HostReader = Annotated[Caller, Depends(allowed(Action.PLACEMENTS_READ))]
ResultsReader = Annotated[Caller, Depends(allowed(Action.RESULTS_READ))]


@router.post(
    "/rounds/{round_id}/publish",
    response_model=PublicationPublic,
    tags=["publication"],
    responses={
        **documented(200, "Published; the round's new ETag."),
        **responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def publish_round(
    round_id: RoundPath,
    session: SessionDep,
    caller: Publisher,
    response: Response,
    if_match: IfMatch = None,
) -> PublicationPublic:
    """Publish the working plan as the next version.

    Freezes it as version N (1, 2, ...): host organizations and career-fair tools read
    it from now on. Needs `If-Match` with the round's ETag, so that only the plan you
    reviewed is published (412 if it changed). 409 without a plan, with nothing new
    since the last version, while a run is queued or running, or when another round
    sharing one of its positions has published (one published round per position).
    """
    written = publications.publish(
        session=session, caller=caller, round_id=round_id, if_match=if_match
    )
    return with_headers(response, written)


@router.get(
    "/organizations/{organization_id}/placements",
    response_model=Page[HostPlacement],
    tags=["publication"],
    responses=responses(401, 403, 404, 422),
)
def organization_placements(
    organization_id: ExternalIdPath, session: SessionDep, caller: HostReader, page: PageDep
) -> Page[HostPlacement]:
    """The placements published to an organization's openings.

    The latest published version of every round, by publication and participant: name,
    citizenship, position and Japanese level (never contact or special-care data). A
    host-org key reads its own organization only (another one is a 404). Audited.
    """
    return publications.organization_placements(
        session=session, caller=caller, organization_id=organization_id, page=page
    )


@router.get(
    "/results",
    response_model=Page[ResultItem],
    tags=["publication"],
    responses={
        200: {"description": "A page of published placements.", "headers": ETAG_HEADER_DOC},
        304: {"description": "Not modified: the page named by If-None-Match is current."},
        **responses(401, 403, 409, 422),
    },
)
def list_results(
    session: SessionDep,
    caller: ResultsReader,
    page: PageDep,
    response: Response,
    if_none_match: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            max_length=1000,
            description="The ETag of a page you have: 304 if it is still current.",
        ),
    ] = None,
) -> Page[ResultItem] | Response:
    """Published results (career-fair and reporting tools).

    Every round's latest published placements, by publication and then participant,
    paginated by cursor; the participant by external_id only, the organization's name
    and prefecture as they were when published. The `ETag` changes only when a new
    version is published: send it back as `If-None-Match` to get 304. A cursor given out
    before a new publication is refused (409 `results-changed`): restart from the first
    page.
    """
    found = publications.results(
        session=session, caller=caller, page=page, if_none_match=if_none_match
    )
    if found.page is None:
        return Response(status_code=304, headers={"ETag": found.etag})
    response.headers["ETag"] = found.etag
    return found.page
