"""Wire models of contracts (the JETs in post, docs/season.md).

A contract travels exactly as the dataset's record (`jet_match.dataset.format.Contract`):
a POST body is a dataset record and so is every answer. A PATCH body (`ContractUpdate`)
carries the same fields, all optional, minus `external_id`; a host organization may send
only `intention`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name100

YearInProgramme = Annotated[int, Field(ge=1, le=5)]


class ContractUpdate(BaseModel):
    """Fields to change on a contract; absent fields stay, `null` clears optional ones.

    Setting `intention` also sets `intention_set_on` to today, unless the body sets it.
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"intention": "reappointing"}]}
    )

    family_name: Name100 | None = None
    given_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    citizenship: fmt.CountryCode | None = None
    position: fmt.Position | None = None
    organization: fmt.ExternalId | None = None
    opening: fmt.ExternalId | None = None
    started_on: date | None = None
    ends_on: date | None = None
    year_in_programme: YearInProgramme | None = None
    japanese_level: fmt.JapaneseLevel | None = None
    field_of_study: Annotated[str, StringConstraints(max_length=100)] | None = None
    intention: fmt.Intention | None = None
    intention_set_on: date | None = None
