"""Wire models of the career fair: fairs, their employers, and the results feed's changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name100, Name200, UtcDatetime
from jet_match.schemas.publications import ResultItem
from jet_match.schemas.records import Email

Capacity = Annotated[int, Field(ge=1, le=100_000)]


class FairCreate(BaseModel):
    """A new career fair (coordinators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "FAIR-2027-TOKYO",
                    "name": "JET Career Fair Tokyo",
                    "held_on": "2027-02-20",
                    "venue": "Tokyo International Forum",
                    "capacity": 300,
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    name: Name200
    held_on: date
    venue: Name200 | None = None
    online: bool = False
    capacity: Capacity


class FairUpdate(BaseModel):
    """Fields to change on a fair; absent fields stay, `null` clears the venue."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"capacity": 350}]})

    name: Name200 | None = None
    held_on: date | None = None
    venue: Name200 | None = None
    online: bool | None = None
    capacity: Capacity | None = None


class FairPublic(BaseModel):
    """A fair as coordinators and career-fair tools read it."""

    external_id: str
    name: str
    held_on: date
    venue: str | None
    online: bool
    capacity: int
    employers: int = Field(description="How many employers take part.")
    updated_at: UtcDatetime


class EmployerCreate(BaseModel):
    """An employer taking part in a fair (coordinators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "EMP-ACME",
                    "company": "ACME Translation K.K.",
                    "sector": "translation",
                    "contact_name": "Suzuki Ichiro",
                    "contact_email": "recruit@acme.example",
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    company: Name200
    sector: Name100
    contact_name: Name200 | None = None
    contact_email: Email | None = None


class EmployerPublic(BaseModel):
    """An employer of a fair."""

    external_id: str
    company: str
    sector: str
    contact_name: str | None
    contact_email: str | None


class ResultChanges(BaseModel):
    """What changed in the published results since a sync token: placements added, changed
    (another opening) and removed; pass `sync_token` next time."""

    sync_token: str = Field(description="Give it back as `since` to get the next changes.")
    added: list[ResultItem]
    changed: list[ResultItem]
    removed: list[ResultItem] = Field(
        description="Placements no longer published, as they were last published."
    )


class ResultsPage(BaseModel):
    """A page of published results; `sync_token` names the publications it lists."""

    items: list[ResultItem]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page."
    )
    sync_token: str = Field(
        description="The published versions this listing reads: give it as `since` to "
        "`/results/changes` to get what was added, changed or removed afterwards."
    )
