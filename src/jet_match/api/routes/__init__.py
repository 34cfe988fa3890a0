"""One router per resource; `api_router` mounts them all under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from jet_match.api.deps import reject_unknown_query_parameters, strict_request
from jet_match.api.routes import (
    api_keys,
    arrivals,
    audit,
    careerfair,
    contracts,
    demand,
    development,
    events,
    exports,
    health,
    imports,
    metrics,
    notices,
    offers,
    openings,
    organizations,
    participants,
    plans,
    programme_years,
    prospects,
    publications,
    review,
    rounds,
    runs,
    sessions,
    webhooks,
    withdrawals,
)

api_router = APIRouter(
    dependencies=[Depends(strict_request), Depends(reject_unknown_query_parameters)]
)
for module in (
    health,
    organizations,
    openings,
    participants,
    imports,
    exports,
    api_keys,
    sessions,
    audit,
    rounds,
    runs,
    plans,
    review,
    publications,
    withdrawals,
    contracts,
    programme_years,
    demand,
    webhooks,
    events,
    offers,
    arrivals,
    notices,
    development,
    prospects,
    careerfair,
):
    api_router.include_router(module.router)

#: `/metrics` sits beside /api/v1, where scrapers look for it.
metrics_router = APIRouter(
    dependencies=[Depends(strict_request), Depends(reject_unknown_query_parameters)]
)
metrics_router.include_router(metrics.router)
