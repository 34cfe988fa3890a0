"""The records a process keeps between requests and runs, by database: every
organization and opening (kept while none of them is written) and every participant as
the solver's record (kept by row, re-read when its row changes). A review read or a run
then reads a few thousand versions instead of building 9,000 records.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.services.bridge.solving import solver_participant
from jet_match.services.kit.records import (
    opening_record,
    organization_record,
    participant_record,
)
from jet_match.solver import Participant


@dataclass
class Kept:
    """What a process keeps of one database between requests or runs (the records)."""

    catalogue_stamp: object = None
    catalogue: tuple[list[fmt.Organization], list[fmt.Opening]] = ([], [])
    people: dict[int, tuple[object, Participant]] = field(default_factory=dict)
    people_in_order: list[Participant] = field(default_factory=list)  # by external_id
    people_stamp: object = None  # the participants' count, latest write and versions


_kept: dict[str, Kept] = {}
_kept_lock = threading.Lock()


def database_of(session: Session) -> str:
    """The session's database, as the caches key it (without its password)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=True)


def _kept_for(session: Session) -> Kept:
    """The cache of the session's database (tests and tools may use several)."""
    url = database_of(session)
    with _kept_lock:
        return _kept.setdefault(url, Kept())


def forget() -> None:
    """Forget what is kept of every database (a fresh process, as benchmarks need)."""
    with _kept_lock:
        _kept.clear()


def catalogue(session: Session) -> tuple[list[fmt.Organization], list[fmt.Opening]]:
    """Every organization and opening as dataset records, kept while none of them changes
    (the stamp counts the rows, their versions and their latest write)."""
    counted = [
        sa.select(
            sa.literal(table.__tablename__).label("kind"),
            func.count(),
            func.max(table.updated_at),
            func.sum(table.version),
        )
        for table in (models.Organization, models.Opening)
    ]
    stamp = tuple(  # one statement (a round trip to PostgreSQL, twice in some reads)
        tuple(row)
        for row in session.connection().execute(
            sa.union_all(*counted).subquery().select().order_by(sa.column("kind"))
        )
    )
    kept = _kept_for(session)
    with _kept_lock:
        if kept.catalogue_stamp == stamp:
            return kept.catalogue
    # Plain rows, not ORM objects (a first read builds 3,000 records).
    org_table = sa.inspect(models.Organization).local_table
    rows = session.execute(sa.select(org_table).order_by(org_table.c.external_id)).all()
    organizations = [organization_record(org) for org in rows]
    external_ids = {org.id: org.external_id for org in rows}
    opening_table = sa.inspect(models.Opening).local_table
    openings = [
        opening_record(opening, external_ids[opening.organization_id])
        for opening in session.execute(
            sa.select(opening_table).order_by(opening_table.c.external_id)
        )
    ]
    with _kept_lock:
        kept.catalogue_stamp, kept.catalogue = stamp, (organizations, openings)
    return organizations, openings


def people(session: Session) -> list[Participant]:
    """Every participant as the solver's record (read and validated as a dataset record
    first, `solving.solver_participant`), in external_id order.

    The records are kept in the process by row id with the row's version and time of last
    write: a withdrawal changes one row, and only that row is read again (a national
    dataset is 6,000 rows; reading and validating them all takes a few tenths of a second).
    """
    participant, partner = models.Participant, aliased(models.Participant)
    # First one row: when no participant was written, added or removed since the list was
    # kept, its count, latest write and sums of versions and ids are the same (a write
    # bumps the version; a row removed and another added change the ids' sum, as ids only
    # grow), and the 6,000 rows' marks need not travel (2.4 ms on PostgreSQL).
    stamp_of: Any = sa.select(
        func.count(),
        sa.cast(func.max(participant.updated_at), sa.Text),
        func.sum(participant.version),
        func.sum(participant.id),
    )
    stamp = tuple(session.connection().execute(stamp_of).one())
    kept = _kept_for(session)
    with _kept_lock:
        if kept.people_stamp == stamp:
            return list(kept.people_in_order)
    # The time of last write as the database's text: parsing 6,000 timestamps into
    # datetimes (and back) took most of a warm load.
    marks_of: Any = sa.select(
        col(participant.id), col(participant.version), sa.cast(col(participant.updated_at), sa.Text)
    )
    marks: dict[int, object] = {
        int(pid): (version, written)
        for pid, version, written in session.connection().execute(marks_of).all()
    }
    with _kept_lock:
        kept_people, in_order = kept.people, kept.people_in_order
    known = {pid: entry for pid, entry in kept_people.items() if pid in marks}
    stale = [pid for pid, mark in marks.items() if pid not in known or known[pid][0] != mark]
    if not stale and len(known) == len(kept_people):
        with _kept_lock:
            kept.people_stamp = stamp
        return list(in_order)  # nothing written, added or removed since: as sorted then
    table = sa.inspect(models.Participant).local_table
    # Plain rows, not ORM objects: a third of the time of a first read of 6,000.
    rows_of: Any = sa.select(table, col(partner.external_id).label("partner_external_id"))
    rows_of = rows_of.outerjoin(partner, col(partner.id) == table.c.partner_id)
    if 2 * len(stale) > len(marks):
        # Most are stale (a first read): every row in one statement, without a list of
        # thousands of ids to bind (compiling it took 0.06 s of a first read).
        wanted = set(stale)
        batches: list[Sequence[Any]] = [
            [row for row in session.execute(rows_of).all() if row.id in wanted]
        ]
    else:
        batches = [
            session.execute(rows_of.where(table.c.id.in_(stale[start : start + 900]))).all()
            for start in range(0, len(stale), 900)  # SQL parameter lists stay small
        ]
    for rows in batches:
        for row in rows:
            record = participant_record(row, row.partner_external_id)
            known[row.id] = (marks[row.id], solver_participant(record))
    in_order = sorted((record for _, record in known.values()), key=attrgetter("external_id"))
    with _kept_lock:
        kept.people, kept.people_in_order, kept.people_stamp = known, in_order, stamp
    return list(in_order)
