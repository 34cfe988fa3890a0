"""A person's complete record, for a disclosure request under Japan's APPI.

Everything the service holds about one participant: the record with every field, their
places in working plans and in published versions, and who read or changed the record
(the audit trail). Coordinators only; the request itself is audited (and listed).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.personal_data import AccessEntry, PersonalData, PlanEntry, PublishedEntry
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.records import participant_record
from jet_match.services.kit.writes import commit
from jet_match.services.records import participants
from jet_match.services.security import audit


def personal_data(*, session: Session, caller: Caller, external_id: str) -> PersonalData:
    """The participant's complete record; the read is audited as `participant.disclose`."""
    authorize(caller, Action.PARTICIPANTS_READ)
    row, partner = participants.find(session, external_id)
    audit.record(session, caller, "participant.disclose", "participant", external_id)
    commit(session)
    plans = [
        PlanEntry(
            round=round_id,
            opening=opening,
            organization=organization,
            pinned=placement.pinned,
            score=placement.score,
        )
        for placement, round_id, opening, organization in session.execute(
            select(
                models.Placement,
                models.Round.external_id,
                models.Opening.external_id,
                models.Organization.external_id,
            )
            .join(models.Round, col(models.Round.id) == models.Placement.round_id)
            .join(models.Opening, col(models.Opening.id) == models.Placement.opening_id)
            .join(
                models.Organization, col(models.Organization.id) == models.Opening.organization_id
            )
            .where(models.Placement.participant_id == row.id)
            .order_by(col(models.Round.external_id))
        ).all()
    ]
    published = [
        PublishedEntry(
            round=round_id,
            version=publication.version,
            published_at=publication.published_at,
            opening=opening,
            organization=organization,
        )
        for publication, round_id, opening, organization in session.execute(
            select(
                models.Publication,
                models.Round.external_id,
                models.Opening.external_id,
                models.Organization.external_id,
            )
            .join(
                models.PublishedPlacement,
                col(models.PublishedPlacement.publication_id) == models.Publication.id,
            )
            .join(models.Round, col(models.Round.id) == models.Publication.round_id)
            .join(models.Opening, col(models.Opening.id) == models.PublishedPlacement.opening_id)
            .join(
                models.Organization,
                col(models.Organization.id) == models.PublishedPlacement.organization_id,
            )
            .where(models.PublishedPlacement.participant_id == row.id)
            .order_by(col(models.Round.external_id), col(models.Publication.version))
        ).all()
    ]
    accesses = [
        AccessEntry(occurred_at=event.occurred_at, actor=event.actor, action=event.action)
        for event in session.scalars(
            select(models.AuditEvent)
            .where(
                models.AuditEvent.resource_type == "participant",
                models.AuditEvent.resource_id == external_id,
            )
            .order_by(col(models.AuditEvent.id))
        ).all()
    ]
    answer = PersonalData(
        participant=participant_record(row, partner),
        plans=plans,
        publications=published,
        accesses=accesses,
    )
    session.rollback()
    return answer
