"""Wire models of notifications: webhooks, their deliveries, the events feed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jet_match.schemas.common import UtcDatetime
from jet_match.statuses import DeliveryStatus, EventKind

WebhookUrl = Annotated[
    str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://[\x21-\x7e]+$")
]
EventKinds = Annotated[list[EventKind], Field(min_length=1, max_length=len(EventKind))]


class WebhookCreate(BaseModel):
    """A new webhook: where to POST and which kinds of events."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.org/jet-match",
                    "events": ["round.published", "placement.vacated"],
                }
            ]
        },
    )

    url: WebhookUrl = Field(description="https URL (http only for loopback in development).")
    events: EventKinds = Field(description="Event kinds to receive.")


class WebhookUpdate(BaseModel):
    """Fields to change on a webhook; absent fields stay."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    url: WebhookUrl | None = None
    events: EventKinds | None = None
    active: bool | None = None


class WebhookPublic(BaseModel):
    """A webhook (never its secret)."""

    id: str
    url: str
    events: list[EventKind]
    organization: str | None = Field(
        description="The host organization whose events it receives; null: a coordinator's, "
        "for every event."
    )
    active: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class WebhookCreated(WebhookPublic):
    """A webhook just created: `secret` is shown this once."""

    secret: str = Field(
        description="The signing secret (`whsec_...`, Standard Webhooks). Store it now: it is "
        "never shown again."
    )


class DeliveryAttempt(BaseModel):
    """One attempt of a delivery."""

    at: UtcDatetime
    status_code: int | None = Field(description="The receiver's HTTP status; null: no answer.")
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    """One event delivered (or being delivered) to a webhook."""

    id: int
    event: str = Field(description="The event's id (the `Webhook-Id` header).")
    type: EventKind
    status: DeliveryStatus
    attempts: int
    next_attempt_at: UtcDatetime | None = Field(description="When it is tried next (pending).")
    delivered_at: UtcDatetime | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt]


class EventPublic(BaseModel):
    """An event of the outbox, as delivered to webhooks."""

    id: str = Field(examples=["evt_2b7f7c1e6f0a4d7e9f5e1a2b3c4d5e6f"])
    type: EventKind
    timestamp: UtcDatetime
    organization: str | None = Field(description="The host organization it is about.")
    data: dict[str, Any]


class EventPage(BaseModel):
    """One page of the events feed; pass `next_cursor` as `cursor` for what follows."""

    items: list[EventPublic]
    next_cursor: str = Field(
        description="Cursor after the last event read: keep it and ask again later to get "
        "only newer events (it is never null, so a feed can always be resumed)."
    )
    has_more: bool = Field(description="More events follow right now.")


class EmailPreferences(BaseModel):
    """The event kinds a user receives by e-mail."""

    model_config = ConfigDict(extra="forbid")

    disabled: list[EventKind] = Field(description="Kinds the user turned off.")
