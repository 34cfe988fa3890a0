"""The workspace for people under /app: server-rendered pages beside the JSON API.

`install(app)` mounts the pages (`routes/`, one module per page area), their static files
(`/app/static`) and the HTML error pages. How a page is built is in docs/workspace.md.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from jet_match.web import errors
from jet_match.web.pages import APP_PREFIX, verify_csrf
from jet_match.web.routes import (
    audit,
    auth,
    development,
    home,
    notifications,
    organizations,
    placement,
    round_bulk,
    round_compare,
    round_opening,
    round_plan,
    rounds,
    users,
)

STATIC_DIR = Path(__file__).parent / "static"
ROUTE_MODULES = (
    auth,
    home,
    users,
    audit,
    organizations,
    rounds,
    round_plan,
    round_compare,
    placement,
    round_opening,
    notifications,
    round_bulk,
    development,
)


def install(app: FastAPI) -> None:
    """Serve the workspace: pages under /app (CSRF checked on every POST), static files."""
    app.mount(f"{APP_PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="app-static")
    for module in ROUTE_MODULES:
        app.include_router(
            module.router,
            prefix=APP_PREFIX,
            include_in_schema=False,
            dependencies=[Depends(verify_csrf)],
        )
    errors.install(app)
