"""What readiness and /metrics read of the outbox: the oldest waiting event, the backlog
and the deliveries given up."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from jet_match import models
from jet_match.config import Settings
from jet_match.services.notifications import delivery, outbox
from jet_match.services.operations import events
from jet_match.statuses import DeliveryStatus, EventKind
from notification_support import add_webhook


def _figures(engine: Engine) -> tuple[datetime | None, int, int]:
    with Session(engine) as session:
        return (
            events.oldest_undelivered_event_at(session),
            events.event_backlog(session),
            events.delivery_failures(session),
        )


def test_nothing_waits_in_an_empty_outbox(engine: Engine) -> None:
    assert _figures(engine) == (None, 0, 0)


def test_waiting_events_and_deliveries_then_a_failure(engine: Engine, settings: Settings) -> None:
    add_webhook(engine, settings, "http://127.0.0.1:9/hook", ["run.finished"])
    long_ago = models.utcnow() - timedelta(hours=2)
    with Session(engine) as session:
        for run in (1, 2):
            outbox.record_event(
                session=session,
                kind=EventKind.RUN_FINISHED,
                organization_id=None,
                payload={"run": run},
            )
        session.execute(update(models.NotificationEvent).values(occurred_at=long_ago))
        session.commit()
    oldest, backlog, failures = _figures(engine)
    assert oldest is not None
    assert abs((oldest - long_ago).total_seconds()) < 1
    assert (backlog, failures) == (2, 0)  # two events not yet fanned out

    with Session(engine) as session:
        assert delivery.dispatch(session) == 2
    oldest, backlog, failures = _figures(engine)
    assert oldest is not None  # dispatched, but their deliveries still wait
    assert (backlog, failures) == (2, 0)  # one pending delivery per event (one webhook)

    with Session(engine) as session:
        session.execute(
            update(models.NotificationDelivery).values(status=DeliveryStatus.FAILED.value)
        )
        session.commit()
    assert _figures(engine) == (None, 0, 2)

    with Session(engine) as session:
        session.execute(
            update(models.NotificationDelivery)
            .where(col(models.NotificationDelivery.id) == 1)
            .values(status=DeliveryStatus.DELIVERED.value)
        )
        session.commit()
    assert _figures(engine)[1:] == (0, 1)
