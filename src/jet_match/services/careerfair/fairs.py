"""Career fairs and the employers taking part.

Coordinators create and change them; the `career_fair` role reads them (and their
rosters, nothing else of the service's records). Every change is audited; writes use
If-Match (changes) and Idempotency-Key (creates) like every record.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import AlreadyExists, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.careerfair import (
    EmployerCreate,
    EmployerPublic,
    FairCreate,
    FairPublic,
    FairUpdate,
)
from jet_match.schemas.common import Page
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
    run_idempotent,
)
from jet_match.services.security import audit

FAIR_FIELDS = ("name", "held_on", "venue", "online", "capacity")


def find(session: Session, external_id: str) -> models.Fair:
    """The fair, or NotFound."""
    row = session.scalars(select(models.Fair).where(models.Fair.external_id == external_id)).first()
    if row is None:
        raise NotFound(f"no fair '{external_id}'")
    return row


def _employer_counts(session: Session, fairs: list[models.Fair]) -> dict[int, int]:
    """How many employers each of `fairs` has, in one grouped query."""
    ids = sorted(row.id for row in fairs if row.id is not None)
    if not ids:
        return {}
    table = models.FairEmployer
    counted = session.execute(
        select(table.fair_id, func.count())
        .where(col(table.fair_id).in_(ids))
        .group_by(col(table.fair_id))
    ).all()
    return {fair_id: int(count) for fair_id, count in counted}


def public(session: Session, row: models.Fair) -> FairPublic:
    """A fair as answered, with its number of employers."""
    return _public_counted(row, _employer_counts(session, [row]))


def _public_counted(row: models.Fair, employers: dict[int, int]) -> FairPublic:
    return FairPublic(
        external_id=row.external_id,
        **{name: getattr(row, name) for name in FAIR_FIELDS},
        employers=employers.get(row.id, 0) if row.id is not None else 0,
        updated_at=row.updated_at,
    )


def list_fairs(*, session: Session, caller: Caller, page: PageRequest) -> Page[FairPublic]:
    """Fairs ordered by external_id (one query for the page, one for the employer counts)."""
    authorize(caller, Action.FAIRS_READ)
    result = paginate(session, select(models.Fair), col(models.Fair.external_id), page)
    rows = [row for (row,) in result.rows]
    counts = _employer_counts(session, rows)
    return Page(
        items=[_public_counted(row, counts) for row in rows], next_cursor=result.next_cursor
    )


def get_fair(*, session: Session, caller: Caller, external_id: str) -> Written[FairPublic]:
    """One fair and its ETag."""
    authorize(caller, Action.FAIRS_READ)
    row = find(session, external_id)
    return Written(public(session, row), etag_of(row.version))


def create_fair(
    *,
    session: Session,
    caller: Caller,
    fair_in: FairCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[FairPublic]:
    """Create a fair (coordinators)."""
    authorize(caller, Action.FAIRS_WRITE)

    def produce() -> Written[FairPublic]:
        taken = session.scalars(
            select(models.Fair.id).where(models.Fair.external_id == fair_in.external_id)
        ).first()
        if taken is not None:
            raise AlreadyExists(f"fair '{fair_in.external_id}' exists already")
        row = models.Fair(**fair_in.model_dump())
        session.add(row)
        session.flush()
        audit.record(session, caller, "fair.create", "fair", row.external_id)
        return Written(public(session, row), etag_of(row.version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="fair.create",
        payload=fair_in,
        answer_model=FairPublic,
        produce=produce,
    )


def update_fair(
    *, session: Session, caller: Caller, external_id: str, changes: FairUpdate, if_match: str | None
) -> Written[FairPublic]:
    """Change some fields of a fair (coordinators), if still at the version seen."""
    authorize(caller, Action.FAIRS_WRITE)
    row = find(session, external_id)
    check_if_match(if_match, row.version)
    given = changes.model_dump(exclude_unset=True)
    cleared = [name for name in ("name", "held_on", "online", "capacity") if name in given]
    cleared = [name for name in cleared if given[name] is None]
    if cleared:
        message = f"'{cleared[0]}' cannot be cleared (null): send a value or leave it out"
        raise InvalidInput(
            message,
            [FieldProblem("fair", external_id, name, "required", message) for name in cleared],
        )
    fields = sorted(name for name, value in given.items() if getattr(row, name) != value)
    version = row.version
    if fields:
        assert row.id is not None
        version = compare_and_swap(
            session, models.Fair, row.id, row.version, **{name: given[name] for name in fields}
        )
        audit.record(session, caller, "fair.update", "fair", external_id, fields=fields)
        commit(session)
        session.refresh(row)
    return Written(public(session, row), etag_of(version))


def _employer(row: models.FairEmployer) -> EmployerPublic:
    return EmployerPublic(
        external_id=row.external_id,
        company=row.company,
        sector=row.sector,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
    )


def list_employers(
    *, session: Session, caller: Caller, fair_id: str, page: PageRequest
) -> Page[EmployerPublic]:
    """The employers of a fair, ordered by external_id."""
    authorize(caller, Action.FAIRS_READ)
    fair = find(session, fair_id)
    table = models.FairEmployer
    result = paginate(
        session, select(table).where(table.fair_id == fair.id), col(table.external_id), page
    )
    return Page(items=[_employer(row) for (row,) in result.rows], next_cursor=result.next_cursor)


def add_employer(
    *,
    session: Session,
    caller: Caller,
    fair_id: str,
    employer_in: EmployerCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[EmployerPublic]:
    """Add an employer to a fair (coordinators)."""
    authorize(caller, Action.FAIRS_WRITE)
    fair = find(session, fair_id)

    def produce() -> Written[EmployerPublic]:
        table = models.FairEmployer
        taken = session.scalars(
            select(table.id).where(
                table.fair_id == fair.id, table.external_id == employer_in.external_id
            )
        ).first()
        if taken is not None:
            raise AlreadyExists(
                f"employer '{employer_in.external_id}' takes part in fair '{fair_id}' already"
            )
        assert fair.id is not None
        row = models.FairEmployer(fair_id=fair.id, **employer_in.model_dump())
        session.add(row)
        session.flush()
        audit.record(
            session, caller, "fair.employer.add", "fair", fair_id, employer=row.external_id
        )
        return Written(_employer(row), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation=f"fair.employer:{fair_id}",
        payload=employer_in,
        answer_model=EmployerPublic,
        produce=produce,
    )
