"""The outbox: events are written in the transaction of their change, by each service that
makes one, and never by a change that rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import Conflict
from jet_match.schemas.plans import PlanChange
from jet_match.schemas.records import OpeningUpdate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.notifications import outbox
from jet_match.services.records import openings
from jet_match.services.rounds import publications, queue, withdrawals
from jet_match.statuses import EventKind, RunStatus
from notification_support import host_caller, organization_id
from round_support import (
    ROUND,
    create_round,
    move,
    published_round,
    queue_run,
    round_etag,
    solved_round,
)
from service_support import Keys


def _events(engine: Engine, kind: str | None = None) -> list[models.NotificationEvent]:
    with Session(engine, expire_on_commit=False) as session:
        statement = select(models.NotificationEvent).order_by(col(models.NotificationEvent.id))
        if kind is not None:
            statement = statement.where(models.NotificationEvent.kind == kind)
        return list(session.scalars(statement))


def _placements(event: models.NotificationEvent) -> dict[str, str]:
    return {p["participant"]: p["opening"] for p in event.payload["placements"]}


def test_record_event_joins_the_callers_transaction(keys: Keys, engine: Engine) -> None:
    with Session(engine) as session:
        event_id = outbox.record_event(
            session=session, kind="offer.made", organization_id=None, payload={"offer": "O-1"}
        )
        session.rollback()
    assert _events(engine) == []
    with Session(engine) as session:
        event_id = outbox.record_event(
            session=session, kind=EventKind.OFFER_MADE, organization_id=None, payload={}
        )
        session.commit()
    assert [e.event_id for e in _events(engine)] == [event_id]
    assert event_id.startswith("evt_")


def test_an_unknown_kind_is_refused(keys: Keys, engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match=r"offer\.lost"):
        outbox.record_event(session=session, kind="offer.lost", organization_id=None, payload={})


def test_a_publication_tells_each_host_its_own_placements(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    events = _events(engine, "round.published")
    by_org = {e.organization_id: e for e in events}
    org_a, org_b = organization_id(engine, "ORG-A"), organization_id(engine, "ORG-B")
    assert set(by_org) == {org_a, org_b}
    assert _placements(by_org[org_a]) == {"P-2": "OPN-A1", "P-3": "OPN-A1", "P-5": "OPN-A2"}
    assert _placements(by_org[org_b]) == {"P-1": "OPN-B1"}
    assert by_org[org_a].payload["version"] == 1


def test_an_amended_publication_tells_only_the_hosts_whose_placements_changed(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    move(engine, "P-5", PlanChange(opening=None))
    with Session(engine) as session:
        publications.publish(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine)
        )
    amended = _events(engine, "round.amended")
    assert [e.organization_id for e in amended] == [organization_id(engine, "ORG-A")]
    assert _placements(amended[0]) == {"P-2": "OPN-A1", "P-3": "OPN-A1"}
    assert amended[0].payload["removed"] == [{"participant": "P-5", "opening": "OPN-A2"}]


def test_a_refused_publication_writes_no_event(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    before = len(_events(engine))
    with Session(engine) as session, pytest.raises(Conflict):
        publications.publish(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine)
        )
    assert len(_events(engine)) == before


def test_a_withdrawal_tells_of_the_vacated_place(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    with Session(engine) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
    (event,) = _events(engine, "placement.vacated")
    assert event.organization_id == organization_id(engine, "ORG-B")
    assert event.payload == {
        "round": ROUND,
        "opening": "OPN-B1",
        "participant": "P-1",
        "reason": "the participant withdrew",
        "published": True,
    }


def test_a_vacancy_that_rolls_back_leaves_no_event(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine) as session:
        place = session.scalars(select(models.Placement)).first()
        assert place is not None
        assert withdrawals.vacate(session, COMMAND_LINE, [place], reason="test")
        session.rollback()
    assert _events(engine, "placement.vacated") == []


def test_a_hosts_opening_change_tells_the_coordinators(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    published_round(engine, settings)
    host = host_caller(engine, "ORG-A")
    with Session(engine) as session:
        openings.cancel_opening(session=session, caller=host, external_id="OPN-A2", if_match="*")
    (changed,) = _events(engine, "opening.changed")
    assert changed.payload["opening"] == "OPN-A2"
    assert changed.payload["fields"] == ["status"]
    assert changed.payload["status"] == "cancelled"
    assert changed.organization_id == organization_id(engine, "ORG-A")
    # The cancellation vacated P-5's place: the coordinators and the host are told.
    (vacated,) = _events(engine, "placement.vacated")
    assert vacated.payload["participant"] == "P-5"


def test_a_coordinators_opening_change_is_no_event(keys: Keys, engine: Engine) -> None:
    with Session(engine) as session:
        openings.update_opening(
            session=session,
            caller=COMMAND_LINE,
            external_id="OPN-A2",
            changes=OpeningUpdate(slots=3),
            if_match="*",
        )
    assert _events(engine, "opening.changed") == []


def test_runs_tell_how_they_ended(keys: Keys, engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    (finished,) = _events(engine, "run.finished")
    assert finished.payload["round"] == ROUND
    assert finished.payload["status"] == "succeeded"
    assert finished.organization_id is None
    run_id = queue_run(engine)
    with Session(engine) as session:
        claimed = queue.claim_next(session, "w-test")
        assert claimed == run_id
        assert queue.end_run(session, run_id, RunStatus.FAILED, "the solver crashed")
    (failed,) = _events(engine, "run.failed")
    expected: dict[str, Any] = {
        "round": ROUND,
        "run": run_id,
        "status": "failed",
        "error": "the solver crashed",
    }
    assert failed.payload == expected


def test_a_cancelled_run_is_no_event(keys: Keys, engine: Engine) -> None:
    create_round(engine)
    run_id = queue_run(engine)
    with Session(engine) as session:
        queue.claim_next(session, "w-test")
        assert queue.end_run(session, run_id, RunStatus.CANCELLED, "asked")
    assert _events(engine, "run.failed") == []
