"""`/metrics` in the Prometheus text format, for a scraper or a coordinator."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jet_match.api.deps import MetricsReaderDep, SessionDep, SettingsDep
from jet_match.api.metrics import CONTENT_TYPE, exposition
from jet_match.services.operations import metrics

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format."}},
)
def read_metrics(
    request: Request, session: SessionDep, settings: SettingsDep, caller: MetricsReaderDep
) -> Response:
    """Prometheus metrics: requests, runs, the queue, workers, sign-ins, events.

    Needs `Authorization: Bearer <JET_MATCH_METRICS_TOKEN>` or a coordinator's key.
    """
    figures = metrics.figures(
        session=session, caller=caller, worker_max_age_s=settings.health_worker_max_age_s
    )
    return Response(exposition(request.app.state.metrics, figures), media_type=CONTENT_TYPE)
