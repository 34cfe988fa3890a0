"""Webhooks: create (the signing secret is answered once), read, change, delete; their
deliveries and redelivery.

A coordinator's webhook receives every event of the kinds it names; a host
organization's belongs to that organization, may name only the kinds hosts receive
(`outbox.HOST_KINDS`) and receives only events about its own organization. A host never
sees another organization's webhooks (404, as for a missing one).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import Conflict, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.notifications import (
    DeliveryAttempt,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import (
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
    updated_one,
)
from jet_match.services.notifications import outbox, posting
from jet_match.services.security import audit
from jet_match.statuses import DeliveryStatus, EventKind

Webhook = models.Webhook
Delivery = models.NotificationDelivery


def _visible(caller: Caller) -> Any:
    statement = select(Webhook)
    if caller.scoped_to_organization:
        statement = statement.where(col(Webhook.organization_id) == caller.organization_id)
    return statement


def _find(session: Session, caller: Caller, webhook_id: str) -> models.Webhook:
    row: models.Webhook | None = session.scalars(
        _visible(caller).where(col(Webhook.external_id) == webhook_id)
    ).first()
    if row is None:
        raise NotFound(f"no webhook '{webhook_id}'")
    return row


def _organization_names(session: Session, rows: list[models.Webhook]) -> dict[int, str]:
    """The external ids of the organizations behind `rows`, in one query."""
    return lookups.organization_external_ids(session, (row.organization_id for row in rows))


def _public(session: Session, row: models.Webhook) -> WebhookPublic:
    return _public_named(row, _organization_names(session, [row]))


def _public_named(row: models.Webhook, organizations: dict[int, str]) -> WebhookPublic:
    return WebhookPublic(
        id=row.external_id,
        url=row.url,
        events=[EventKind(kind) for kind in row.events],
        organization=(
            organizations.get(row.organization_id) if row.organization_id is not None else None
        ),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _check_kinds(caller: Caller, kinds: list[EventKind]) -> list[str]:
    """The kinds as stored (in order, once each); a host may name only host kinds."""
    if caller.scoped_to_organization:
        refused = [kind.value for kind in kinds if not outbox.visible_to_host(kind)]
        if refused:
            raise InvalidInput(
                f"a host organization does not receive {', '.join(refused)} events",
                [
                    FieldProblem("webhook", None, "events", "event_not_allowed", kind)
                    for kind in refused
                ],
            )
    return list(dict.fromkeys(kind.value for kind in kinds))


def create_webhook(
    *, session: Session, caller: Caller, webhook_in: WebhookCreate, settings: Settings
) -> Written[WebhookCreated]:
    """Create a webhook; the answer holds its signing secret, shown this once."""
    authorize(caller, Action.WEBHOOKS)
    posting.check_url(webhook_in.url, settings)
    row = Webhook(
        external_id=f"wh_{secrets.token_hex(8)}",
        url=webhook_in.url,
        events=_check_kinds(caller, webhook_in.events),
        organization_id=caller.organization_id if caller.scoped_to_organization else None,
        secret=posting.new_secret(),
        created_by=caller.actor,
    )
    session.add(row)
    session.flush()
    audit.record(session, caller, "webhook.create", "webhook", row.external_id, events=row.events)
    secret = row.secret
    commit(session)
    created = WebhookCreated(**_public(session, row).model_dump(), secret=secret)
    return Written(created, etag_of(row.version), status_code=201)


def list_webhooks(*, session: Session, caller: Caller, page: PageRequest) -> Page[WebhookPublic]:
    """The webhooks the caller may see (a host: its organization's)."""
    authorize(caller, Action.WEBHOOKS)
    found = paginate(session, _visible(caller), col(Webhook.external_id), page)
    rows = [row for (row,) in found.rows]
    names = _organization_names(session, rows)
    return Page(items=[_public_named(row, names) for row in rows], next_cursor=found.next_cursor)


def get_webhook(*, session: Session, caller: Caller, webhook_id: str) -> Written[WebhookPublic]:
    """One webhook (never its secret)."""
    authorize(caller, Action.WEBHOOKS)
    row = _find(session, caller, webhook_id)
    return Written(_public(session, row), etag_of(row.version))


def update_webhook(
    *,
    session: Session,
    caller: Caller,
    webhook_id: str,
    changes: WebhookUpdate,
    if_match: str | None,
    settings: Settings,
) -> Written[WebhookPublic]:
    """Change a webhook's URL, kinds or activity, if it is at the version the caller saw."""
    authorize(caller, Action.WEBHOOKS)
    row = _find(session, caller, webhook_id)
    check_if_match(if_match, row.version)
    values: dict[str, Any] = {}
    if changes.url is not None:
        posting.check_url(changes.url, settings)
        values["url"] = changes.url
    if changes.events is not None:
        values["events"] = _check_kinds(caller, changes.events)
    if changes.active is not None:
        values["active"] = changes.active
    assert row.id is not None
    version = row.version
    if values:
        version = compare_and_swap(session, Webhook, row.id, row.version, **values)
        audit.record(
            session, caller, "webhook.update", "webhook", row.external_id, fields=sorted(values)
        )
        commit(session)
        session.refresh(row)
    return Written(_public(session, row), etag_of(version))


def delete_webhook(
    *, session: Session, caller: Caller, webhook_id: str, if_match: str | None
) -> None:
    """Delete a webhook and its deliveries (pending ones are never made)."""
    authorize(caller, Action.WEBHOOKS)
    row = _find(session, caller, webhook_id)
    check_if_match(if_match, row.version)
    session.execute(delete(Delivery).where(col(Delivery.webhook_id) == row.id))
    gone = session.execute(
        delete(Webhook).where(col(Webhook.id) == row.id, col(Webhook.version) == row.version)
    )
    if not updated_one(gone):
        session.rollback()
        raise Conflict(f"webhook '{webhook_id}' changed meanwhile: read it again")
    audit.record(session, caller, "webhook.delete", "webhook", webhook_id)
    commit(session)


def _delivery_public(
    row: models.NotificationDelivery, event: models.NotificationEvent
) -> DeliveryPublic:
    pending = row.status == DeliveryStatus.PENDING.value
    return DeliveryPublic(
        id=row.id or 0,
        event=event.event_id,
        type=EventKind(event.kind),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if pending else None,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
        attempt_log=[DeliveryAttempt.model_validate(entry) for entry in row.attempts_log],
    )


def list_deliveries(
    *, session: Session, caller: Caller, webhook_id: str, page: PageRequest
) -> Page[DeliveryPublic]:
    """A webhook's deliveries, newest first, with each attempt's outcome."""
    authorize(caller, Action.WEBHOOKS)
    hook = _find(session, caller, webhook_id)
    event = models.NotificationEvent
    statement = (
        select(Delivery, event)
        .join(event, col(event.id) == Delivery.event_id)
        .where(col(Delivery.webhook_id) == hook.id)
    )
    found = paginate(session, statement, col(Delivery.id), page, key_type=int, descending=True)
    return Page(
        items=[_delivery_public(d, e) for d, e in found.rows], next_cursor=found.next_cursor
    )


def redeliver(
    *, session: Session, caller: Caller, webhook_id: str, delivery_id: int
) -> DeliveryPublic:
    """Deliver an event again now (a failed one, or one delivered that the receiver lost):
    it is retried from the start with the same event id, so receivers can de-duplicate."""
    authorize(caller, Action.WEBHOOKS)
    hook = _find(session, caller, webhook_id)
    found = session.get(Delivery, delivery_id) if 0 < delivery_id <= 2**31 - 1 else None
    if found is None or found.webhook_id != hook.id:
        raise NotFound(f"no delivery {delivery_id} of webhook '{webhook_id}'")
    now = models.utcnow()
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .values(
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            first_attempt_at=None,
            next_attempt_at=now,
            claimed_by=None,
            claimed_until=None,
            delivered_at=None,
        )
    )
    audit.record(session, caller, "webhook.redeliver", "webhook", webhook_id, delivery=delivery_id)
    commit(session)
    row = session.get(Delivery, delivery_id, populate_existing=True)
    assert row is not None
    event_row = session.get(models.NotificationEvent, row.event_id)
    assert event_row is not None
    return _delivery_public(row, event_row)
