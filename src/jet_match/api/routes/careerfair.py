"""The career fair: fairs and the employers taking part (coordinators write; career-fair
tools read)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import (
    ExternalIdPath,
    IdempotencyDep,
    IfMatch,
    PageDep,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.careerfair import (
    ConsentGiven,
    ConsentPublic,
    EmployerCreate,
    EmployerPublic,
    FairCreate,
    FairPublic,
    FairUpdate,
    RegistrationCreate,
    RegistrationPublic,
    Roster,
    RosterChanges,
)
from jet_match.schemas.common import Page
from jet_match.services.careerfair import fairs, roster
from jet_match.services.kit import spreadsheets
from jet_match.services.kit.access import Action, Caller

router = APIRouter(tags=["career fair"])

FairReader = Annotated[Caller, Depends(allowed(Action.FAIRS_READ))]
FairWriter = Annotated[Caller, Depends(allowed(Action.FAIRS_WRITE))]


@router.get("/fairs", response_model=Page[FairPublic], responses=responses(401, 403, 422))
def list_fairs(session: SessionDep, caller: FairReader, page: PageDep) -> Page[FairPublic]:
    """List career fairs, ordered by external_id."""
    return fairs.list_fairs(session=session, caller=caller, page=page)


@router.post(
    "/fairs",
    response_model=FairPublic,
    status_code=201,
    responses={**documented(201, "Created."), **responses(401, 403, 409, 422)},
)
def create_fair(
    fair: FairCreate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    idempotency: IdempotencyDep,
) -> FairPublic:
    """Create a career fair (coordinators).

    Name, date, venue (or online) and capacity. Send an `Idempotency-Key` to make
    retries safe.
    """
    written = fairs.create_fair(
        session=session, caller=caller, fair_in=fair, idempotency=idempotency
    )
    return with_headers(response, written, f"/api/v1/fairs/{fair.external_id}")


@router.get(
    "/fairs/{fair_id}",
    response_model=FairPublic,
    responses={**documented(200, "The fair."), **responses(401, 403, 404, 422)},
)
def get_fair(
    fair_id: ExternalIdPath, session: SessionDep, caller: FairReader, response: Response
) -> FairPublic:
    """Read a career fair."""
    written = fairs.get_fair(session=session, caller=caller, external_id=fair_id)
    return with_headers(response, written)


@router.patch(
    "/fairs/{fair_id}",
    response_model=FairPublic,
    responses={**documented(200, "Updated."), **responses(401, 403, 404, 412, 422, 428)},
)
def update_fair(
    fair_id: ExternalIdPath,
    changes: FairUpdate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    if_match: IfMatch = None,
) -> FairPublic:
    """Change a career fair (coordinators).

    Send only the fields to change, and `If-Match` with the ETag you read.
    """
    written = fairs.update_fair(
        session=session, caller=caller, external_id=fair_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)


@router.get(
    "/fairs/{fair_id}/employers",
    response_model=Page[EmployerPublic],
    responses=responses(401, 403, 404, 422),
)
def list_employers(
    fair_id: ExternalIdPath, session: SessionDep, caller: FairReader, page: PageDep
) -> Page[EmployerPublic]:
    """The employers taking part in a fair, ordered by external_id."""
    return fairs.list_employers(session=session, caller=caller, fair_id=fair_id, page=page)


@router.post(
    "/fairs/{fair_id}/employers",
    response_model=EmployerPublic,
    status_code=201,
    responses={**documented(201, "Added.", etag=False), **responses(401, 403, 404, 409, 422)},
)
def add_employer(
    fair_id: ExternalIdPath,
    employer: EmployerCreate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
    idempotency: IdempotencyDep,
) -> EmployerPublic:
    """Add an employer to a fair (coordinators): company, sector and its contact.

    Send an `Idempotency-Key` to make retries safe.
    """
    written = fairs.add_employer(
        session=session,
        caller=caller,
        fair_id=fair_id,
        employer_in=employer,
        idempotency=idempotency,
    )
    return with_headers(response, written)


class HeadingLanguage(StrEnum):
    """The language of a sheet's column headings for people."""

    EN = "en"
    JA = "ja"


class RosterFormat(StrEnum):
    """How a roster is answered."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


_ROSTER_MEDIA = {
    RosterFormat.CSV: spreadsheets.CSV_MEDIA_TYPE + "; charset=utf-8",
    RosterFormat.XLSX: spreadsheets.XLSX_MEDIA_TYPE,
}


@router.get(
    "/consents/{contract_id}",
    response_model=ConsentPublic,
    responses={**documented(200, "The consent."), **responses(401, 403, 404, 422)},
)
def get_consent(
    contract_id: ExternalIdPath, session: SessionDep, caller: FairWriter, response: Response
) -> ConsentPublic:
    """Read a leaving JET's career-fair consent (coordinators); 404 if none was given."""
    written = roster.get_consent(session=session, caller=caller, contract_id=contract_id)
    return with_headers(response, written)


@router.put(
    "/consents/{contract_id}",
    response_model=ConsentPublic,
    responses={
        **documented(200, "Renewed."),
        **documented(201, "Recorded."),
        **responses(401, 403, 404, 422),
    },
)
def give_consent(
    contract_id: ExternalIdPath,
    consent: ConsentGiven,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
) -> ConsentPublic:
    """Record a leaving JET's consent to be shown at career fairs (coordinators).

    Its date, scope (`all_fairs`, or `named_fairs` with their ids) and the month the
    person is available. Giving it again renews it (and undoes a withdrawal). Only a
    contract whose intention is `leaving` (422 otherwise). Audited.
    """
    written = roster.give_consent(
        session=session, caller=caller, contract_id=contract_id, consent=consent
    )
    return with_headers(response, written)


@router.delete(
    "/consents/{contract_id}",
    response_model=ConsentPublic,
    responses={**documented(200, "Withdrawn."), **responses(401, 403, 404, 422)},
)
def withdraw_consent(
    contract_id: ExternalIdPath, session: SessionDep, caller: FairWriter, response: Response
) -> ConsentPublic:
    """Withdraw a consent, at any time (coordinators).

    The person is gone from every roster at once, and every later roster sync reports
    them removed. Idempotent; audited.
    """
    written = roster.withdraw_consent(session=session, caller=caller, contract_id=contract_id)
    return with_headers(response, written)


@router.post(
    "/fairs/{fair_id}/registrations",
    response_model=RegistrationPublic,
    status_code=201,
    responses={
        **documented(201, "Registered.", etag=False),
        **documented(200, "Registered already.", etag=False),
        **responses(401, 403, 404, 422),
    },
)
def register(
    fair_id: ExternalIdPath,
    registration: RegistrationCreate,
    session: SessionDep,
    caller: FairWriter,
    response: Response,
) -> RegistrationPublic:
    """Register a leaving JET who consented to a fair (coordinators).

    422 naming `contract` if the contract is not leaving in the fair's year or has no
    consent covering the fair. Registering twice changes nothing (200).
    """
    written = roster.register(
        session=session, caller=caller, fair_id=fair_id, registration=registration
    )
    return with_headers(response, written)


@router.delete(
    "/fairs/{fair_id}/registrations/{contract_id}",
    response_model=RegistrationPublic,
    responses=responses(401, 403, 404, 422),
)
def cancel_registration(
    fair_id: ExternalIdPath, contract_id: ExternalIdPath, session: SessionDep, caller: FairWriter
) -> RegistrationPublic:
    """Take a person off a fair (coordinators).

    Gone from the fair's roster at once; the next roster sync reports them removed.
    Registering them again brings them back. Idempotent; audited.
    """
    return roster.cancel_registration(
        session=session, caller=caller, fair_id=fair_id, contract_id=contract_id
    )


@router.get(
    "/fairs/{fair_id}/roster",
    response_model=Roster,
    responses={
        200: {
            "description": "The roster: JSON, or a CSV/XLSX attachment (the same fields).",
            "content": {
                spreadsheets.CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                spreadsheets.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **responses(401, 403, 404, 422),
    },
)
def fair_roster(
    fair_id: ExternalIdPath,
    session: SessionDep,
    caller: FairReader,
    format: Annotated[RosterFormat, Query(description="json, csv or xlsx.")] = RosterFormat.JSON,
    language: Annotated[
        HeadingLanguage | None,
        Query(description="CSV/XLSX for people: column headings in en or ja (default: names)."),
    ] = None,
) -> Roster | Response:
    """The fair's roster for employers.

    Consenting leaving JETs registered to the fair, with their name, position,
    prefecture served, years in the programme, Japanese level, field of study and month
    available: nothing else, in every format. `language=ja|en` heads a CSV/XLSX for
    people in that language (the same columns). Audited.
    """
    if format is RosterFormat.JSON:
        return roster.roster(session=session, caller=caller, fair_id=fair_id)
    content = roster.roster_sheet(
        session=session,
        caller=caller,
        fair_id=fair_id,
        sheet_format=format.value,
        language=language.value if language else None,
    )
    return Response(
        content,
        media_type=_ROSTER_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{fair_id}-roster.{format.value}"'},
    )


@router.get(
    "/fairs/{fair_id}/roster/changes",
    response_model=RosterChanges,
    responses=responses(401, 403, 404, 422),
)
def fair_roster_changes(
    fair_id: ExternalIdPath,
    session: SessionDep,
    caller: FairReader,
    updated_since: Annotated[
        datetime | None,
        Query(description="The `as_of` of your last sync (ISO 8601 with a time zone)."),
    ] = None,
) -> RosterChanges:
    """What changed on the roster since your last sync.

    Entries added, changed and removed (consent withdrawn, no longer leaving) since
    `updated_since`, each added or changed one with an opaque `entry` reference; without
    `updated_since`, everyone as added. Keep `as_of` for the next call. Audited.
    """
    return roster.roster_changes(
        session=session, caller=caller, fair_id=fair_id, updated_since=updated_since
    )
