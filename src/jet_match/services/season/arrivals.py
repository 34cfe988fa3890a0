"""Arrival rosters: who travels in each arrival group of a round's published plan.

The groups come from the round's policy (`rounds.arrival_groups` says which placement
goes where); a roster is the latest published version, never the working plan, so it
changes only when an amendment is published. Rosters hold names: reading one is audited.
"""

from __future__ import annotations

from sqlmodel import Session

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.schemas.arrivals import ArrivalItem
from jet_match.schemas.common import Page
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, decode_cursor, encode_cursor
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import arrival_groups, rounds
from jet_match.services.security import audit

COLUMNS = [
    "group",
    "arrives_on",
    "participant",
    "family_name",
    "given_name",
    "citizenship",
    "position",
    "opening",
    "organization",
    "organization_name",
    "prefecture",
    "version",
]


def roster(
    *, session: Session, caller: Caller, round_id: str, group: str | None, page: PageRequest
) -> Page[ArrivalItem]:
    """A page of the roster of one arrival group (or of all), by participant (coordinators)."""
    row, items = _items(session, caller, round_id, group)
    if page.cursor is not None:
        after = decode_cursor(page.cursor, str)
        items = [item for item in items if item.participant > after]
    shown = items[: page.limit]
    more = len(items) > page.limit
    _audited(session, caller, row, group, "json", shown)
    return Page(items=shown, next_cursor=encode_cursor(shown[-1].participant) if more else None)


def roster_sheet(
    *, session: Session, caller: Caller, round_id: str, group: str | None, sheet_format: str
) -> bytes:
    """The whole roster of one arrival group (or of all) as CSV or XLSX (coordinators)."""
    row, items = _items(session, caller, round_id, group)
    _audited(session, caller, row, group, sheet_format, items)
    rows = [item.model_dump(mode="json") for item in items]
    if sheet_format == "csv":
        return sheet_writing.write_table_csv(COLUMNS, rows)
    return sheet_writing.write_tables_xlsx({"arrivals": (COLUMNS, rows)})


def _audited(
    session: Session,
    caller: Caller,
    row: models.Round,
    group: str | None,
    sheet_format: str,
    items: list[ArrivalItem],
) -> None:
    audit.record(
        session,
        caller,
        "arrivals.read",
        "round",
        row.external_id,
        group=group,
        format=sheet_format,
        count=len(items),
        external_ids=[item.participant for item in items],
    )
    commit(session)


def _items(
    session: Session, caller: Caller, round_id: str, group: str | None
) -> tuple[models.Round, list[ArrivalItem]]:
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    names = [g.name for g in rounds.policy_of(row).arrival_groups]
    if group is not None and group not in names:
        message = f"round '{round_id}' has no arrival group '{group}' (it has: {names or 'none'})"
        raise InvalidInput(
            message, [FieldProblem("query", None, "group", "unknown_group", message)]
        )
    return row, [
        ArrivalItem(
            group=a.group,
            arrives_on=a.arrives_on,
            participant=a.participant,
            family_name=a.family_name,
            given_name=a.given_name,
            citizenship=a.citizenship,
            position=fmt.Position(a.position),
            opening=a.opening,
            organization=a.organization,
            organization_name=a.organization_name,
            prefecture=a.prefecture,
            version=row.published_version,
        )
        for a in arrival_groups.arrivals(session, row)
        if group is None or a.group == group
    ]
