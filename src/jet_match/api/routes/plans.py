"""A round's working plan: read it, move, pin or unassign people, forbid or allow pairs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import (
    EXTERNAL_ID_PATTERN,
    ExternalIdPath,
    IfMatch,
    PageDep,
    RoundPath,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.common import Page
from jet_match.schemas.plans import (
    Adjustment,
    ForbiddenCreate,
    ForbiddenItem,
    ForbiddenPublic,
    PlanChange,
    PlanItem,
)
from jet_match.services.kit.access import Action, Caller
from jet_match.services.rounds import adjustments, forbidden, plans

router = APIRouter(prefix="/rounds/{round_id}", tags=["plan"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.ROUNDS_WRITE))]
ExternalIdQuery = Annotated[str | None, Query(max_length=64, pattern=EXTERNAL_ID_PATTERN)]


@router.get(
    "/plan",
    response_model=Page[PlanItem],
    responses={**documented(200, "A page of the plan."), **responses(401, 403, 404, 422)},
)
def get_plan(
    round_id: RoundPath,
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    response: Response,
    opening: ExternalIdQuery = None,
    organization: ExternalIdQuery = None,
    prefecture: Annotated[int | None, Query(ge=1, le=47)] = None,
    position: fmt.Position | None = None,
    pinned: bool | None = None,
) -> Page[PlanItem]:
    """Read the working plan.

    Placements in participant order, each with its score and breakdown, filtered by
    opening, organization, prefecture, position and pinned. The `ETag` is the round's:
    send it as `If-Match` with a change.
    """
    filters = plans.PlanFilter(
        opening=opening,
        organization=organization,
        prefecture=prefecture,
        position=position,
        pinned=pinned,
    )
    written = plans.get_plan(
        session=session, caller=caller, round_id=round_id, filters=filters, page=page
    )
    return with_headers(response, written)


@router.put(
    "/plan/{participant_id}",
    response_model=Adjustment,
    responses={
        **documented(200, "Changed (or already so); the round's new ETag."),
        **responses(400, 401, 403, 404, 409, 412, 422, 428),
    },
)
def change_placement(
    round_id: RoundPath,
    participant_id: ExternalIdPath,
    change: PlanChange,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> Adjustment:
    """Move, pin, unpin or unassign a participant.

    `{"opening": "<id>", "pinned": true}` puts the participant there (pinned: every
    re-solve keeps it); `{"opening": null}` unassigns. A change that breaks a hard rule
    (eligibility, capacity, a couple's constraint, the country cap, ...) is refused with
    422 naming the rule and records, unless `override_reason` says why it is right
    (recorded in the audit trail). The answer reports the objective change. Needs
    `If-Match` with the round's ETag; 409 while a run is queued or running.
    """
    written = adjustments.change_placement(
        session=session,
        caller=caller,
        round_id=round_id,
        participant_id=participant_id,
        change=change,
        if_match=if_match,
    )
    return with_headers(response, written)


@router.get(
    "/forbidden",
    response_model=Page[ForbiddenItem],
    responses={
        **documented(200, "A page of the forbidden pairs."),
        **responses(401, 403, 404, 422),
    },
)
def list_forbidden(
    round_id: RoundPath,
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    response: Response,
    participant: ExternalIdQuery = None,
    opening: ExternalIdQuery = None,
) -> Page[ForbiddenItem]:
    """List the round's forbidden pairs.

    Oldest first, filtered by participant or opening. The `ETag` is the round's: send it
    as `If-Match` to allow a pair again (`DELETE .../forbidden/{participant}/{opening}`).
    """
    written = forbidden.list_forbidden(
        session=session,
        caller=caller,
        round_id=round_id,
        participant=participant,
        opening=opening,
        page=page,
    )
    return with_headers(response, written)


@router.post(
    "/forbidden",
    response_model=ForbiddenPublic,
    status_code=201,
    responses={
        **documented(201, "Forbidden; the round's new ETag."),
        **responses(400, 401, 403, 404, 409, 412, 422, 428),
    },
)
def forbid_pair(
    round_id: RoundPath,
    pair: ForbiddenCreate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> ForbiddenPublic:
    """Forbid a pair: no run of the round will use it.

    If the participant is placed there now, they are unassigned (`unassigned: true`);
    a pinned placement must be unpinned first (409). Needs `If-Match`.
    """
    written = forbidden.forbid_pair(
        session=session, caller=caller, round_id=round_id, pair=pair, if_match=if_match
    )
    return with_headers(response, written)


@router.delete(
    "/forbidden/{participant_id}/{opening_id}",
    status_code=204,
    response_class=Response,
    responses={
        204: {
            "description": "Allowed again; the round's new ETag.",
            "headers": documented(204, "")[204]["headers"],
        },
        **responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def allow_pair(
    round_id: RoundPath,
    participant_id: ExternalIdPath,
    opening_id: ExternalIdPath,
    session: SessionDep,
    caller: Writer,
    if_match: IfMatch = None,
) -> Response:
    """Allow a forbidden pair again. Needs `If-Match`."""
    etag = forbidden.allow_pair(
        session=session,
        caller=caller,
        round_id=round_id,
        participant_id=participant_id,
        opening_id=opening_id,
        if_match=if_match,
    )
    return Response(status_code=204, headers={"ETag": etag})
