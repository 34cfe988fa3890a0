"""The home page: a coordinator's rounds at a glance; a host user's organization."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from jet_match.api.deps import SessionDep
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, InvalidInput
from jet_match.schemas.rounds import RoundCreate
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.records import organizations
from jet_match.services.rounds import rounds, runs
from jet_match.statuses import Role
from jet_match.web.forms import refusal_messages
from jet_match.web.pages import APP_PREFIX, Page, SignedInPage, page_for

router = APIRouter()

#: A section runs a handful of rounds a year; the home page shows the latest ones.
ROUNDS_SHOWN = 50


@router.get("", include_in_schema=False)
def app_root() -> RedirectResponse:
    """/app goes to /app/."""
    return RedirectResponse(f"{APP_PREFIX}/", status_code=308)


RoundWriter = Annotated[Page, Depends(page_for(Action.ROUNDS_WRITE))]


@router.get("/", response_class=HTMLResponse)
def home(page: SignedInPage, session: SessionDep) -> HTMLResponse:
    """Rounds with status, latest run and key figures; for a host, its organization."""
    return _home(page, session)


def _home(
    page: Page,
    session: SessionDep,
    *,
    new_round: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
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
    blank = {
        "external_id": "",
        "name": "",
        "programme_year": datetime.now(UTC).year + 1,
        "positions": [position.value for position in fmt.Position],
    }
    return page.render(
        "home.html",
        rounds=items,
        new_round=new_round or blank,
        positions=[position.value for position in fmt.Position],
        errors=errors or {},
        status_code=status_code,
    )


@router.post("/rounds", response_class=HTMLResponse)
async def create_round(request: Request, page: RoundWriter, session: SessionDep) -> Response:
    """Create a round (draft) and go to its page, where a run is started."""
    form = await request.form()
    values: dict[str, Any] = {
        "external_id": str(form.get("external_id", "")).strip(),
        "name": str(form.get("name", "")).strip(),
        "programme_year": str(form.get("programme_year", "")).strip(),
        "positions": [str(value) for value in form.getlist("positions")],
    }
    try:
        round_in = RoundCreate.model_validate(values)
        rounds.create_round(session=session, caller=page.caller, round_in=round_in)
    except (ValidationError, InvalidInput, AlreadyExists) as refused:
        return _home(
            page,
            session,
            new_round=values,
            errors=refusal_messages(page.t, refused, default_field="external_id"),
            status_code=422,
        )
    return page.redirect(f"{APP_PREFIX}/rounds/{round_in.external_id}")
