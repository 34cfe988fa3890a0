"""Operations (issue 15): worker heartbeats; rate-limit counters shared by the API processes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import timestamp


class WorkerHeartbeat(SQLModel, table=True):
    """A worker process that is alive: it writes `beat_at` every few seconds, idle or
    busy, and deletes its row when it stops. Readiness needs one recent beat."""

    __tablename__ = "worker_heartbeats"

    id: int | None = Field(default=None, primary_key=True)
    worker: str = Field(sa_type=sa.String(100), nullable=False, unique=True)
    started_at: datetime = timestamp()
    beat_at: datetime = timestamp(index=True)
    run_id: int | None = Field(default=None, nullable=True)


class RateLimitCounter(SQLModel, table=True):
    """One fixed-window counter of the `limits` library (`services.security.rate_limits`):
    failed authentications of one client, counted in the database so that every API
    process sees the same count. `expires_at` is the window's end (Unix seconds)."""

    __tablename__ = "rate_limit_counters"

    key: str = Field(sa_type=sa.String(255), primary_key=True)
    count: int = Field(nullable=False)
    expires_at: float = Field(nullable=False, index=True)
