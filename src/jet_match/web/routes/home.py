"""The home page: a coordinator's rounds at a glance; a host user's organization."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

from jet_match.api.deps import SessionDep
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.records import organizations
from jet_match.services.rounds import rounds, runs
from jet_match.statuses import Role
from jet_match.web.pages import APP_PREFIX, SignedInPage

router = APIRouter()

#: A section runs a handful of rounds a year; the home page shows the latest ones.
ROUNDS_SHOWN = 50


@router.get("", include_in_schema=False)
def app_root() -> RedirectResponse:
    """/app goes to /app/."""
    return RedirectResponse(f"{APP_PREFIX}/", status_code=308)


@router.get("/", response_class=HTMLResponse)
def home(page: SignedInPage, session: SessionDep) -> HTMLResponse:
    """Rounds with status, latest run and key figures; for a host, its organization."""
    caller = page.caller
    assert page.account is not None
    if caller.role is Role.HOST_ORG:
        organization = organizations.get_organization(
            session=session, caller=caller, external_id=str(page.account.user.organization)
        ).resource
        return page.render("home_host.html", organization=organization)
    items = []
    if page.allows(Action.ROUNDS_READ):
        listed = rounds.list_rounds(
            session=session, caller=caller, page=PageRequest(None, ROUNDS_SHOWN)
        )
        for row in listed.items:
            latest = runs.list_runs(
                session=session, caller=caller, round_id=row.external_id, page=PageRequest(None, 1)
            ).items
            items.append((row, latest[0] if latest else None))
    return page.render("home.html", rounds=items)
