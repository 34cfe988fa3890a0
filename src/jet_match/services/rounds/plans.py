"""A round's working plan as it is read: a page of it, filtered, with the round's ETag
(the REST plan), and one participant's placement.

Reads go through the placements' index by participant (in the order they were added to
the records), so a page costs the same at any size. Changing one placement:
`adjustments`; a run's plan written as its differences: `plan_diff`; forbidden pairs:
`forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.common import Page
from jet_match.schemas.plans import PlanItem
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import Written, etag_of
from jet_match.services.rounds import rounds

Placement = models.Placement
Participant = models.Participant
Opening = models.Opening
Organization = models.Organization


@dataclass(frozen=True, slots=True)
class PlanFilter:
    """Filters of the plan; None means any."""

    opening: str | None = None
    organization: str | None = None
    prefecture: int | None = None
    position: fmt.Position | None = None
    pinned: bool | None = None


def _plan_select() -> Any:
    columns: tuple[Any, ...] = (
        Placement,
        col(Participant.external_id),
        col(Participant.position),
        col(Opening.external_id),
        col(Organization.external_id),
        col(Organization.prefecture),
    )
    return (
        sa.select(*columns)
        .join(Participant, col(Participant.id) == Placement.participant_id)
        .join(Opening, col(Opening.id) == Placement.opening_id)
        .join(Organization, col(Organization.id) == Opening.organization_id)
    )


def _item(
    placement: models.Placement,
    participant: str,
    position: str,
    opening: str,
    organization: str,
    prefecture: int,
) -> PlanItem:
    return PlanItem(
        participant=participant,
        opening=opening,
        organization=organization,
        prefecture=prefecture,
        position=fmt.Position(position),
        score=placement.score,
        breakdown=placement.breakdown,
        pinned=placement.pinned,
        source=placement.source,
        override_reason=placement.override_reason,
    )


def get_plan(
    *, session: Session, caller: Caller, round_id: str, filters: PlanFilter, page: PageRequest
) -> Written[Page[PlanItem]]:
    """The working plan with the round's ETag, ordered by participant (in the order they
    were added to the records: the placements' index, so a page costs the same at any size)."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    statement = _plan_select().where(Placement.round_id == row.id)
    equal = (
        (Opening.external_id, filters.opening),
        (Organization.external_id, filters.organization),
        (Organization.prefecture, filters.prefecture),
        (Participant.position, filters.position.value if filters.position else None),
        (Placement.pinned, filters.pinned),
    )
    for column, value in equal:
        if value is not None:
            statement = statement.where(col(column) == value)
    result = paginate(session, statement, col(Placement.participant_id), page, key_type=int)
    items = [_item(*found) for found in result.rows]
    return Written(Page(items=items, next_cursor=result.next_cursor), etag_of(row.version))


def plan_item(session: Session, round_id: int, participant_id: int) -> PlanItem | None:
    """One participant's placement in the working plan, if placed."""
    found = session.execute(
        _plan_select().where(Placement.round_id == round_id, Participant.id == participant_id)
    ).first()
    return _item(*found) if found else None
