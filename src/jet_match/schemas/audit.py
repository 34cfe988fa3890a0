"""Wire models of the audit trail."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    Field,
)

from jet_match.schemas.common import UtcDatetime


class AuditEventPublic(BaseModel):
    """One entry of the audit trail."""

    id: int
    occurred_at: UtcDatetime
    actor: str = Field(description="`key:<id>` for an API key, `cli` for the command line.")
    actor_key_id: str | None = Field(description="Prefix of the API key that acted, if any.")
    action: str = Field(examples=["opening.update"])
    resource_type: str = Field(examples=["opening"])
    resource_id: str | None = Field(examples=["OPN-0001"])
    request_id: str | None
    detail: dict[str, Any]
