"""Matching rounds (coordinators): create, list, read, change, close."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from jet_match.api.deps import IdempotencyDep, IfMatch, PageDep, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.rounds import RoundCreate, RoundPublic, RoundUpdate
from jet_match.services.kit.access import Action, Caller
from jet_match.services.rounds import rounds

router = APIRouter(prefix="/rounds", tags=["rounds"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.ROUNDS_WRITE))]


@router.post(
    "",
    response_model=RoundPublic,
    status_code=201,
    responses={**documented(201, "Created, in draft."), **responses(400, 401, 403, 409, 422)},
)
def create_round(
    round_in: RoundCreate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
) -> RoundPublic:
    """Create a round.

    Name, programme year, positions in scope and policy (weights including `disruption`,
    country cap, time limit, seed). The round starts in `draft`. Send an
    `Idempotency-Key` to make retries safe.
    """
    written = rounds.create_round(
        session=session, caller=caller, round_in=round_in, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/rounds/{written.resource.external_id}")


@router.get("", response_model=Page[RoundPublic], responses=responses(401, 403, 422))
def list_rounds(session: SessionDep, caller: Reader, page: PageDep) -> Page[RoundPublic]:
    """List rounds, ordered by external_id."""
    return rounds.list_rounds(session=session, caller=caller, page=page)


@router.get(
    "/{round_id}",
    response_model=RoundPublic,
    responses={**documented(200, "The round."), **responses(401, 403, 404, 422)},
)
def get_round(
    round_id: RoundPath, session: SessionDep, caller: Reader, response: Response
) -> RoundPublic:
    """Read a round.

    Its `ETag` is also the ETag of its plan: every change to the round or its plan
    changes it. Send it as `If-Match` with plan changes and publication.
    """
    written = rounds.get_round(session=session, caller=caller, external_id=round_id)
    return with_headers(response, written)


@router.patch(
    "/{round_id}",
    response_model=RoundPublic,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 409, 412, 422, 428)},
)
def update_round(
    round_id: RoundPath,
    changes: RoundUpdate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> RoundPublic:
    """Change a round's name or policy (positions only while in draft).

    Needs `If-Match`. Refused (409) while a run is queued or running, or once closed.
    The next run uses the new policy.
    """
    written = rounds.update_round(
        session=session, caller=caller, external_id=round_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)


@router.post(
    "/{round_id}/close",
    response_model=RoundPublic,
    responses={**documented(200, "Closed."), **responses(401, 403, 404, 409, 412, 422, 428)},
)
def close_round(
    round_id: RoundPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> RoundPublic:
    """Close a round: its plan and publications become read-only. Needs `If-Match`."""
    written = rounds.close_round(
        session=session, caller=caller, external_id=round_id, if_match=if_match
    )
    return with_headers(response, written)
