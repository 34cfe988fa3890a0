"""Health for load balancers, orchestrators and monitors (no key needed).

`/health/live`: the process answers. `/health/ready`: the deployment can do its work
(database, migrations, a worker, the queue, the event outbox); the reasons for
coordinators only. `/health`: the database answers (kept for existing monitors).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jet_match import __version__
from jet_match.api.deps import OptionalCallerDep, SessionDep, SettingsDep
from jet_match.schemas.health import Health, Liveness, Readiness
from jet_match.services.operations import health as health_service

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
    body = health_service.database_health(session=session)
    status_code = 200 if body.status == "ok" else 503
    return JSONResponse(body.model_dump(), status_code=status_code)


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    """Liveness: the process answers (restart it if not). Needs no API key."""
    return Liveness(version=__version__)


@router.get(
    "/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready (see `checks`)."}},
    # The key is optional: anyone may ask; a coordinator's key adds the reasons.
    openapi_extra={"security": [{}]},
)
def ready(session: SessionDep, settings: SettingsDep, caller: OptionalCallerDep) -> JSONResponse:
    """Readiness: database, migrations, a live worker, the queue and the event outbox.

    200 when ready, 503 otherwise. Needs no API key; a coordinator's key adds `checks`.
    """
    body = health_service.readiness(session=session, caller=caller, settings=settings)
    status_code = 200 if body.status == "ready" else 503
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status_code)
