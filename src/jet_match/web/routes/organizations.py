"""An organization's page: for its host users their home. Openings (create, edit, cancel,
each form carrying the version it was opened on) and the placements published to them,
downloadable as CSV or XLSX. A host user asking for another organization gets the 404
the services answer, exactly like the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from jet_match.api.deps import EXTERNAL_ID_PATTERN, SessionDep
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, InvalidInput, NotFound, PreconditionFailed
from jet_match.schemas.publications import HostPlacement
from jet_match.schemas.records import OpeningUpdate
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.records import openings, organizations
from jet_match.services.rounds import publications
from jet_match.web import labels
from jet_match.web.forms import (
    STALE,
    if_match,
    refusal_messages,
    version_of,
)
from jet_match.web.pages import APP_PREFIX, Page, page_for

router = APIRouter(prefix="/organizations/{organization}")

Reader = Annotated[Page, Depends(page_for(Action.ORGANIZATIONS_READ))]
Writer = Annotated[Page, Depends(page_for(Action.OPENINGS_WRITE))]
PlacementReader = Annotated[Page, Depends(page_for(Action.PLACEMENTS_READ))]
OrganizationPath = Annotated[str, Path(max_length=64, pattern=EXTERNAL_ID_PATTERN)]
OpeningPath = Annotated[str, Path(max_length=64, pattern=EXTERNAL_ID_PATTERN)]

OPENINGS_PER_PAGE = 100
#: Columns of the placements download: a host's view (no contact or special-care fields).
PLACEMENT_COLUMNS = tuple(HostPlacement.model_fields)


def _options(page: Page) -> dict[str, list[tuple[str, str]]]:
    """The choices of the opening form, named in the user's language."""
    _ = page.t.gettext
    return {
        "positions": [(p.value, _(labels.position_names[p.value])) for p in fmt.Position],
        "school_levels": [
            (level.value, _(labels.school_level_names[level.value])) for level in fmt.SchoolLevel
        ],
        "japanese_levels": [
            (level.value, _(labels.japanese_level_names[level.value]))
            for level in fmt.JapaneseLevel
        ],
    }


def _url(organization: str, *parts: str) -> str:
    return "/".join((f"{APP_PREFIX}/organizations/{organization}", *parts))


@router.get("", response_class=HTMLResponse)
def organization_page(
    page: Reader,
    session: SessionDep,
    organization: OrganizationPath,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The organization, its openings and the placements published to them."""
    record = organizations.get_organization(
        session=session, caller=page.caller, external_id=organization
    ).resource
    listed = openings.list_openings(
        session=session,
        caller=page.caller,
        filters=openings.OpeningFilter(organization=organization),
        page=PageRequest(cursor, OPENINGS_PER_PAGE),
    )
    placements = (
        _placements(page, session, organization) if page.allows(Action.PLACEMENTS_READ) else []
    )
    return page.render(
        "organization.html",
        organization=record,
        openings=listed,
        placements=placements,
        can_edit=page.allows(Action.OPENINGS_WRITE),
    )


def _placements(page: Page, session: SessionDep, organization: str) -> list[HostPlacement]:
    """Every placement published to the organization (tens at most: one page each time)."""
    items: list[HostPlacement] = []
    cursor = None
    while True:
        found = publications.organization_placements(
            session=session,
            caller=page.caller,
            organization_id=organization,
            page=PageRequest(cursor, 500),
        )
        items.extend(found.items)
        if found.next_cursor is None:
            return items
        cursor = found.next_cursor


@router.get("/placements.{extension}")
def download_placements(
    page: PlacementReader,
    session: SessionDep,
    organization: OrganizationPath,
    extension: Annotated[str, Path(pattern="^(csv|xlsx)$")],
) -> Response:
    """The published placements as a CSV or XLSX sheet."""
    rows = [item.model_dump(mode="json") for item in _placements(page, session, organization)]
    name = f"placements-{organization}.{extension}"
    if extension == "csv":
        body = sheet_writing.write_table_csv(PLACEMENT_COLUMNS, rows)
        media = "text/csv; charset=utf-8"
    else:
        body = sheet_writing.write_tables_xlsx({"placements": (PLACEMENT_COLUMNS, rows)})
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _form_values(form: Any) -> dict[str, Any]:
    """An opening's fields from a submitted form (checkboxes: present or not); a field
    left empty is absent, so a new opening takes its default and an edit keeps its value."""
    countries = str(form.get("requested_countries", "")).replace(",", " ").upper().split()
    values = {
        "position": form.get("position") or None,
        "slots": form.get("slots") or None,
        "school_level": form.get("school_level") or None,
        "min_japanese_level": form.get("min_japanese_level") or None,
        "driving_required": form.get("driving_required") == "on",
        "requested_countries": countries,
        "country_required": form.get("country_required") == "on",
        "prefers_experience": form.get("prefers_experience") == "on",
    }
    return {name: value for name, value in values.items() if value is not None}


def _opening_form(
    page: Page,
    organization: str,
    *,
    opening: dict[str, Any],
    version: str = "",
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    return page.render(
        "opening_form.html",
        status_code=status_code,
        organization=organization,
        opening=opening,
        version=version,
        errors=errors or {},
        notice=notice,
        options=_options(page),
    )


@router.get("/openings/new", response_class=HTMLResponse)
def new_opening(page: Writer, session: SessionDep, organization: OrganizationPath) -> HTMLResponse:
    """An empty opening form."""
    organizations.get_organization(session=session, caller=page.caller, external_id=organization)
    blank = {"external_id": "", "position": "ALT", "slots": 1, "school_level": "junior_high"}
    return _opening_form(page, organization, opening=blank)


@router.post("/openings/new", response_class=HTMLResponse)
async def create_opening(
    request: Request, page: Writer, session: SessionDep, organization: OrganizationPath
) -> Response:
    """Post an opening for this organization."""
    organizations.get_organization(session=session, caller=page.caller, external_id=organization)
    form = await request.form()
    values = {
        "external_id": str(form.get("external_id", "")).strip(),
        "organization": organization,
        **_form_values(form),
    }
    try:
        opening = fmt.Opening.model_validate(values)
        openings.create_opening(session=session, caller=page.caller, opening_in=opening)
    except (ValidationError, InvalidInput, AlreadyExists) as refused:
        return _opening_form(
            page,
            organization,
            opening=values,
            status_code=422,
            errors=refusal_messages(page.t, refused, default_field="external_id"),
        )
    return page.redirect(_url(organization))


def _current(page: Page, session: SessionDep, organization: str, opening: str) -> Any:
    """The opening, if it belongs to this organization and the caller may see it."""
    written = openings.get_opening(session=session, caller=page.caller, external_id=opening)
    if written.resource.organization != organization:
        raise NotFound(f"no opening '{opening}'")
    return written


@router.get("/openings/{opening}", response_class=HTMLResponse)
def edit_opening(
    page: Writer, session: SessionDep, organization: OrganizationPath, opening: OpeningPath
) -> HTMLResponse:
    """The opening's form, carrying the version it shows."""
    written = _current(page, session, organization, opening)
    return _opening_form(
        page,
        organization,
        opening=written.resource.model_dump(mode="json"),
        version=version_of(written.etag),
    )


@router.post("/openings/{opening}", response_class=HTMLResponse)
async def update_opening(
    request: Request,
    page: Writer,
    session: SessionDep,
    organization: OrganizationPath,
    opening: OpeningPath,
) -> Response:
    """Save the form; refused with the current state if it changed since it was opened."""
    form = await request.form()
    values = _form_values(form)
    version = str(form.get("version", ""))
    current = _current(page, session, organization, opening)
    shown = {**current.resource.model_dump(mode="json"), **values}
    try:
        changes = OpeningUpdate.model_validate(values)
        openings.update_opening(
            session=session,
            caller=page.caller,
            external_id=opening,
            changes=changes,
            if_match=if_match(version),
        )
    except PreconditionFailed:
        return _stale(page, session, organization, opening)
    except (ValidationError, InvalidInput) as refused:
        return _opening_form(
            page,
            organization,
            opening=shown,
            version=version,
            status_code=422,
            errors=refusal_messages(page.t, refused),
        )
    return page.redirect(_url(organization))


def _stale(page: Page, session: SessionDep, organization: str, opening: str) -> HTMLResponse:
    """The form again with the current record and the 'changed since' notice (412)."""
    current = _current(page, session, organization, opening)
    return _opening_form(
        page,
        organization,
        opening=current.resource.model_dump(mode="json"),
        version=version_of(current.etag),
        status_code=412,
        notice=page.t.gettext(STALE),
    )


@router.post("/openings/{opening}/cancel", response_class=HTMLResponse)
async def cancel_opening(
    request: Request,
    page: Writer,
    session: SessionDep,
    organization: OrganizationPath,
    opening: OpeningPath,
) -> Response:
    """Cancel the opening (kept, with status cancelled)."""
    form = await request.form()
    _current(page, session, organization, opening)
    try:
        openings.cancel_opening(
            session=session,
            caller=page.caller,
            external_id=opening,
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        return _stale(page, session, organization, opening)
    return page.redirect(_url(organization))
