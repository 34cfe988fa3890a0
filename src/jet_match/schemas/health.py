"""Wire model of the health check."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    Field,
)


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])
