"""A new working plan written as its differences from the one stored, when a run's
result is saved (`outcome`).

Placements that stay at the same opening keep their row (and pin, source, override
reason); only differences are written, so a re-solve that moves three people writes three
rows. The diff is read before the transaction's first write and written after: the caller
checks the round's version with that write (every change of a working plan bumps it), so
the plan the diff was read from is the plan it is written to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import delete, insert, update
from sqlmodel import Session, col

from jet_match import models

Placement = models.Placement


@dataclass(frozen=True, slots=True)
class NewPlacement:
    """A placement a run's result writes (`outcome.py`), by row ids."""

    opening_id: int
    score: int
    breakdown: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What turns a working plan into a new one: placement rows to delete, to rescore
    and to add, and how many people that moves."""

    round_id: int
    deleted: list[int]
    rescored: list[dict[str, Any]]
    added: list[dict[str, Any]]
    moved: int


def diff_plan(
    session: Session, round_id: int, new: Mapping[int, NewPlacement], *, source: str
) -> PlanDiff:
    """Compare `new` (by participant row id) with the working plan as read now (reads only).

    Placements that stay at the same opening keep their row (and pin, source, override
    reason); only differences are written, so a re-solve that moves three people writes
    three rows. A caller that reads before its transaction's first write must make sure
    the plan did not change meanwhile (every change of a working plan bumps the round's
    version: check it with that write).
    """
    # A national plan is 5,500 rows: read without the ORM's row objects, each breakdown
    # as its JSON text decoded by orjson (a fifth of the time of both otherwise).
    statement: Any = sa.select(
        col(Placement.id),
        col(Placement.participant_id),
        col(Placement.opening_id),
        col(Placement.score),
        sa.cast(col(Placement.breakdown), sa.Text),
    ).where(col(Placement.round_id) == round_id)
    current: dict[int, tuple[int, int, int, str]] = {
        pid: (row_id, opening_id, score, breakdown)
        for row_id, pid, opening_id, score, breakdown in session.connection()
        .execute(statement)
        .all()
    }
    left = {
        pid: row_id
        for pid, (row_id, opening_id, _, _) in current.items()
        if pid not in new or new[pid].opening_id != opening_id
    }
    rescored = [
        {"id": row_id, "score": new[pid].score, "breakdown": dict(new[pid].breakdown)}
        for pid, (row_id, opening_id, score, breakdown) in current.items()
        if pid in new
        and new[pid].opening_id == opening_id
        and (new[pid].score != score or dict(new[pid].breakdown) != orjson.loads(breakdown))
    ]
    now = models.utcnow()
    added = [
        {
            "round_id": round_id,
            "participant_id": pid,
            "opening_id": placement.opening_id,
            "pinned": False,
            "score": placement.score,
            "breakdown": dict(placement.breakdown),
            "source": source,
            "override_reason": None,
            "updated_at": now,
        }
        for pid, placement in new.items()
        if pid not in current or current[pid][1] != placement.opening_id
    ]
    moved = len(set(left) | {pid for pid in new if pid not in current})
    return PlanDiff(round_id, list(left.values()), rescored, added, moved)


def write_plan(session: Session, diff: PlanDiff) -> int:
    """Write a diff (flushes, never commits: the caller's transaction decides); the
    number of people it moved."""
    if diff.deleted:
        session.execute(delete(Placement).where(col(Placement.id).in_(diff.deleted)))
    if diff.rescored:
        session.execute(update(Placement), diff.rescored)
    if diff.added:
        session.execute(insert(Placement), diff.added)
    session.flush()
    return diff.moved
