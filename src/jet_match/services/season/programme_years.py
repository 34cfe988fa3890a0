"""Programme years: the intention deadline and how undecided JETs count, per year.

A year nobody has set reads as the defaults (no deadline, undecided JETs stay) at version
0; the first PUT creates its row. Coordinators set years; anyone who reads contracts reads
them, so hosts know their deadline. Every change is audited (`programme_year.update`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.programme_years import ProgrammeYearPublic, ProgrammeYearSettings
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import (
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
)
from jet_match.services.security import audit

ProgrammeYear = models.ProgrammeYear


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive UTC timestamps
        return moment.replace(tzinfo=models.utcnow().tzinfo)
    return moment


def row_of(session: Session, year: int) -> models.ProgrammeYear | None:
    """The stored settings of a year, if someone set them."""
    row: models.ProgrammeYear | None = session.scalars(
        select(ProgrammeYear).where(ProgrammeYear.programme_year == year)
    ).first()
    return row


def settings_of(session: Session, year: int) -> ProgrammeYearPublic:
    """A year's settings (the defaults if nobody set them)."""
    return _public(year, row_of(session, year))


def deadline_passed(session: Session, year: int) -> datetime | None:
    """The year's intention deadline if it has passed; None while hosts may still set."""
    row = row_of(session, year)
    deadline = _utc(row.intention_deadline) if row is not None else None
    if deadline is not None and models.utcnow() >= deadline:
        return deadline
    return None


def _public(year: int, row: models.ProgrammeYear | None) -> ProgrammeYearPublic:
    if row is None:
        return ProgrammeYearPublic(programme_year=year, deadline_passed=False)
    deadline = _utc(row.intention_deadline)
    return ProgrammeYearPublic(
        programme_year=year,
        intention_deadline=deadline,
        undecided_as_leaving=row.undecided_as_leaving,
        deadline_passed=deadline is not None and models.utcnow() >= deadline,
    )


def list_programme_years(*, session: Session, caller: Caller) -> list[ProgrammeYearPublic]:
    """Every year someone has set, oldest first."""
    authorize(caller, Action.CONTRACTS_READ)
    rows = session.scalars(select(ProgrammeYear).order_by(col(ProgrammeYear.programme_year)))
    return [_public(row.programme_year, row) for row in rows]


def get_programme_year(
    *, session: Session, caller: Caller, year: int
) -> Written[ProgrammeYearPublic]:
    """A year's settings and ETag (`"0"` while nobody has set it)."""
    authorize(caller, Action.CONTRACTS_READ)
    row = row_of(session, year)
    return Written(_public(year, row), etag_of(row.version if row is not None else 0))


def set_programme_year(
    *,
    session: Session,
    caller: Caller,
    year: int,
    settings: ProgrammeYearSettings,
    if_match: str | None,
) -> Written[ProgrammeYearPublic]:
    """Set a year's deadline and counting (coordinators), if it is at the version seen."""
    authorize(caller, Action.SEASON_WRITE)
    row = row_of(session, year)
    check_if_match(if_match, row.version if row is not None else 0)
    values = settings.model_dump()
    if row is None:
        row = ProgrammeYear(programme_year=year, **values)
        session.add(row)
        session.flush()
        fields = sorted(values)
        version = row.version
    else:
        before = {
            "intention_deadline": _utc(row.intention_deadline),
            "undecided_as_leaving": row.undecided_as_leaving,
        }
        fields = audit.changed_fields(before, values)
        version = row.version
        if fields:
            assert row.id is not None
            version = compare_and_swap(session, ProgrammeYear, row.id, row.version, **values)
    if fields:
        audit.record(
            session, caller, "programme_year.update", "programme_year", str(year), fields=fields
        )
    commit(session)
    session.expire_all()
    return Written(_public(year, row_of(session, year)), etag_of(version))
