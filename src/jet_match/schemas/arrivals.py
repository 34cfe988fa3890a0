"""Wire models of arrival rosters."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from jet_match.dataset import format as fmt


class ArrivalItem(BaseModel):
    """A placement of the latest published version and the arrival group it travels with."""

    group: str | None = Field(description="The arrival group; null: the policy defines none.")
    arrives_on: dt.date | None
    participant: str
    family_name: str
    given_name: str
    citizenship: str
    position: fmt.Position
    opening: str
    organization: str
    organization_name: str
    prefecture: int
    version: int = Field(description="The published version the roster reads.")
