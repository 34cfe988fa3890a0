"""Personal data over time: participants of long-closed rounds are anonymised.

Japan's APPI (and the programme's own terms) keep personal data no longer than needed.
Once every round a participant took part in (a working plan or a published version
placing them) has been closed for longer than the retention period
(`JET_MATCH_RETENTION_DAYS`; a closed round's last change is its closing), the worker
removes what identifies the person or is special-care data: names, e-mail address,
home region and the medical flag. The external_id, citizenship, position, preferences
and every placement stay, so that reports and aggregates of past years still add up.
A participant still in an open round is left alone. Contracts in post that ended longer
ago than the retention period lose their names the same way. Each pass is one
transaction and one audit event listing the external_ids.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, or_, union
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit
from jet_match.services.security import audit
from jet_match.statuses import RoundStatus

ANONYMISED_NAME = "(anonymised)"


def anonymise_expired(*, session: Session, caller: Caller, retention_days: int) -> list[str]:
    """Anonymise the participants whose rounds all closed over `retention_days` ago; their
    external_ids."""
    authorize(caller, Action.PARTICIPANTS_WRITE)
    cutoff = models.utcnow() - timedelta(days=retention_days)
    rounds_of_person = union(
        select(models.Placement.participant_id.label("participant_id"), models.Placement.round_id),  # type: ignore[attr-defined]
        select(
            models.PublishedPlacement.participant_id.label("participant_id"),  # type: ignore[attr-defined]
            models.Publication.round_id,
        ).join(
            models.Publication,
            col(models.Publication.id) == models.PublishedPlacement.publication_id,
        ),
    ).subquery()
    in_any_round = exists().where(rounds_of_person.c.participant_id == models.Participant.id)
    in_a_live_round = exists().where(
        rounds_of_person.c.participant_id == models.Participant.id,
        rounds_of_person.c.round_id == models.Round.id,
        or_(
            col(models.Round.status) != RoundStatus.CLOSED.value,
            col(models.Round.updated_at) >= cutoff,
        ),
    )
    rows = session.scalars(
        select(models.Participant)
        .where(
            col(models.Participant.anonymised_at).is_(None),
            in_any_round,
            ~in_a_live_round,
        )
        .order_by(col(models.Participant.external_id))
        .with_for_update()
    ).all()
    now = models.utcnow()
    for row in rows:
        row.family_name = ANONYMISED_NAME
        row.given_name = ANONYMISED_NAME
        row.email = f"anonymised-{row.id}@invalid"
        row.home_region = None
        row.needs_medical_access = False
        row.anonymised_at = now
        row.version += 1
        row.updated_at = now
        session.add(row)
    anonymised = [row.external_id for row in rows]
    if anonymised:
        # The closed rounds' prepared review reads (the report workbook holds names) go
        # too; a later read computes them from the anonymised records.
        closed = select(models.Round.id).where(col(models.Round.status) == RoundStatus.CLOSED.value)
        session.execute(
            delete(models.PreparedReview).where(col(models.PreparedReview.round_id).in_(closed))
        )
        audit.record(
            session,
            caller,
            "participant.anonymise",
            "participant",
            count=len(anonymised),
            external_ids=anonymised,
            retention_days=retention_days,
        )
        commit(session)
    else:
        session.rollback()
    return anonymised


def anonymise_ended_contracts(
    *, session: Session, caller: Caller, retention_days: int
) -> list[str]:
    """Anonymise the contracts in post that ended over `retention_days` ago (the JET has
    left): their names go; the external_id, organization, opening, dates, position and
    intention stay for the ledger's history. Their external_ids (one audit event)."""
    authorize(caller, Action.CONTRACTS_WRITE)
    cutoff = (models.utcnow() - timedelta(days=retention_days)).date()
    rows = session.scalars(
        select(models.Contract)
        .where(
            col(models.Contract.ends_on) < cutoff,
            col(models.Contract.family_name) != ANONYMISED_NAME,
        )
        .order_by(col(models.Contract.external_id))
        .with_for_update()
    ).all()
    now = models.utcnow()
    for row in rows:
        row.family_name = ANONYMISED_NAME
        row.given_name = ANONYMISED_NAME
        row.version += 1
        row.updated_at = now
        session.add(row)
    anonymised = [row.external_id for row in rows]
    if anonymised:
        # The closed rounds' prepared review reads (the report workbook holds names) go
        # too; a later read computes them from the anonymised records.
        closed = select(models.Round.id).where(col(models.Round.status) == RoundStatus.CLOSED.value)
        session.execute(
            delete(models.PreparedReview).where(col(models.PreparedReview.round_id).in_(closed))
        )
        audit.record(
            session,
            caller,
            "contract.anonymise",
            "contract",
            count=len(anonymised),
            external_ids=anonymised,
            retention_days=retention_days,
        )
        commit(session)
    else:
        session.rollback()
    return anonymised
