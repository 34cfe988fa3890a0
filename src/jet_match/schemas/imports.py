"""Wire models of imports, and the kinds of sheet that imports and exports share."""

from __future__ import annotations

from enum import StrEnum

from pydantic import (
    BaseModel,
    Field,
)


class KindCounts(BaseModel):
    """What an import did to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportResult(BaseModel):
    """Counts of an all-or-nothing import, per kind of record."""

    organizations: KindCounts = Field(default_factory=KindCounts)
    openings: KindCounts = Field(default_factory=KindCounts)
    participants: KindCounts = Field(default_factory=KindCounts)
    contracts: KindCounts = Field(default_factory=KindCounts)
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="Parts of the dataset that belong to matching rounds and were not stored "
        "(`pins`, `forbidden`, `previous_plan`, `policy`).",
    )


class SheetKind(StrEnum):
    """The kinds of record a sheet can hold."""

    ORGANIZATIONS = "organizations"
    OPENINGS = "openings"
    PARTICIPANTS = "participants"
    CONTRACTS = "contracts"
