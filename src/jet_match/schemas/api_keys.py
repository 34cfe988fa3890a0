"""Wire models of API keys."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime
from jet_match.statuses import Role


class ApiKeyCreate(BaseModel):
    """A new API key: its role, and for `host_org` the organization it acts for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"role": "host_org", "organization": "ORG-01-PREF", "name": "Hokkaido BoE"}
            ]
        },
    )

    role: Role
    organization: fmt.ExternalId | None = Field(
        default=None, description="external_id of the organization; required for host_org only."
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Who or what uses the key (shown in lists and the audit trail)."
    )
    prefecture_scope: bool = Field(
        default=False,
        description="A host_org key of a prefecture (organization kind `prefecture`) may also "
        "read the contracts, openings, demand and published placements of every organization "
        "in its prefecture (it changes only its own).",
    )
    expires_at: UtcDatetime | None = Field(
        default=None,
        description="When the key stops working (in the future); none: until revoked.",
        examples=["2027-03-31T23:59:59Z"],
    )


class ApiKeyPublic(BaseModel):
    """An API key as listed: never its secret."""

    id: str = Field(description="The key's public prefix, which also starts the key itself.")
    role: Role
    organization: str | None
    name: str
    prefecture_scope: bool = False
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None
    expires_at: UtcDatetime | None = Field(description="When the key stops working, if ever.")
    last_used_at: UtcDatetime | None = Field(
        description="When the key last authenticated a request (kept to the minute)."
    )


class ApiKeyCreated(ApiKeyPublic):
    """A key just created: `key` is shown this once and cannot be recovered."""

    key: str = Field(description="The bearer token. Store it now: it is never shown again.")
