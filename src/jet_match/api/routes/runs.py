"""Runs: solves in the background. Start (202 + Location), follow, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from jet_match.api.deps import (
    IdempotencyDep,
    PageDep,
    RoundPath,
    RunPath,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.runs import RunCreate, RunPublic
from jet_match.services.kit.access import Action, Caller
from jet_match.services.rounds import runs

router = APIRouter(tags=["runs"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.ROUNDS_WRITE))]

LOCATION = {
    "Location": {"description": "The run: /api/v1/runs/{id}.", "schema": {"type": "string"}}
}


@router.post(
    "/rounds/{round_id}/runs",
    response_model=RunPublic,
    status_code=202,
    responses={
        202: {"description": "Queued; follow it at Location.", "headers": LOCATION},
        **responses(400, 401, 403, 404, 409, 422),
    },
)
def start_run(
    round_id: RoundPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
    options: Annotated[RunCreate | None, Body()] = None,
) -> RunPublic:
    """Start a run of the round.

    Answers 202 at once with the queued run and its `Location`; a worker process solves
    it with the round's time limit. Pins and forbidden pairs are kept; with
    `minimise_disruption` (default) the current plan is the previous plan, so a re-solve
    moves only those who must move. 409 while another run of the round is queued or
    running, or when the round is closed.
    """
    written = runs.start_run(
        session=session,
        caller=caller,
        round_id=round_id,
        options=options or RunCreate(),
        idempotency=idempotency,
    )
    return with_headers(response, written, f"/api/v1/runs/{written.resource.id}")


@router.get(
    "/rounds/{round_id}/runs",
    response_model=Page[RunPublic],
    responses=responses(401, 403, 404, 422),
)
def list_runs(
    round_id: RoundPath, session: SessionDep, caller: Reader, page: PageDep
) -> Page[RunPublic]:
    """List a round's runs, newest first."""
    return runs.list_runs(session=session, caller=caller, round_id=round_id, page=page)


@router.get("/runs/{run_id}", response_model=RunPublic, responses=responses(401, 403, 404, 422))
def get_run(run_id: RunPath, session: SessionDep, caller: Reader) -> RunPublic:
    """Read a run: status, progress and, when done, the outcome.

    `status`: queued, running, succeeded (its plan is the round's working plan), failed
    (infeasible, timeout or error: see `error` and `outcome.conflicts`), cancelled, or
    interrupted (its worker died; nothing was written). `progress` gives the elapsed
    time, the best objective so far, the proven bound and the gap.
    """
    return runs.get_run(session=session, caller=caller, run_id=run_id)


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunPublic,
    responses={
        200: {"description": "Cancelled (it was still queued)."},
        202: {"description": "Cancellation asked: the worker stops the solver within seconds."},
        **responses(401, 403, 404, 409, 422),
    },
)
def cancel_run(
    run_id: RunPath, session: SessionDep, caller: Writer, response: Response
) -> RunPublic:
    """Cancel a run.

    A queued run is cancelled at once (200). A running one is stopped by its worker,
    which kills the solver; the run ends `cancelled` and writes no plan (202). 409 if
    the run has finished.
    """
    written = runs.cancel_run(session=session, caller=caller, run_id=run_id)
    return with_headers(response, written)
