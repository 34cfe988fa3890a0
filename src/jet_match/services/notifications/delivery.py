"""The worker's side: events in the outbox become deliveries, delivered with retries.

1. `dispatch`: each event not yet dispatched gets one delivery per receiver: every
   active webhook that subscribed to its kind (a host organization's only for events
   about that organization, of `outbox.HOST_KINDS`), and every staff user it concerns
   (coordinators, host users of the organization) who did not turn that kind of e-mail
   off. The events are marked dispatched in the same transaction
   (`UPDATE ... WHERE dispatched_at IS NULL RETURNING id`, candidates read
   `FOR UPDATE SKIP LOCKED` on PostgreSQL): two workers never dispatch one event twice,
   and the unique (receiver, event) constraints back that up.
2. `claim`: a worker claims due deliveries like runs are claimed
   (`UPDATE ... WHERE id IN (...) AND status = 'pending' AND (claimed_until IS NULL OR
   claimed_until < now) RETURNING id`: the rows updated are ours) for a lease of
   `notify_lease_s`.
   A worker killed mid-delivery loses nothing: its lease expires and another claims it.
3. `attempt`: one POST or mail, outside any transaction; then the result is written if
   the claim is still ours (`deliver_due` sends a claimed batch, then writes all its
   results in one transaction). Failures are retried with exponential backoff
   (`RETRY_DELAYS_S`: 5 s ... 10 h, about 27 h in all), then the delivery is `failed`
   and stays visible (`GET /api/v1/webhooks/{id}/deliveries`) until redelivered.

Receivers see at-least-once delivery: the same event always carries the same
`Webhook-Id`, so a receiver de-duplicates by it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.services.kit.writes import commit
from jet_match.services.notifications import mail, outbox, posting
from jet_match.statuses import DeliveryStatus, Role

Event = models.NotificationEvent
Delivery = models.NotificationDelivery
Webhook = models.Webhook

#: Waits after each failed attempt (the Standard Webhooks schedule): about 27 h in all.
RETRY_DELAYS_S = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)

WEBHOOK = "webhook"
EMAIL = "email"


def dispatch(session: Session, *, limit: int = 200, now: datetime | None = None) -> int:
    """Make the deliveries of up to `limit` undispatched events (oldest first); how many
    events were dispatched. Commits.

    Everything is worked out before the first write, which then takes two statements (mark
    the events, insert their deliveries): on SQLite the write lock is held for those, not
    for a loop over the events (a batch of a national publish held it for seconds)."""
    candidates = session.scalars(
        select(Event)
        .where(col(Event.dispatched_at).is_(None))
        .order_by(col(Event.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        session.rollback()
        return 0
    hooks = session.scalars(select(Webhook).where(col(Webhook.active).is_(True))).all()
    users = session.scalars(select(models.User).where(col(models.User.disabled).is_(False))).all()
    opted_out = set(
        session.execute(select(models.EmailOptOut.user_id, models.EmailOptOut.kind)).all()
    )
    now = now or models.utcnow()
    planned: dict[int, list[dict[str, Any]]] = {}
    for event in candidates:
        assert event.id is not None
        planned[event.id] = [
            _new(event, WEBHOOK, now, webhook_id=hook.id)
            for hook in hooks
            if _hook_wants(hook, event)
        ] + [
            _new(event, EMAIL, now, user_id=user.id)
            for user in users
            if _user_wants(user, event) and (user.id, event.kind) not in opted_out
        ]
    # Only the events still undispatched are ours (another worker may have been first).
    marked = {
        int(event_id)
        for event_id in session.scalars(
            update(Event)
            .where(col(Event.id).in_(list(planned)), col(Event.dispatched_at).is_(None))
            .values(dispatched_at=now)
            .returning(col(Event.id))
            .execution_options(synchronize_session=False)
        )
        if event_id is not None
    }
    rows = [row for event_id in sorted(marked) for row in planned[event_id]]
    if rows:
        session.execute(insert(Delivery), rows)
    commit(session)
    return len(marked)


def _new(
    event: models.NotificationEvent, channel: str, now: datetime, **target: Any
) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "channel": channel,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "attempts_log": [],
        "created_at": now,
        **target,
    }


def _hook_wants(hook: models.Webhook, event: models.NotificationEvent) -> bool:
    if event.kind not in hook.events:
        return False
    if hook.organization_id is None:
        return True
    return event.organization_id == hook.organization_id and outbox.visible_to_host(event.kind)


def _user_wants(user: models.User, event: models.NotificationEvent) -> bool:
    if user.role == Role.COORDINATOR.value:
        return event.kind in outbox.COORDINATOR_MAIL_KINDS
    return (
        user.role == Role.HOST_ORG.value
        and event.organization_id is not None
        and user.organization_id == event.organization_id
        and outbox.visible_to_host(event.kind)
    )


def _claimable(now: datetime) -> Any:
    return sa.and_(
        col(Delivery.status) == DeliveryStatus.PENDING.value,
        col(Delivery.next_attempt_at) <= now,
        sa.or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < now),
    )


def claim(
    session: Session, worker: str, *, now: datetime, lease_s: float, limit: int = 20
) -> list[int]:
    """Claim up to `limit` due deliveries for `worker` (a lease of `lease_s`); their ids.
    Commits."""
    candidates = session.scalars(
        select(Delivery.id)
        .where(_claimable(now))
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        session.rollback()
        return []
    # One statement: the rows still claimable are ours (another worker may have been first).
    claimed = session.scalars(
        update(Delivery)
        .where(col(Delivery.id).in_(list(candidates)), _claimable(now))
        .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease_s))
        .returning(col(Delivery.id))
        .execution_options(synchronize_session=False)
    ).all()
    commit(session)
    return sorted(int(delivery_id) for delivery_id in claimed if delivery_id is not None)


def body_of(event: models.NotificationEvent, organization: str | None) -> str:
    """The JSON body of a webhook delivery (and of an event in the feed)."""
    return orjson.dumps(
        {
            "id": event.event_id,
            "type": event.kind,
            "timestamp": _aware(event.occurred_at).isoformat().replace("+00:00", "Z"),
            "organization": organization,
            "data": event.payload,
        }
    ).decode()


@dataclass(frozen=True, slots=True)
class Result:
    """How one attempt went, as written to the delivery."""

    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    final: bool = False  # no retry can succeed (the receiver is gone)


@dataclass(slots=True)
class _Prepared:
    """A claimed delivery read and ready to send (no transaction held)."""

    delivery_id: int
    send: Callable[[], Result]
    first_attempt_at: datetime | None
    attempts: int
    log: list[dict[str, Any]]


def attempt(
    session: Session,
    delivery_id: int,
    worker: str,
    *,
    settings: Settings,
    now: Callable[[], datetime] = models.utcnow,
    client: httpx.Client | None = None,
) -> DeliveryStatus | None:
    """Make one attempt of a claimed delivery and write how it went; the new status, or
    None if the claim was no longer ours (nothing written)."""
    prepared = _prepare(session, delivery_id, worker, settings=settings, now=now, client=client)
    session.rollback()  # no transaction stays open while the receiver answers
    if prepared is None:
        return None
    written = _record_all(
        session, [(delivery_id, _outcome(prepared, prepared.send(), now()))], worker
    )
    if not written:
        session.rollback()
        return None
    commit(session)
    return written[0][1]


def _prepare(
    session: Session,
    delivery_id: int,
    worker: str,
    *,
    settings: Settings,
    now: Callable[[], datetime],
    client: httpx.Client | None,
) -> _Prepared | None:
    """What to send for a claimed delivery; None if the claim is no longer ours."""
    row = session.get(Delivery, delivery_id)
    if row is None or row.claimed_by != worker or row.status != DeliveryStatus.PENDING.value:
        return None
    event = session.get(Event, row.event_id)
    assert event is not None
    send: Callable[[], Result]
    if row.channel == WEBHOOK:
        hook = session.get(Webhook, row.webhook_id)
        organization = _organization(session, event.organization_id)
        if hook is None or not hook.active:
            send = _gone("the webhook was deleted or deactivated")
        else:
            url, secret = hook.url, hook.secret
            body = body_of(event, organization)
            event_id, moment = event.event_id, now()

            def send() -> Result:
                done = posting.post(
                    url=url,
                    secret=secret,
                    event_id=event_id,
                    timestamp=moment,
                    body=body,
                    settings=settings,
                    client=client,
                )
                return Result(done.ok, done.status_code, done.error, done.duration_ms)

    else:
        user = session.get(models.User, row.user_id)
        if user is None or user.disabled:
            send = _gone("the user was removed or disabled")
        else:
            message = mail.compose(event=event, user=user, settings=settings)

            def send() -> Result:
                try:
                    mail.send(message, settings=settings)
                except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
                    return Result(False, None, f"{type(exc).__name__}: {exc}"[:500], 0)
                return Result(True, None, None, 0)

    return _Prepared(
        delivery_id, send, row.first_attempt_at, row.attempts, list(row.attempts_log or [])
    )


def _outcome(
    prepared: _Prepared, result: Result, at: datetime
) -> tuple[DeliveryStatus, dict[str, Any]]:
    """An attempt's new status and the values to write."""
    attempts = prepared.attempts + 1
    log = [
        *prepared.log[-49:],
        {
            "at": at.isoformat(),
            "status_code": result.status_code,
            "error": result.error,
            "duration_ms": result.duration_ms,
        },
    ]
    values: dict[str, Any] = {
        "attempts": attempts,
        "attempts_log": log,
        "first_attempt_at": prepared.first_attempt_at or at,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": result.error,
    }
    if result.ok:
        status = DeliveryStatus.DELIVERED
        values["delivered_at"] = at
    elif result.final or attempts > len(RETRY_DELAYS_S):
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
        values["next_attempt_at"] = at + timedelta(seconds=RETRY_DELAYS_S[attempts - 1])
    values["status"] = status.value
    return status, values


def _record_all(
    session: Session,
    outcomes: list[tuple[int, tuple[DeliveryStatus, dict[str, Any]]]],
    worker: str,
) -> list[tuple[int, DeliveryStatus]]:
    """Write a batch's outcomes into the session's transaction (not committed): one
    statement per set of columns (at most three), so that the write lock is held for a few
    statements whatever the batch. A delivery whose claim another worker took meanwhile
    (its lease ran out) is not written, and not in the answer."""
    if not outcomes:
        return []
    ours = set(
        session.scalars(
            select(Delivery.id).where(
                col(Delivery.id).in_([delivery_id for delivery_id, _ in outcomes]),
                col(Delivery.claimed_by) == worker,
            )
        ).all()
    )
    table = Delivery.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for delivery_id, (_status, values) in outcomes:
        if delivery_id in ours:
            groups.setdefault(tuple(sorted(values)), []).append(
                {"b_id": delivery_id, "b_worker": worker, **values}
            )
    for names, rows in groups.items():
        statement = (
            sa.update(table)
            .where(
                table.c.id == sa.bindparam("b_id"), table.c.claimed_by == sa.bindparam("b_worker")
            )
            .values({name: sa.bindparam(name) for name in names})
        )
        session.connection().execute(statement, rows)
    return [(delivery_id, status) for delivery_id, (status, _) in outcomes if delivery_id in ours]


def _gone(why: str) -> Callable[[], Result]:
    def send() -> Result:
        return Result(False, None, why, 0, final=True)

    return send


def _organization(session: Session, organization_id: int | None) -> str | None:
    if organization_id is None:
        return None
    found = session.get(models.Organization, organization_id)
    return found.external_id if found is not None else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=models.utcnow().tzinfo)


def deliver_due(
    session: Session,
    worker: str,
    *,
    settings: Settings,
    now: Callable[[], datetime] = models.utcnow,
    limit: int = 20,
) -> list[tuple[int, DeliveryStatus]]:
    """Dispatch new events, then claim and attempt the due deliveries (one batch);
    what each claimed delivery became."""
    dispatch(session, now=now())
    done: list[tuple[int, DeliveryStatus]] = []
    claimed = claim(session, worker, now=now(), lease_s=settings.notify_lease_s, limit=limit)
    if not claimed:
        return done
    with posting.http_client(settings) as client:
        prepared = [
            found
            for delivery_id in claimed
            if (
                found := _prepare(
                    session, delivery_id, worker, settings=settings, now=now, client=client
                )
            )
            is not None
        ]
        session.rollback()  # no transaction stays open while the receivers answer
        # Results are written at the end, so sending stops at half the lease: what is left
        # is handed back below and claimed again at once, never by two workers at a time.
        until = time.monotonic() + settings.notify_lease_s / 2
        results: list[tuple[_Prepared, Result, datetime]] = []
        for item in prepared:
            if time.monotonic() > until:
                break
            results.append((item, item.send(), now()))
    # One short write for the whole batch: a burst of deliveries after a national publish
    # takes the (SQLite) write lock once per batch, not once per delivery, and only once
    # every outcome is worked out.
    outcomes = [(item.delivery_id, _outcome(item, result, at)) for item, result, at in results]
    done += _record_all(session, outcomes, worker)
    unsent = [item.delivery_id for item in prepared[len(results) :]]
    if unsent:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(unsent), col(Delivery.claimed_by) == worker)
            .values(claimed_by=None, claimed_until=None)
        )
    commit(session)
    return done
