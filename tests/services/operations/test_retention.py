"""Retention: participants of long-closed rounds lose what identifies them; ids, placements
and aggregates stay; anyone still in an open or recently closed round is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE, WORKER
from jet_match.services.operations import retention
from jet_match.services.rounds import rounds
from jet_match.worker import InlineSolver, Worker
from round_support import ROUND, SMALL_PLAN, published_round, round_etag
from season_support import add_contracts, contract
from service_support import Keys


def _close(engine: Engine, *, days_ago: int) -> None:
    with Session(engine, expire_on_commit=False) as session:
        rounds.close_round(
            session=session, caller=COMMAND_LINE, external_id=ROUND, if_match=round_etag(engine)
        )
        session.execute(
            update(models.Round).values(updated_at=models.utcnow() - timedelta(days=days_ago))
        )
        session.commit()


def _people(session: Session) -> dict[str, models.Participant]:
    """A snapshot of every participant (copies: the session's objects change)."""
    session.expire_all()
    rows = session.scalars(select(models.Participant)).all()
    return {row.external_id: models.Participant.model_validate(row.model_dump()) for row in rows}


def test_people_of_a_long_closed_round_are_anonymised_once_and_audited(
    engine: Engine, settings: Settings, keys: Keys, session: Session
) -> None:
    published_round(engine, settings)
    assert retention.anonymise_expired(session=session, caller=WORKER, retention_days=30) == []
    _close(engine, days_ago=10)
    assert retention.anonymise_expired(session=session, caller=WORKER, retention_days=30) == []
    _close_long_ago = update(models.Round).values(updated_at=models.utcnow() - timedelta(days=40))
    session.execute(_close_long_ago)
    session.commit()
    before = _people(session)
    assert session.scalars(select(models.PreparedReview)).all()  # the worker prepared them
    done = retention.anonymise_expired(session=session, caller=WORKER, retention_days=30)
    # The closed round's prepared reads (its report workbook names people) are gone.
    assert session.scalars(select(models.PreparedReview)).all() == []
    assert done == sorted(SMALL_PLAN)  # the people the round placed
    after = _people(session)
    for external_id in done:
        person = after[external_id]
        assert person.family_name == person.given_name == retention.ANONYMISED_NAME
        assert before[external_id].email not in person.email
        assert person.needs_medical_access is False
        assert person.home_region is None
        assert person.anonymised_at is not None
        # What reports need stays.
        assert person.citizenship == before[external_id].citizenship
        assert person.position == before[external_id].position
    untouched = set(after) - set(done)
    assert untouched
    for external_id in untouched:
        assert after[external_id].email == before[external_id].email
    placements = session.scalars(select(models.PublishedPlacement)).all()
    assert len(placements) == len(SMALL_PLAN)
    assert retention.anonymise_expired(session=session, caller=WORKER, retention_days=30) == []
    events = session.scalars(
        select(models.AuditEvent).where(col(models.AuditEvent.action) == "participant.anonymise")
    ).all()
    assert [(e.actor, e.detail["external_ids"]) for e in events] == [("worker", done)]


def test_the_worker_applies_the_retention_setting(
    engine: Engine, settings: Settings, keys: Keys, session: Session
) -> None:
    published_round(engine, settings)
    _close(engine, days_ago=400)
    assert Worker(engine, settings, InlineSolver(engine)).apply_retention(force=True) == []
    kept = settings.model_copy(update={"retention_days": 365})
    worker = Worker(engine, kept, InlineSolver(engine))
    assert worker.apply_retention() == sorted(SMALL_PLAN)
    assert worker.apply_retention() == []  # the next pass waits retention_check_s


def test_contracts_that_ended_long_ago_lose_their_names_once(
    engine: Engine, keys: Keys, session: Session
) -> None:
    long_ended = contract("C-OLD", "ORG-A", "OPN-A1", ends_on="2024-07-31", started_on="2023-08-01")
    add_contracts(engine, long_ended, contract("C-NOW", "ORG-B", "OPN-B1"))
    today = models.utcnow().date()
    days = (today - date(2025, 1, 1)).days  # C-OLD ended before that day, C-NOW after
    done = retention.anonymise_ended_contracts(session=session, caller=WORKER, retention_days=days)
    assert done == ["C-OLD"]
    session.expire_all()
    rows = {c.external_id: c for c in session.scalars(select(models.Contract)).all()}
    old, current = rows["C-OLD"], rows["C-NOW"]
    assert old.family_name == old.given_name == retention.ANONYMISED_NAME
    assert (old.position, old.ends_on, old.intention) == ("ALT", date(2024, 7, 31), "undecided")
    assert current.family_name == "Okafor"
    assert (
        retention.anonymise_ended_contracts(session=session, caller=WORKER, retention_days=days)
        == []
    )
    events = session.scalars(
        select(models.AuditEvent).where(col(models.AuditEvent.action) == "contract.anonymise")
    ).all()
    assert [(e.actor, e.detail["external_ids"]) for e in events] == [("worker", ["C-OLD"])]
