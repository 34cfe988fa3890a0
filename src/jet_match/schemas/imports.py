"""Wire models of imports."""

from __future__ import annotations

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
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="Parts of the dataset that belong to matching rounds and were not stored "
        "(`pins`, `forbidden`, `previous_plan`, `policy`).",
    )
