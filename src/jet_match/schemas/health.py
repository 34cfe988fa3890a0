"""Wire models of the health checks."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    Field,
)


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])


class Liveness(BaseModel):
    """The process answers (nothing else is checked)."""

    status: Literal["alive"] = "alive"
    version: str = Field(examples=["0.1.0"])


class ReadinessCheck(BaseModel):
    """One condition of readiness."""

    name: Literal["database", "migrations", "workers", "queue", "events"]
    ok: bool
    detail: str = Field(examples=["1 worker beat within 30 s"])


class Readiness(BaseModel):
    """Whether the service can do its work now; `checks` for coordinators only."""

    status: Literal["ready", "not_ready"]
    checks: list[ReadinessCheck] | None = Field(
        default=None, description="Each condition and why it holds or not (coordinators)."
    )
