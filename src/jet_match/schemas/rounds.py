"""Wire models of matching rounds and their policy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from jet_match.dataset import format as fmt
from jet_match.schemas.common import Name200, UtcDatetime
from jet_match.statuses import RoundStatus

TimeLimit = Annotated[float, Field(ge=1, le=3600, description="Seconds the solver may search.")]


Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Seed of the solver's randomness.")]


GroupName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$",
        description="The group's name (letters, digits, space, '_' or '-').",
        examples=["A"],
    ),
]


class ArrivalGroup(BaseModel):
    """A group of placed participants who travel to Japan together.

    A placement goes to the first group (in policy order) whose countries and positions
    include the participant's (an empty list: any); one that no group takes, and every
    upgrade first published after the policy's `arrival_cutoff`, goes to the last group.
    """

    model_config = ConfigDict(extra="forbid")

    name: GroupName
    date: dt.date = Field(description="The day the group arrives in Japan.")
    countries: Annotated[list[fmt.CountryCode], Field(max_length=300)] = Field(
        default_factory=list, description="Sending countries it takes; empty: any."
    )
    positions: Annotated[list[fmt.Position], Field(max_length=3)] = Field(
        default_factory=list, description="Positions it takes; empty: any."
    )


ArrivalGroups = Annotated[
    list[ArrivalGroup],
    Field(max_length=26, description="Arrival groups in order (docs/season-offers.md)."),
]


def _distinct_group_names(groups: list[ArrivalGroup] | None) -> None:
    names = [group.name for group in groups or []]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"arrival group names repeat: {', '.join(repeated)}")


class OfferPolicy(BaseModel):
    """How vacancies after publication are offered to alternates."""

    model_config = ConfigDict(extra="forbid")

    automatic: bool = Field(
        default=False,
        description="The worker offers every vacancy to the next eligible alternate itself; "
        "otherwise a coordinator makes each first offer (declines and expiries pass on "
        "either way).",
    )
    expiry_days: int = Field(
        default=7, ge=1, le=60, description="Days an alternate has to answer an offer."
    )


class RoundPolicy(BaseModel):
    """How a round scores and solves (docs/scoring.md): weights, country cap, time limit."""

    model_config = ConfigDict(extra="forbid")

    weights: fmt.Weights = Field(
        default_factory=fmt.Weights,
        description="Every score weight, and `disruption`: the cost of moving someone from "
        "the current plan in a re-solve. Absent weights keep their defaults.",
    )
    max_country_share_per_prefecture: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="In every prefecture, at most max(1, floor(f x slots)) people of one "
        "country; null: no cap.",
    )
    time_limit_s: TimeLimit = 60.0
    seed: Seed = 0
    arrival_groups: ArrivalGroups = Field(default_factory=list)
    arrival_cutoff: dt.date | None = Field(
        default=None,
        description="Upgrades first published after this day go to the last arrival group.",
    )
    offers: OfferPolicy = Field(default_factory=OfferPolicy)

    @model_validator(mode="after")
    def _distinct_groups(self) -> RoundPolicy:
        _distinct_group_names(self.arrival_groups)
        return self


class RoundCreate(BaseModel):
    """A new matching round."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "R2026-MAIN",
                    "name": "2026 main round",
                    "programme_year": 2026,
                    "positions": ["ALT", "CIR", "SEA"],
                    "policy": {"weights": {"disruption": 80}, "time_limit_s": 60},
                }
            ]
        },
    )

    external_id: fmt.ExternalId
    name: Name200
    programme_year: int = Field(ge=1987, le=2100, description="The JET year the round places.")
    positions: Annotated[list[fmt.Position], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list(fmt.Position),
        description="Positions the round places (its runs cover these only).",
    )
    policy: RoundPolicy = Field(default_factory=RoundPolicy)


Weight = Annotated[int, Field(ge=0, le=10_000)]


class WeightsUpdate(BaseModel):
    """Weights to change (docs/scoring.md); absent ones keep the round's current values.

    tests/api/test_schemas.py checks that it carries every field of the dataset's
    `Weights` with the same constraints.
    """

    model_config = ConfigDict(extra="forbid")

    preference_1: Weight | None = None
    preference_2: Weight | None = None
    preference_3: Weight | None = None
    same_region: Weight | None = None
    area_any: Weight | None = None
    area_match: Weight | None = None
    area_adjacent: Weight | None = None
    school_match: Weight | None = None
    school_flexible: Weight | None = None
    requested_country: Weight | None = None
    sister_region: Weight | None = None
    experience: Weight | None = None
    japanese_per_level: Weight | None = None
    japanese_cap: Weight | None = None
    disruption: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        default=None, description="Cost of moving someone from previous_plan."
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> WeightsUpdate:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"a weight cannot be null: {', '.join(nulls)}")
        return self


class RoundPolicyUpdate(BaseModel):
    """Policy fields to change; absent ones (and absent weights) keep their current values."""

    model_config = ConfigDict(extra="forbid")

    weights: WeightsUpdate | None = Field(
        default=None, description="Only the weights given change, one by one."
    )
    max_country_share_per_prefecture: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="A new country cap; `null` removes the cap; absent: unchanged.",
    )
    time_limit_s: TimeLimit | None = None
    seed: Seed | None = None
    arrival_groups: ArrivalGroups | None = Field(
        default=None, description="The new list of arrival groups (replaces the old one)."
    )
    arrival_cutoff: dt.date | None = Field(
        default=None, description="A new cut-off day; `null` removes it; absent: unchanged."
    )
    offers: OfferPolicy | None = Field(default=None, description="How offers are made now.")

    @model_validator(mode="after")
    def _no_nulls(self) -> RoundPolicyUpdate:
        _distinct_group_names(self.arrival_groups)
        nulls = sorted(
            name
            for name in ("weights", "time_limit_s", "seed", "arrival_groups", "offers")
            if name in self.model_fields_set and getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"cannot be null: {', '.join(nulls)} (leave it out to keep it)")
        return self


class RoundUpdate(BaseModel):
    """Fields to change on a round (absent: unchanged). Positions only before the first plan.

    `policy` is merged into the round's policy: only the fields sent change (so
    `{"policy": {"time_limit_s": 30}}` keeps the weights, the cap and the seed).
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"policy": {"time_limit_s": 30}}]}
    )

    name: Name200 | None = None
    positions: Annotated[list[fmt.Position], Field(min_length=1, max_length=3)] | None = None
    policy: RoundPolicyUpdate | None = None


class RoundPublic(BaseModel):
    """A round, its lifecycle status and the state of its working plan."""

    external_id: str
    name: str
    programme_year: int
    positions: list[fmt.Position]
    policy: RoundPolicy
    status: RoundStatus
    published_version: int | None = Field(
        description="Latest published version (1, 2, ...); null before the first publication."
    )
    active_run: int | None = Field(description="The run queued or running now, if any.")
    placed: int = Field(description="Participants placed in the working plan.")
    pinned: int = Field(description="Placements pinned by coordinators.")
    forbidden: int = Field(description="Forbidden pairs of the round.")
    open_vacancies: int = Field(
        description="Places the latest publication filled that the working plan no longer "
        "fills, at open openings of the round (0 before the first publication): what "
        "fill-vacancies offers to alternates."
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime
