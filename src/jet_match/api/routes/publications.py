"""Publication (coordinators), the host organizations' view and career-fair results."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from jet_match.api.deps import ExternalIdPath, IfMatch, PageDep, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import ETAG_HEADER_DOC, documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.careerfair import ResultChanges, ResultsPage
from jet_match.schemas.common import Page
from jet_match.schemas.publications import HostPlacement, PublicationPublic
from jet_match.services.careerfair import results as results_feed
from jet_match.services.kit import spreadsheets
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


class ResultsFormat(StrEnum):
    """How results are answered."""

    JSON = "json"
    CSV = "csv"


def result_filter(
    round: Annotated[str | None, Query(max_length=64, description="A round's external_id.")] = None,
    prefecture: Annotated[int | None, Query(ge=1, le=47, description="JIS code.")] = None,
    organization: Annotated[
        str | None, Query(max_length=64, description="An organization's external_id.")
    ] = None,
    position: fmt.Position | None = None,
) -> results_feed.ResultFilter:
    """The results filters of the query string."""
    return results_feed.ResultFilter(
        round=round, prefecture=prefecture, organization=organization, position=position
    )


ResultFilterDep = Annotated[results_feed.ResultFilter, Depends(result_filter)]


@router.get(
    "/results",
    response_model=ResultsPage,
    tags=["publication"],
    responses={
        200: {
            "description": "A page of published placements (JSON), or all of them as CSV.",
            "headers": ETAG_HEADER_DOC,
            "content": {spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified: the page named by If-None-Match is current."},
        **responses(401, 403, 422),
    },
)
def list_results(
    session: SessionDep,
    caller: ResultsReader,
    page: PageDep,
    filters: ResultFilterDep,
    response: Response,
    if_none_match: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            max_length=1000,
            description="The ETag of a page you have: 304 if it is still current.",
        ),
    ] = None,
    format: Annotated[
        ResultsFormat, Query(description="json (paged) or csv (every row, UTF-8 with BOM).")
    ] = ResultsFormat.JSON,
) -> ResultsPage | Response:
    """Published results (career-fair and reporting tools).

    Every round's latest published placements, by publication and then participant,
    filtered by round, prefecture, organization and position, paginated by cursor; the
    participant by external_id only, the organization's name and prefecture as they
    were when published. A listing reads the versions published when its first page
    was read (`sync_token`): its cursor keeps working after an amendment is published,
    and `/results/changes?since=<sync_token>` answers what changed since. The `ETag`
    changes only when a new version is published: send it back as `If-None-Match` to
    get 304. `format=csv` answers every row at once.
    """
    if format is ResultsFormat.CSV:
        return Response(
            results_feed.results_sheet(session=session, caller=caller, filters=filters),
            media_type=spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="results.csv"'},
        )
    found = results_feed.results(
        session=session, caller=caller, page=page, filters=filters, if_none_match=if_none_match
    )
    if found.page is None:
        return Response(status_code=304, headers={"ETag": found.etag})
    response.headers["ETag"] = found.etag
    return found.page


@router.get(
    "/results/changes",
    response_model=ResultChanges,
    tags=["publication"],
    responses=responses(401, 403, 422),
)
def results_changes(
    session: SessionDep,
    caller: ResultsReader,
    filters: ResultFilterDep,
    since: Annotated[
        str | None,
        Query(max_length=20_000, description="A `sync_token` from a listing or a sync."),
    ] = None,
) -> ResultChanges:
    """What changed in the published results since a sync token.

    Placements added, changed (another opening) and removed (as last published) since
    the versions `since` names, with the same filters as the listing; without `since`,
    every current placement as added. Keep the answer's `sync_token` for the next call.
    """
    return results_feed.changes(session=session, caller=caller, since=since, filters=filters)
