"""Delivery by the worker: signed POSTs to a real receiver on the loopback, retries with
backoff, leases that survive a dead worker, and scoping of host organizations."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import orjson
import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook as ReferenceVerifier

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.notifications import WebhookUpdate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.notifications import delivery, webhooks
from jet_match.services.rounds import withdrawals
from jet_match.statuses import DeliveryStatus
from notification_support import Clock, add_webhook, host_caller, http_receiver
from round_support import published_round
from service_support import Keys

Delivery = models.NotificationDelivery


def _deliver(engine: Engine, settings: Settings, worker: str = "w1", clock: Clock | None = None):  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as session:
        if clock is None:
            return delivery.deliver_due(session, worker, settings=settings)
        return delivery.deliver_due(session, worker, settings=settings, now=clock)


def _by_hand(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check written out: v1 = base64 HMAC-SHA256 of id.timestamp.body."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(part.removeprefix("v1,"), expected)
        for part in headers["webhook-signature"].split()
    )


def test_a_publication_reaches_the_receiver_signed(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    with http_receiver() as receiver:
        _hook, secret = add_webhook(engine, settings, receiver.url, ["round.published"])
        published_round(engine, settings)
        done = _deliver(engine, settings)
        assert [status for _, status in done] == [DeliveryStatus.DELIVERED] * 2
    assert len(receiver.requests) == 2  # one per host organization with placements
    verifier = ReferenceVerifier(secret)
    for request in receiver.requests:
        payload = verifier.verify(request.body, request.headers)
        assert _by_hand(secret, request.headers, request.body)
        assert payload["type"] == "round.published"
        assert payload["id"] == request.headers["webhook-id"]
    tampered = receiver.requests[0]
    assert not _by_hand(secret, tampered.headers, tampered.body + b" ")


def test_a_receiver_failing_three_times_gets_the_event_once(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    with http_receiver() as receiver:
        receiver.fail_first = 3
        hook, _secret = add_webhook(engine, settings, receiver.url, ["placement.vacated"])
        published_round(engine, settings)
        with Session(engine) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
        statuses = []
        for _ in range(6):
            statuses += [status for _, status in _deliver(engine, settings, clock=clock)]
            clock.advance(3 * 3600)  # past every wait of the first retries
        assert statuses == [DeliveryStatus.PENDING] * 3 + [DeliveryStatus.DELIVERED]
    assert [r.headers["x-answered"] for r in receiver.requests] == ["500", "500", "500", "200"]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len(receiver.processed_ids) == 1
    with Session(engine) as session:
        listed = webhooks.list_deliveries(
            session=session, caller=COMMAND_LINE, webhook_id=hook, page=PageRequest()
        ).items
    assert [d.status for d in listed] == [DeliveryStatus.DELIVERED]
    assert [a.status_code for a in listed[0].attempt_log] == [500, 500, 500, 200]


def test_a_receiver_that_never_answers_is_failed_after_a_day_and_can_be_redelivered(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    clock = Clock()
    started = clock.now
    with http_receiver() as receiver:
        receiver.fail_first = 10**6
        hook, _secret = add_webhook(engine, settings, receiver.url, ["placement.vacated"])
        published_round(engine, settings)
        with Session(engine) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
        last = None
        for _ in range(40):
            for _, status in _deliver(engine, settings, clock=clock):
                last = status
            if last is DeliveryStatus.FAILED:
                break
            clock.advance(4 * 3600)
        assert last is DeliveryStatus.FAILED
        assert clock.now - started >= timedelta(hours=24)
        assert len(receiver.requests) == len(delivery.RETRY_DELAYS_S) + 1
        with Session(engine) as session:
            failed = webhooks.list_deliveries(
                session=session, caller=COMMAND_LINE, webhook_id=hook, page=PageRequest()
            ).items[0]
            assert failed.status is DeliveryStatus.FAILED
            assert failed.last_error == "the receiver answered 500"
            receiver.fail_first = 0
            again = webhooks.redeliver(
                session=session, caller=COMMAND_LINE, webhook_id=hook, delivery_id=failed.id
            )
        assert again.status is DeliveryStatus.PENDING
        assert [s for _, s in _deliver(engine, settings, clock=clock)] == [DeliveryStatus.DELIVERED]
    assert receiver.requests[-1].headers["webhook-id"] == failed.event


def test_a_worker_killed_mid_delivery_loses_nothing(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    with http_receiver() as receiver:
        add_webhook(engine, settings, receiver.url, ["placement.vacated"])
        published_round(engine, settings)
        with Session(engine) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
            delivery.dispatch(session)
            clock = Clock()
            # Worker A claims the delivery, then dies before it answers (its claim committed).
            claimed = delivery.claim(session, "worker-a", now=clock(), lease_s=60)
        assert len(claimed) == 1
        assert _deliver(engine, settings, "worker-b", clock) == []  # A's lease still holds
        clock.advance(61)
        assert [s for _, s in _deliver(engine, settings, "worker-b", clock)] == [
            DeliveryStatus.DELIVERED
        ]
        with Session(engine) as session:
            # A comes back to life: its claim is gone, it writes nothing.
            assert delivery.attempt(session, claimed[0], "worker-a", settings=settings) is None
    assert len(receiver.requests) == 1


def test_two_workers_never_dispatch_one_event_twice(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    add_webhook(engine, settings, "http://127.0.0.1:9/hook", ["round.published"])
    published_round(engine, settings)
    with Session(engine) as first, Session(engine) as second:
        assert delivery.dispatch(first) == 3  # run.finished and two round.published
        assert delivery.dispatch(second) == 0
        assert delivery.claim(first, "a", now=models.utcnow(), lease_s=60) != []
        assert delivery.claim(second, "b", now=models.utcnow(), lease_s=60) == []
        assert first.scalar(select(func.count()).select_from(Delivery)) == 2


def test_a_host_never_receives_another_organizations_placements(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    kinds = ["round.published", "round.amended", "placement.vacated"]
    with http_receiver() as receiver_a, http_receiver() as receiver_b:
        add_webhook(engine, settings, receiver_a.url, kinds, host_caller(engine, "ORG-A"))
        add_webhook(engine, settings, receiver_b.url, kinds, host_caller(engine, "ORG-B"))
        published_round(engine, settings)
        with Session(engine) as session:
            withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-5")
        _deliver(engine, settings)
    own = {"a": {"OPN-A1", "OPN-A2"}, "b": {"OPN-B1"}}
    for name, receiver in (("a", receiver_a), ("b", receiver_b)):
        assert receiver.requests
        for request in receiver.requests:
            event = orjson.loads(request.body)
            assert event["organization"] == f"ORG-{name.upper()}"
            data = event["data"]
            openings = {p["opening"] for p in data.get("placements", [])} | {
                data.get("opening", next(iter(own[name])))
            }
            assert openings <= own[name]
    published = [orjson.loads(r.body)["data"] for r in receiver_a.requests]
    assert {p["participant"] for p in published[0]["placements"]} == {"P-2", "P-3", "P-5"}
    assert [orjson.loads(r.body)["type"] for r in receiver_b.requests] == ["round.published"]


def test_a_deleted_webhook_gets_nothing_more(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    hook, _ = add_webhook(engine, settings, "http://127.0.0.1:9/hook", ["round.published"])
    published_round(engine, settings)
    with Session(engine) as session:
        delivery.dispatch(session)
        webhooks.delete_webhook(session=session, caller=COMMAND_LINE, webhook_id=hook, if_match="*")
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0


@pytest.mark.parametrize("status", [302, 404])
def test_redirects_and_errors_are_failures(
    status: int, keys: Keys, engine: Engine, settings: Settings
) -> None:
    with http_receiver() as receiver:
        receiver.fail_first, receiver.fail_status = 1, status
        add_webhook(engine, settings, receiver.url, ["round.published"])
        published_round(engine, settings)
        done = _deliver(engine, settings)
    assert DeliveryStatus.PENDING in [s for _, s in done]  # the failed one waits for a retry
    assert "/elsewhere" not in [r.path for r in receiver.requests]  # no redirect followed


def test_a_deactivated_webhook_fails_its_pending_deliveries_at_once(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    hook, _ = add_webhook(engine, settings, "http://127.0.0.1:9/hook", ["round.published"])
    published_round(engine, settings)
    with Session(engine) as session:
        delivery.dispatch(session)
        webhooks.update_webhook(
            session=session,
            caller=COMMAND_LINE,
            webhook_id=hook,
            changes=WebhookUpdate(active=False),
            if_match="*",
            settings=settings,
        )
    done = _deliver(engine, settings)
    assert [status for _, status in done] == [DeliveryStatus.FAILED] * 2


def test_a_batch_of_deliveries_is_written_in_one_commit(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    with http_receiver() as receiver:
        add_webhook(engine, settings, receiver.url, ["round.published"])
        published_round(engine, settings)
        event.listen(engine, "commit", count)
        try:
            done = _deliver(engine, settings)
        finally:
            event.remove(engine, "commit", count)
    assert [status for _, status in done] == [DeliveryStatus.DELIVERED] * 2
    assert len(commits) == 3  # dispatch, claim, then both results at once


def test_sending_stops_at_half_the_lease_and_hands_the_rest_back(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    short = settings.model_copy(update={"notify_lease_s": 1.0})
    with http_receiver() as receiver:
        receiver.delay_s = 0.6  # past half the lease after the first answer
        add_webhook(engine, settings, receiver.url, ["round.published"])
        published_round(engine, settings)
        first = _deliver(engine, short)
        assert [status for _, status in first] == [DeliveryStatus.DELIVERED]
        with Session(engine) as session:
            left = session.scalars(
                select(Delivery).where(Delivery.status == DeliveryStatus.PENDING.value)
            ).one()
            assert (left.claimed_by, left.attempts) == (None, 0)
        second = _deliver(engine, short, "w2")  # claimable at once, by anyone
        assert [status for _, status in second] == [DeliveryStatus.DELIVERED]
    assert len(receiver.requests) == 2
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 2
