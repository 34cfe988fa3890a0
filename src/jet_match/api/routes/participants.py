"""Participants: personal data, coordinators only; every read is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from jet_match.api.deps import ExternalIdPath, IdempotencyDep, IfMatch, PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.dataset import format as fmt
from jet_match.schemas.common import Page
from jet_match.schemas.personal_data import PersonalData
from jet_match.schemas.record_changes import ParticipantChanged
from jet_match.schemas.records import ParticipantUpdate
from jet_match.services.kit.access import Action, Caller
from jet_match.services.operations import personal_data
from jet_match.services.records import participants

router = APIRouter(prefix="/participants", tags=["participants"])

Reader = Annotated[Caller, Depends(allowed(Action.PARTICIPANTS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.PARTICIPANTS_WRITE))]

EXAMPLE = {
    "external_id": "ALT-2026-00042",
    "family_name": "Smith",
    "given_name": "Alex",
    "email": "alex.smith@example.org",
    "citizenship": "US",
    "home_region": "US-WA",
    "position": "ALT",
    "status": "shortlisted",
    "japanese_level": "N4",
    "teaching_experience_years": 2,
    "can_drive": True,
    "preferred_prefectures": [1, 4, 13],
    "area_preference": "rural",
    "school_level_preference": "junior_high",
    "needs_medical_access": False,
}


@router.get("", response_model=Page[fmt.Participant], responses=responses(401, 403, 422))
def list_participants(
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    position: fmt.Position | None = None,
    status: fmt.ParticipantStatus | None = None,
    citizenship: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country.")
    ] = None,
    preferred_prefecture: Annotated[
        int | None,
        Query(ge=1, le=47, description="JIS code: participants who listed this prefecture."),
    ] = None,
    japanese_level_at_least: Annotated[
        fmt.JapaneseLevel | None,
        Query(description="This JLPT level or above (none < N5 < N4 < N3 < N2 < N1)."),
    ] = None,
) -> Page[fmt.Participant]:
    """List participants (coordinators).

    Ordered by external_id, filtered by position, status, citizenship, a preferred
    prefecture and a minimum Japanese level (filters combine with AND). The read is
    recorded in the audit trail with the external_ids returned.
    """
    filters = participants.ParticipantFilter(
        position=position,
        status=status,
        citizenship=citizenship,
        preferred_prefecture=preferred_prefecture,
        japanese_level_at_least=japanese_level_at_least,
    )
    return participants.list_participants(
        session=session, caller=caller, filters=filters, page=page
    )


@router.post(
    "",
    response_model=fmt.Participant,
    status_code=201,
    responses={**documented(201, "Created."), **responses(400, 401, 403, 409, 422)},
)
def create_participant(
    participant: Annotated[fmt.Participant, Body(openapi_examples={"alt": {"value": EXAMPLE}})],
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
) -> fmt.Participant:
    """Create a participant (coordinators).

    The body is a participant exactly as in a dataset. Naming a `partner` links both
    people (the partner must exist and have no other partner).
    """
    written = participants.create_participant(
        session=session, caller=caller, participant_in=participant, idempotency=idempotency
    )
    location = f"/api/v1/participants/{written.resource.external_id}"
    return with_headers(response, written, location)


@router.get(
    "/{external_id}",
    response_model=fmt.Participant,
    responses={**documented(200, "The participant."), **responses(401, 403, 404, 422)},
)
def get_participant(
    external_id: ExternalIdPath, session: SessionDep, caller: Reader, response: Response
) -> fmt.Participant:
    """Read a participant (coordinators; audited)."""
    written = participants.get_participant(session=session, caller=caller, external_id=external_id)
    return with_headers(response, written)


@router.get(
    "/{external_id}/personal-data",
    response_model=PersonalData,
    responses={
        **documented(200, "Everything held about the person."),
        **responses(401, 403, 404, 422),
    },
)
def read_personal_data(
    external_id: ExternalIdPath, session: SessionDep, caller: Reader
) -> PersonalData:
    """A person's complete record, for a disclosure request (coordinators; audited).

    The record with every field, its places in working plans and published versions, and
    who read or changed it.
    """
    return personal_data.personal_data(session=session, caller=caller, external_id=external_id)


@router.patch(
    "/{external_id}",
    response_model=ParticipantChanged,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def update_participant(
    external_id: ExternalIdPath,
    changes: ParticipantUpdate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> ParticipantChanged:
    """Change a participant (coordinators).

    Send only the fields to change and `If-Match`. `{"status": "withdrawn"}` withdraws;
    `{"partner": null}` unlinks a couple on both sides.
    """
    written = participants.update_participant(
        session=session, caller=caller, external_id=external_id, changes=changes, if_match=if_match
    )
    return with_headers(response, written)
