"""Liveness and database reachability, for load balancers and monitors (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from jet_match import __version__
from jet_match.api.deps import SessionDep
from jet_match.schemas.health import Health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer."}},
)
def health(session: SessionDep) -> JSONResponse:
    """Service health.

    Answers 200 when the service runs and its database answers a query, 503 otherwise.
    Needs no API key.
    """
    try:
        session.execute(text("SELECT 1"))
        database, status_code = "ok", 200
    except SQLAlchemyError:
        database, status_code = "unreachable", 503
    body = Health(
        status="ok" if status_code == 200 else "degraded", database=database, version=__version__
    )
    return JSONResponse(body.model_dump(), status_code=status_code)
