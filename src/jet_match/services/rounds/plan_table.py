"""The working plan as people read it: one row per participant of the round, with names.

The REST plan (`plans.get_plan`) answers ids for machines. The workspace needs names
(participant, organization in both languages), which choice the placement was, the
unplaced, filters on any of those, sorting and a page at a time. Everything is done in
SQL -- filter, count, order, offset/limit -- so a page costs about the same at national
scale (~5,500 people) as on a small round: nothing loads the whole plan into Python.

The rows are the round's participants: those of its positions still shortlisted, and
anyone holding a placement in its working plan. Reading them is a read of personal data
(names), so it is audited (`plan.view`) with the filters used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.dataset.reference import REGION_INDEX_BY_PREFECTURE
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import rounds
from jet_match.services.security import audit

Choice = Literal["first", "second", "third", "same_region", "elsewhere", "unplaced"]
CHOICES: tuple[Choice, ...] = ("first", "second", "third", "same_region", "elsewhere", "unplaced")
SORTS = (
    "participant",
    "name",
    "country",
    "position",
    "organization",
    "prefecture",
    "choice",
    "score",
)
MAX_LIMIT = 500

Participant = models.Participant
Placement = models.Placement
Opening = models.Opening
Organization = models.Organization


@dataclass(frozen=True, slots=True)
class PlanQuery:
    """What a reader asks of the plan; None (or False) means any."""

    q: str | None = None
    prefecture: int | None = None
    organization: str | None = None
    position: fmt.Position | None = None
    country: str | None = None
    choice: Choice | None = None
    unplaced: bool = False
    pinned: bool = False
    overridden: bool = False
    sort: str = "participant"
    descending: bool = False
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One participant of the round and their placement (None fields: unplaced)."""

    participant: str
    family_name: str
    given_name: str
    country: str
    position: str
    opening: str | None
    organization: str | None
    organization_name: str | None
    organization_name_ja: str | None
    prefecture: int | None
    choice: Choice
    score: int | None
    pinned: bool
    source: str | None
    override_reason: str | None


@dataclass(frozen=True, slots=True)
class PlanTable:
    """A page of rows and how many rows match the filters."""

    rows: list[PlanRow]
    total: int
    offset: int
    limit: int
    version: int


def _region(prefecture: Any) -> Any:
    return sa.case(dict(enumerate(REGION_INDEX_BY_PREFECTURE)), value=prefecture, else_=-1)


def _choice() -> Any:
    """Which choice the placement's prefecture was, in SQL (portable JSON indexing)."""
    prefecture = col(Organization.prefecture)
    wanted = [col(Participant.preferred_prefectures)[i].as_integer() for i in range(3)]
    return sa.case(
        (prefecture.is_(None), "unplaced"),
        (prefecture == wanted[0], "first"),
        (prefecture == wanted[1], "second"),
        (prefecture == wanted[2], "third"),
        (sa.or_(*(_region(prefecture) == _region(w) for w in wanted)), "same_region"),
        else_="elsewhere",
    )


def _refuse(field: str, value: object, allowed: tuple[str, ...]) -> InvalidInput:
    message = f"'{value}' is not a {field}: use one of {', '.join(allowed)}"
    return InvalidInput(message, [FieldProblem("query", None, field, "invalid_choice", message)])


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def plan_table(*, session: Session, caller: Caller, round_id: str, query: PlanQuery) -> PlanTable:
    """A filtered, sorted page of the round's plan with names, and the round's version."""
    authorize(caller, Action.ROUNDS_READ)
    if query.sort not in SORTS:
        raise _refuse("sort", query.sort, SORTS)
    if query.choice is not None and query.choice not in CHOICES:
        raise _refuse("choice", query.choice, CHOICES)
    row = rounds.find(session, round_id)
    choice = _choice().label("choice")
    statement = (
        sa.select(
            col(Participant.external_id),
            col(Participant.family_name),
            col(Participant.given_name),
            col(Participant.citizenship),
            col(Participant.position),
            col(Opening.external_id),
            col(Organization.external_id),
            col(Organization.name),
            col(Organization.name_ja),
            col(Organization.prefecture),
            choice,
            col(Placement.score),
            sa.func.coalesce(col(Placement.pinned), sa.false()),
            col(Placement.source),
            col(Placement.override_reason),
        )
        .select_from(Participant)
        .outerjoin(
            Placement,
            sa.and_(
                col(Placement.participant_id) == Participant.id, col(Placement.round_id) == row.id
            ),
        )
        .outerjoin(Opening, col(Opening.id) == Placement.opening_id)
        .outerjoin(Organization, col(Organization.id) == Opening.organization_id)
        .where(
            col(Participant.position).in_(list(row.positions)),
            sa.or_(
                col(Participant.status) == fmt.ParticipantStatus.SHORTLISTED.value,
                col(Placement.id).is_not(None),
            ),
        )
    )
    statement = _filtered(statement, query)
    total = session.execute(
        sa.select(sa.func.count()).select_from(statement.subquery())
    ).scalar_one()
    order = _order(query.sort)
    if query.descending:
        order = [o.desc() for o in order]
    order.append(col(Participant.external_id))
    limit = max(1, min(query.limit, MAX_LIMIT))
    offset = max(0, query.offset)
    found = session.execute(statement.order_by(*order).offset(offset).limit(limit)).all()
    names = [f.name for f in fields(PlanRow)]
    rows = [PlanRow(**dict(zip(names, values, strict=True))) for values in found]
    used = {k: v for k, v in asdict(query).items() if v not in (None, False)}
    audit.record(session, caller, "plan.view", "round", row.external_id, **_jsonable(used))
    commit(session)
    return PlanTable(rows=rows, total=total, offset=offset, limit=limit, version=row.version)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, fmt.Position) else v) for k, v in values.items()}


def _filtered(statement: Any, query: PlanQuery) -> Any:
    if query.q and query.q.strip():
        pattern = _like(query.q.strip())
        full_name = col(Participant.given_name) + " " + col(Participant.family_name)
        reversed_name = col(Participant.family_name) + " " + col(Participant.given_name)
        statement = statement.where(
            sa.or_(
                *(
                    sa.func.lower(text).like(pattern, escape="\\")
                    for text in (col(Participant.external_id), full_name, reversed_name)
                )
            )
        )
    equal = (
        (Organization.prefecture, query.prefecture),
        (Organization.external_id, query.organization),
        (Participant.position, query.position.value if query.position else None),
        (Participant.citizenship, query.country.upper() if query.country else None),
    )
    for column, value in equal:
        if value is not None:
            statement = statement.where(col(column) == value)
    if query.choice is not None:
        statement = statement.where(_choice() == query.choice)
    if query.unplaced:
        statement = statement.where(col(Placement.id).is_(None))
    if query.pinned:
        statement = statement.where(col(Placement.pinned).is_(True))
    if query.overridden:
        statement = statement.where(col(Placement.override_reason).is_not(None))
    return statement


def _order(sort: str) -> list[Any]:
    columns: dict[str, list[Any]] = {
        "participant": [col(Participant.external_id)],
        "name": [col(Participant.family_name), col(Participant.given_name)],
        "country": [col(Participant.citizenship)],
        "position": [col(Participant.position)],
        "organization": [col(Organization.name)],
        "prefecture": [col(Organization.prefecture)],
        "choice": [
            sa.case({c: i for i, c in enumerate(CHOICES)}, value=_choice(), else_=len(CHOICES))
        ],
        "score": [col(Placement.score)],
    }
    return list(columns[sort])


@dataclass(frozen=True, slots=True)
class PlaceName:
    """Where an opening is, for people: its organization's names and prefecture."""

    organization_name: str
    organization_name_ja: str | None
    prefecture: int


@dataclass(frozen=True, slots=True)
class Names:
    """Names of participants (family, given) and of openings' places, by external_id."""

    people: dict[str, str]
    places: dict[str, PlaceName]


def names(
    *, session: Session, caller: Caller, participants: list[str], openings: list[str]
) -> Names:
    """The names of a page's participants and openings (a comparison shows ids otherwise);
    a read of personal data, audited as `participant.names`."""
    authorize(caller, Action.ROUNDS_READ)
    people = {
        external_id: f"{family} {given}"
        for external_id, family, given in session.execute(
            sa.select(
                col(Participant.external_id),
                col(Participant.family_name),
                col(Participant.given_name),
            ).where(col(Participant.external_id).in_(participants))
        )
    }
    places = {
        external_id: PlaceName(name, name_ja, prefecture)
        for external_id, name, name_ja, prefecture in session.execute(
            sa.select(
                col(Opening.external_id),
                col(Organization.name),
                col(Organization.name_ja),
                col(Organization.prefecture),
            )
            .join(Organization, col(Organization.id) == Opening.organization_id)
            .where(col(Opening.external_id).in_(openings))
        )
    }
    if people:
        audit.record(session, caller, "participant.names", "participant", None, ids=sorted(people))
        commit(session)
    return Names(people=people, places=places)
