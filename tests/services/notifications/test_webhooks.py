"""Webhooks as a service: host organizations see and change only their own; a
redelivery names a delivery of that webhook; changes are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import InvalidInput, NotFound
from jet_match.schemas.notifications import WebhookUpdate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.notifications import delivery, webhooks
from notification_support import add_webhook, host_caller
from round_support import published_round
from service_support import Keys
from statement_count import statements_sent

URL = "http://127.0.0.1:9/hook"


def test_a_host_never_sees_another_organizations_webhook(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    hook_a, _ = add_webhook(
        engine, settings, URL, ["round.published"], host_caller(engine, "ORG-A")
    )
    host_b = host_caller(engine, "ORG-B")
    with Session(engine) as session:
        with pytest.raises(NotFound):
            webhooks.get_webhook(session=session, caller=host_b, webhook_id=hook_a)
        with pytest.raises(NotFound):
            webhooks.update_webhook(
                session=session,
                caller=host_b,
                webhook_id=hook_a,
                changes=WebhookUpdate(active=False),
                if_match="*",
                settings=settings,
            )
        with pytest.raises(NotFound):
            webhooks.delete_webhook(session=session, caller=host_b, webhook_id=hook_a, if_match="*")
        page = webhooks.list_webhooks(session=session, caller=host_b, page=PageRequest())
        assert page.items == []
        mine = webhooks.get_webhook(
            session=session, caller=host_caller(engine, "ORG-A"), webhook_id=hook_a
        )
        assert mine.resource.organization == "ORG-A"


def test_a_host_may_not_widen_its_webhook_to_coordinator_events(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    host = host_caller(engine, "ORG-A")
    hook, _ = add_webhook(engine, settings, URL, ["round.published"], host)
    with Session(engine) as session, pytest.raises(InvalidInput):
        webhooks.update_webhook(
            session=session,
            caller=host,
            webhook_id=hook,
            changes=WebhookUpdate.model_validate({"events": ["opening.changed"]}),
            if_match="*",
            settings=settings,
        )


def test_redelivery_names_a_delivery_of_that_webhook(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    first, _ = add_webhook(engine, settings, URL, ["round.published"])
    second, _ = add_webhook(engine, settings, URL, ["run.finished"])
    published_round(engine, settings)
    with Session(engine) as session:
        delivery.dispatch(session)
        of_first = session.scalars(
            select(models.NotificationDelivery.id)
            .join(models.Webhook)
            .where(models.Webhook.external_id == first)
        ).first()
        assert of_first is not None
        with pytest.raises(NotFound):
            webhooks.redeliver(
                session=session, caller=COMMAND_LINE, webhook_id=second, delivery_id=of_first
            )
        again = webhooks.redeliver(
            session=session, caller=COMMAND_LINE, webhook_id=first, delivery_id=of_first
        )
        assert again.type == "round.published"
        actions = session.scalars(select(models.AuditEvent.action)).all()
    assert {"webhook.create", "webhook.redeliver"} <= set(actions)


def _webhook_listing_statements(engine: Engine) -> tuple[int, list[str | None]]:
    with Session(engine) as session, statements_sent(engine) as sent:
        page = webhooks.list_webhooks(session=session, caller=COMMAND_LINE, page=PageRequest())
    return len(sent), [hook.organization for hook in page.items]


def test_a_page_of_webhooks_costs_the_same_queries_whatever_its_length(
    keys: Keys, engine: Engine, settings: Settings
) -> None:
    add_webhook(engine, settings, URL, ["round.published"], host_caller(engine, "ORG-A"))
    one, _ = _webhook_listing_statements(engine)
    add_webhook(engine, settings, URL, ["round.published"], host_caller(engine, "ORG-B"))
    add_webhook(engine, settings, URL, ["round.published"])
    add_webhook(engine, settings, URL, ["round.published"], host_caller(engine, "ORG-A"))
    four, organizations = _webhook_listing_statements(engine)
    assert sorted(organizations, key=lambda name: name or "") == [None, "ORG-A", "ORG-A", "ORG-B"]
    assert four == one
