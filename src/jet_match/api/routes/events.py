"""The events feed: the outbox paged, for integrators who pull instead of receiving pushes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jet_match.api.deps import PageDep, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.schemas.notifications import EventPage
from jet_match.services.kit.access import Action, Caller
from jet_match.services.notifications import events
from jet_match.statuses import EventKind

router = APIRouter(prefix="/events", tags=["events"])

Reader = Annotated[Caller, Depends(allowed(Action.EVENTS_READ))]


@router.get("", response_model=EventPage, responses=responses(400, 401, 403, 422))
def list_events(
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    kind: Annotated[EventKind | None, Query(description="Only events of this kind.")] = None,
) -> EventPage:
    """Page through events, oldest first (coordinators: all; hosts: their own).

    Keep `next_cursor` (never null) and ask again with it later to get only newer events.
    """
    return events.list_events(session=session, caller=caller, page=page, kind=kind)
