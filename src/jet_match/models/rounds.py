"""Matching rounds: rounds, runs, plans, forbidden pairs, publications; the review reads
the worker prepares after a run (issue 17)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from jet_match.models.columns import (
    external_id_column,
    json_list,
    text,
    timestamp,
    unique_ignoring_case,
)


class Round(SQLModel, table=True):
    """A matching round: its policy, its lifecycle and its working plan (in `placements`).

    `version` is the ETag of the round *and* of its plan: every change to either (a run's
    plan, an adjustment, a forbidden pair, a publication, a withdrawal) bumps it, so an
    If-Match on any of them refuses a write based on a plan the caller has not seen.
    `active_run_id` is set while a run is queued or running (one at a time per round).
    """

    __tablename__ = "rounds"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = external_id_column()
    name: str = text(200)
    programme_year: int = Field(nullable=False)
    positions: list[str] = json_list()
    weights: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    max_country_share_per_prefecture: float | None = Field(default=None, nullable=True)
    time_limit_s: float = Field(nullable=False)
    seed: int = Field(default=0, nullable=False)
    # The season's part of the policy: arrival groups, their cut-off, how offers are made.
    season: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    status: str = text(20, index=True)
    published_version: int = Field(default=0, nullable=False)
    active_run_id: int | None = Field(default=None, nullable=True)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Run(SQLModel, table=True):
    """One solve of a round. The row is also the queue entry a worker claims.

    `progress` holds the latest report (elapsed, best objective, bound, gap, phase);
    `outcome` the solver's summary once done; `plan` the run's placements as
    `[participant, opening, score]` triples (kept for comparisons); `unplaced` the
    participants it left unplaced with the reasons.
    """

    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False, index=True)
    status: str = text(20, index=True)
    minimise_disruption: bool = Field(default=True, nullable=False)
    time_limit_s: float = Field(nullable=False)
    seed: int = Field(default=0, nullable=False)
    base_version: int = Field(nullable=False)
    requested_by: str = text(100)
    cancel_requested: bool = Field(default=False, nullable=False)
    worker: str | None = text(100, nullable=True, default=None)
    created_at: datetime = timestamp()
    started_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    heartbeat_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    finished_at: datetime | None = Field(
        default=None, sa_type=sa.DateTime(timezone=True), nullable=True
    )
    progress: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    outcome: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    plan: list[Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    unplaced: list[Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    error: str | None = text(1000, nullable=True, default=None)
    # How many times a worker claimed the run: a solve cut by a database outage is queued
    # again while attempts < `run_max_attempts` (services/rounds/queue.py).
    attempts: int = Field(default=0, nullable=False)


class Placement(SQLModel, table=True):
    """A participant's place in a round's working plan (the plan coordinators adjust)."""

    __tablename__ = "placements"
    __table_args__ = (sa.UniqueConstraint("round_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False, index=True)
    pinned: bool = Field(default=False, nullable=False)
    score: int = Field(nullable=False)
    breakdown: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    source: str = text(20)
    override_reason: str | None = text(500, nullable=True, default=None)
    updated_at: datetime = timestamp()


class ForbiddenPair(SQLModel, table=True):
    """A participant x opening pair that no run of the round may use."""

    __tablename__ = "forbidden_pairs"
    __table_args__ = (sa.UniqueConstraint("round_id", "participant_id", "opening_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False)
    created_at: datetime = timestamp()


class Publication(SQLModel, table=True):
    """Version N of a round's plan, frozen when a coordinator published it."""

    __tablename__ = "publications"
    __table_args__ = (sa.UniqueConstraint("round_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False)
    version: int = Field(nullable=False)
    published_at: datetime = timestamp()
    published_by: str = text(100)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    # The scoring policy of the plan (weights, cap, digest); None before revision 0005.
    policy: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)


class PublishedPlacement(SQLModel, table=True):
    """A placement of a publication, never changed: `organization_id` for host reads, and
    what career-fair results show of the records as they were when it was published
    (`position`, `organization_name`, `prefecture`), so that a published version reads
    the same whatever happens to the records afterwards."""

    __tablename__ = "published_placements"
    __table_args__ = (sa.UniqueConstraint("publication_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publications.id", nullable=False)
    participant_id: int = Field(foreign_key="participants.id", nullable=False)
    opening_id: int = Field(foreign_key="openings.id", nullable=False)
    organization_id: int = Field(foreign_key="organizations.id", nullable=False, index=True)
    score: int = Field(nullable=False)
    breakdown: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    position: str = text(3)
    organization_name: str = text(200)
    prefecture: int = Field(nullable=False)


class PreparedReview(SQLModel, table=True):
    """What a review read of a round needs, prepared by the worker when a run completes or
    the round's plan or records change (services/rounds/prepared.py): one row per round
    and `kind` (`subject` names the participant or plan it is about, "" for the round).
    `stamp` digests everything the document was computed from; a read whose stamp differs
    computes afresh instead (a stale document is never shown)."""

    __tablename__ = "prepared_reviews"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rounds.id", nullable=False, ondelete="CASCADE")
    kind: str = text(20)
    subject: str = Field(default="", sa_type=sa.String(100), nullable=False)
    stamp: str = text(64)
    document: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    prepared_at: datetime = timestamp()


unique_ignoring_case(Round)
