"""Webhooks: signed POSTs of events to a receiver (coordinators; host organizations for
their own organization's events); their deliveries and redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from jet_match.api.deps import IfMatch, PageDep, SessionDep, SettingsDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.notifications import (
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)
from jet_match.services.kit.access import Action, Caller
from jet_match.services.notifications import webhooks

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

Owner = Annotated[Caller, Depends(allowed(Action.WEBHOOKS))]
WebhookId = Annotated[
    str,
    Path(
        pattern=r"^wh_[0-9a-f]{16}$",
        description="The webhook's id.",
        examples=["wh_3f9a2b1c4d5e6f70"],
    ),
]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The delivery's id.")]


@router.post(
    "",
    response_model=WebhookCreated,
    status_code=201,
    responses={
        **documented(201, "Created; the secret is in the answer, this once."),
        **responses(400, 401, 403, 422),
    },
)
def create_webhook(
    webhook: WebhookCreate,
    session: SessionDep,
    caller: Owner,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Create a webhook.

    Events of the kinds named are POSTed to `url`, signed the Standard Webhooks way
    (docs/notifications.md shows how to verify). The answer's `secret` is shown this
    once. A host organization's webhook receives only its own organization's events.
    Retries are not deduplicated (no Idempotency-Key): each creates a webhook.
    """
    written = webhooks.create_webhook(
        session=session, caller=caller, webhook_in=webhook, settings=settings
    )
    return with_headers(response, written)


@router.get("", response_model=Page[WebhookPublic], responses=responses(401, 403, 422))
def list_webhooks(session: SessionDep, caller: Owner, page: PageDep) -> Page[WebhookPublic]:
    """List webhooks (a host: its organization's), never their secrets."""
    return webhooks.list_webhooks(session=session, caller=caller, page=page)


@router.get(
    "/{webhook_id}",
    response_model=WebhookPublic,
    responses={**documented(200, "The webhook."), **responses(401, 403, 404, 422)},
)
def get_webhook(
    webhook_id: WebhookId, session: SessionDep, caller: Owner, response: Response
) -> WebhookPublic:
    """Read a webhook (never its secret)."""
    written = webhooks.get_webhook(session=session, caller=caller, webhook_id=webhook_id)
    return with_headers(response, written)


@router.patch(
    "/{webhook_id}",
    response_model=WebhookPublic,
    responses={**documented(200, "Updated."), **responses(400, 401, 403, 404, 412, 422, 428)},
)
def update_webhook(
    webhook_id: WebhookId,
    changes: WebhookUpdate,
    session: SessionDep,
    caller: Owner,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> WebhookPublic:
    """Change a webhook's URL, event kinds or `active` (needs `If-Match`)."""
    written = webhooks.update_webhook(
        session=session,
        caller=caller,
        webhook_id=webhook_id,
        changes=changes,
        if_match=if_match,
        settings=settings,
    )
    return with_headers(response, written)


@router.delete(
    "/{webhook_id}", status_code=204, responses=responses(401, 403, 404, 409, 412, 422, 428)
)
def delete_webhook(
    webhook_id: WebhookId, session: SessionDep, caller: Owner, if_match: IfMatch = None
) -> Response:
    """Delete a webhook and its deliveries (needs `If-Match`)."""
    webhooks.delete_webhook(
        session=session, caller=caller, webhook_id=webhook_id, if_match=if_match
    )
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryPublic],
    responses=responses(401, 403, 404, 422),
)
def list_deliveries(
    webhook_id: WebhookId, session: SessionDep, caller: Owner, page: PageDep
) -> Page[DeliveryPublic]:
    """List a webhook's deliveries, newest first, with each attempt's status.

    `pending` deliveries are retried with exponential backoff for about 27 hours, then
    `failed` (still listed: redeliver them once the receiver is mended).
    """
    return webhooks.list_deliveries(
        session=session, caller=caller, webhook_id=webhook_id, page=page
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryPublic,
    responses=responses(401, 403, 404, 422),
)
def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, session: SessionDep, caller: Owner
) -> DeliveryPublic:
    """Deliver an event again (the same event id: receivers de-duplicate by it).

    Idempotent, so no Idempotency-Key: asking twice schedules one new delivery.
    """
    return webhooks.redeliver(
        session=session, caller=caller, webhook_id=webhook_id, delivery_id=delivery_id
    )
