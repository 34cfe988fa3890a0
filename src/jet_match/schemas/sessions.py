"""Wire models of staff (workspace) sessions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from jet_match.schemas.common import UtcDatetime
from jet_match.statuses import Role


class StaffSessionPublic(BaseModel):
    """A signed-in browser as coordinators see it (never its token)."""

    id: int = Field(description="The session's id (to revoke it).")
    email: str
    display_name: str
    role: Role
    created_at: UtcDatetime
    last_seen_at: UtcDatetime
