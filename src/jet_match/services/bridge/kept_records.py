"""The records a process keeps between requests and runs, by database: every
organization and opening as a dataset record and every participant as the solver's
record, kept by row and read again when their row changes. A review read or a run
then reads a few thousand versions instead of building 9,000 records.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar

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
    organizations: dict[int, tuple[object, fmt.Organization]] = field(default_factory=dict)
    openings: dict[int, tuple[object, fmt.Opening]] = field(default_factory=dict)
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
    """Every organization and opening as dataset records, in external_id order. When one
    of them changed (the stamp counts the rows, their versions and their latest write),
    only the rows written, added or removed since are read again (an opening edited:
    one row, not 3,000)."""
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
        kept_organizations, kept_openings = kept.organizations, kept.openings
    org_table = sa.inspect(models.Organization).local_table
    marks = _marks(session, models.Organization)
    known_organizations, stale = _still_known(kept_organizations, marks)
    for row in _rows(session, sa.select(org_table), org_table.c.id, stale, len(marks)):
        known_organizations[row.id] = (marks[row.id], organization_record(row))
    external_ids = {i: record.external_id for i, (_, record) in known_organizations.items()}
    opening_table = sa.inspect(models.Opening).local_table
    # An opening's organization is part of its mark: its record names the organization.
    marks = _marks(session, models.Opening, col(models.Opening.organization_id))
    known_openings, stale = _still_known(kept_openings, marks)
    for row in _rows(session, sa.select(opening_table), opening_table.c.id, stale, len(marks)):
        record = opening_record(row, external_ids[row.organization_id])
        known_openings[row.id] = (marks[row.id], record)
    by_id = attrgetter("external_id")
    organizations = sorted((record for _, record in known_organizations.values()), key=by_id)
    openings = sorted((record for _, record in known_openings.values()), key=by_id)
    with _kept_lock:
        kept.organizations, kept.openings = known_organizations, known_openings
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
    marks = _marks(session, participant)
    with _kept_lock:
        kept_people, in_order = kept.people, kept.people_in_order
    known, stale = _still_known(kept_people, marks)
    if not stale and len(known) == len(kept_people):
        with _kept_lock:
            kept.people_stamp = stamp
        return list(in_order)  # nothing written, added or removed since: as sorted then
    table = sa.inspect(models.Participant).local_table
    rows_of: Any = sa.select(table, col(partner.external_id).label("partner_external_id"))
    rows_of = rows_of.outerjoin(partner, col(partner.id) == table.c.partner_id)
    for row in _rows(session, rows_of, table.c.id, stale, len(marks)):
        record = participant_record(row, row.partner_external_id)
        known[row.id] = (marks[row.id], solver_participant(record))
    in_order = sorted((record for _, record in known.values()), key=attrgetter("external_id"))
    with _kept_lock:
        kept.people, kept.people_in_order, kept.people_stamp = known, in_order, stamp
    return list(in_order)


_Record = TypeVar("_Record")


def _marks(session: Session, table: Any, *more: Any) -> dict[int, object]:
    """Each row's version and time of last write (and `more` columns), by row id. The
    time as the database's text: parsing 6,000 timestamps into datetimes (and back) took
    most of a warm load."""
    statement: Any = sa.select(
        col(table.id), col(table.version), sa.cast(col(table.updated_at), sa.Text), *more
    )
    return {int(i): tuple(rest) for i, *rest in session.connection().execute(statement).all()}


def _still_known(
    kept: dict[int, tuple[object, _Record]], marks: dict[int, object]
) -> tuple[dict[int, tuple[object, _Record]], list[int]]:
    """The kept records whose rows still exist, and the ids of the rows to read again
    (written since, or new)."""
    known = {i: entry for i, entry in kept.items() if i in marks}
    return known, [i for i, mark in marks.items() if i not in known or known[i][0] != mark]


def _rows(
    session: Session, statement: Any, id_column: Any, ids: list[int], total: int
) -> Iterator[Any]:
    """The rows of `statement` with the ids `ids` (of `total` rows), as plain rows, not ORM
    objects (a third of the time of a first read of 6,000)."""
    if 2 * len(ids) > total:
        # Most are wanted (a first read): every row in one statement, without a list of
        # thousands of ids to bind (compiling it took 0.06 s of a first read).
        wanted = set(ids)
        yield from (row for row in session.execute(statement).all() if row.id in wanted)
        return
    for start in range(0, len(ids), 900):  # SQL parameter lists stay small
        yield from session.execute(statement.where(id_column.in_(ids[start : start + 900]))).all()
