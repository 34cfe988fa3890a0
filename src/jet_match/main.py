"""The FastAPI application: `create_app(settings)` wires settings, database, routes, errors.

Run it with `jet-match serve` (which migrates the database first) or
`uvicorn --factory jet_match.main:create_app`.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine

from jet_match import __version__, web
from jet_match.api import problems
from jet_match.api.metrics import HttpMetrics, RequestMetrics
from jet_match.api.middleware import BodyLimit, RequestContext, SecurityHeaders
from jet_match.api.routes import api_router, metrics_router
from jet_match.api.throttle import AuthFailureLimiter
from jet_match.config import Settings, get_settings
from jet_match.db import make_engine
from jet_match.logging_setup import configure_logging
from jet_match.process_memory import keep_freed_memory
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.web import api_docs

API_PREFIX = "/api/v1"

DESCRIPTION = """
Placement matching for the JET Programme: organizations, openings and participants,
imports and exports, matching rounds (background runs, the plan and its adjustments,
review aids, publication, withdrawals and alternates), API keys and the audit trail.

* **Keys**: every call except the `/api/v1/health` checks needs `Authorization: Bearer <key>`.
  Roles: `coordinator` (everything), `host_org` (its own organization and openings, and
  the placements published to them), `career_fair` (published results).
* **Records** travel exactly as in a dataset (`jet-match/dataset@1`), addressed by
  `external_id`.
* **Safe writes**: single records carry an `ETag`; PATCH and DELETE need `If-Match`
  (428 without, 412 if stale). POST creates accept an `Idempotency-Key`.
* **Errors** are `application/problem+json` (RFC 9457) with an `errors` list naming the
  record and field.
* **Lists** are paginated by cursor: pass `next_cursor` back as `cursor`.

The integrator's guide with runnable examples is docs/api.md; the coordinator's guide to
matching rounds is docs/rounds.md.
"""

TAGS = [
    {
        "name": "health",
        "description": "Liveness, readiness (database, migrations, workers, queue, events) "
        "and Prometheus metrics.",
    },
    {"name": "organizations", "description": "Contracting Organizations."},
    {"name": "openings", "description": "Positions organizations offer; cancel, never delete."},
    {"name": "participants", "description": "Applicants. Personal data: reads are audited."},
    {"name": "imports", "description": "Whole datasets or CSV/XLSX sheets, all-or-nothing."},
    {"name": "exports", "description": "The dataset, or CSV/XLSX sheets."},
    {"name": "api-keys", "description": "Bearer keys and their roles."},
    {"name": "audit", "description": "Who did what, when."},
    {"name": "rounds", "description": "Matching rounds, their policy and lifecycle."},
    {"name": "runs", "description": "Solves in the background: start, follow, cancel."},
    {"name": "plan", "description": "A round's working plan: read, move, pin, forbid."},
    {"name": "review", "description": "Explanations, candidates, comparisons, the report."},
    {"name": "publication", "description": "Published versions; host and career-fair reads."},
    {"name": "withdrawals", "description": "Withdrawals, vacancies and alternates."},
    {"name": "offers", "description": "Vacancies offered to alternates: accept, decline, expiry."},
    {"name": "season", "description": "Arrival rosters and bilingual placement notices."},
]


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """A configured application; `engine` defaults to one made from the settings."""
    settings = settings or get_settings()
    configure_logging(settings)
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.keep_freed_memory:
            keep_freed_memory()  # a read after a pause reuses it (process_memory)
        if settings.gc_freeze:
            # The modules, the app and its routes are hundreds of thousands of long-lived
            # objects that every full collection would walk again (about 60 ms a time, a
            # stall of every request in flight); frozen, they are skipped. Only what is
            # alive now is frozen: later garbage is still collected.
            gc.collect()
            gc.freeze()
        # Reads answer while another request computes (an import, a report): each of the
        # many times a read needs the interpreter, it waits at most this long for it.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(settings.switch_interval_ms / 1000)
        # A full collection walks everything the process keeps (a round's prepared
        # problem, the record cache): rarer ones keep reads level on both databases.
        thresholds = gc.get_threshold()
        gc.set_threshold(*thresholds[:2], settings.gc_full_collection_threshold)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            sys.setswitchinterval(switch_interval)
            engine.dispose()

    app = FastAPI(
        title="jet-match",
        version=__version__,
        summary="Placement matching for the JET Programme.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served with local assets below (web/api_docs.py)
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.prepared_problems = PreparedProblems(limit=settings.review_cache_rounds)
    app.state.debug = settings.debug
    problems.install(app)
    app.state.metrics = HttpMetrics()
    app.state.auth_failures = AuthFailureLimiter(settings.auth_failure_limit, engine)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production")
    app.add_middleware(RequestContext)
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(metrics_router)
    web.install(app)  # the workspace under /app (docs/workspace.md)
    if settings.docs_enabled:
        api_docs.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = problems.use_problem_media_type(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
