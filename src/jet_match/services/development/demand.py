"""Where new host organizations are needed: the demand report of a programme year.

For each position, the latest round of the year that covers it gives the plan: its
working plan and the records as stored now, evaluated as the round report is
(`services/rounds/prepared.evaluation`: the worker's stored evaluation when current, else
`round_data.full_instance` judged by the solver's own `result_of_plan`), so an
applicant counted as "unplaced for want of an eligible opening" is exactly one whose
unplaced reasons in the round report say "no eligible opening" (the solver found no
opening of the run that every hard rule allows). Nothing here re-states a rule.

Applicants count under each prefecture they named (so prefecture rows may add up to more
than the applicants; the totals count each person once), with the area and school level
they asked for; places count where their opening is.

A computed report is kept (`_Reports`) under a key made of each round's version and the
versions of its records, so a read that finds nothing changed answers in the time of
those version queries (well under a second at national scale); any plan change or record
write changes the key and the next read computes afresh, from the evaluation the worker
stored for the round's new state (so the first read after a run or a record change does
not evaluate the whole problem either).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import NotFound
from jet_match.schemas.development import (
    Demand,
    DemandCell,
    DemandTotals,
    PrefectureDemand,
)
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import commit
from jet_match.services.rounds import prepared as prepared_reads
from jet_match.services.security import audit
from jet_match.solver import Unplaced

#: The solver's wording of an unplaced participant no opening of the run admits
#: (`solver.metrics.no_eligible_opening`); its `excluded_by` counts say by which rule.
NO_ELIGIBLE_OPENING = "no eligible opening"

Key = tuple[int, str, str, str]


@dataclass
class _Cell:
    preferred: int = 0
    offered: int = 0
    placed: int = 0
    no_eligible: int = 0
    full: int = 0
    requested: set[str] = field(default_factory=set)
    served: set[str] = field(default_factory=set)


def for_want_of_an_opening(unplaced: Unplaced) -> bool:
    """The solver left this participant unplaced because no opening of the run is
    eligible for them (rather than: eligible openings were full, or the couple or the
    country cap kept them out)."""
    return bool(unplaced.excluded_by) or any(
        reason.startswith(NO_ELIGIBLE_OPENING) for reason in unplaced.reasons
    )


def latest_rounds(session: Session, programme_year: int) -> dict[str, models.Round]:
    """Per position, the latest round of the programme year that places it."""
    chosen: dict[str, models.Round] = {}
    for row in session.scalars(
        select(models.Round)
        .where(models.Round.programme_year == programme_year)
        .order_by(col(models.Round.id).desc())
    ):
        for position in row.positions:
            chosen.setdefault(position, row)
    return chosen


class _Reports:
    """Reports already computed, by what they were computed from: the database, the year,
    and each chosen round's `review_stamp` (its version, policy and plan and the versions of
    every record; any plan change or record write changes it). A report whose key still
    holds is the report a fresh computation would give, so reading it again costs the
    stamp's queries, not an evaluation of the plan."""

    limit = 4

    def __init__(self) -> None:
        self.by_key: OrderedDict[Hashable, Demand] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Demand | None:
        with self.lock:
            found = self.by_key.get(key)
            if found is not None:
                self.by_key.move_to_end(key)
            return found.model_copy(deep=True) if found is not None else None

    def keep(self, key: Hashable, report: Demand) -> None:
        with self.lock:
            self.by_key[key] = report.model_copy(deep=True)
            while len(self.by_key) > self.limit:
                self.by_key.popitem(last=False)


_reports = _Reports()


def _key(
    session: Session, programme_year: int, chosen: dict[str, models.Round]
) -> tuple[Hashable, dict[int, str]]:
    """The report's key, and each chosen round's `review_stamp` (its version, policy, plan
    and the versions of every record: any plan change or record write changes it)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, sa.Engine) else bind.engine
    parts: list[Hashable] = [engine.url.render_as_string(hide_password=True), programme_year]
    parts.append(tuple((position, row.id) for position, row in sorted(chosen.items())))
    stamps: dict[int, str] = {}
    for row in {row.id: row for row in chosen.values()}.values():
        assert row.id is not None
        stamps[row.id] = prepared_reads.review_stamp(session, row)
        parts.append((row.id, stamps[row.id]))
    return tuple(parts), stamps


def demand(
    *, session: Session, caller: Caller, prepared: PreparedProblems, programme_year: int
) -> Demand:
    """The demand report of a programme year (coordinators; audited as a report read)."""
    authorize(caller, Action.DEVELOPMENT)
    chosen = latest_rounds(session, programme_year)
    if not chosen:
        raise NotFound(f"no round of programme year {programme_year}")
    key, stamps = _key(session, programme_year, chosen)
    built = _reports.get(key)
    if built is None:
        built = _compute(session, prepared, programme_year, chosen, stamps)
        _reports.keep(key, built)
    audit.record(
        session, caller, "development.demand", "demand", str(programme_year), rounds=built.rounds
    )
    commit(session)
    return built


def _compute(
    session: Session,
    prepared: PreparedProblems,
    programme_year: int,
    chosen: dict[str, models.Round],
    stamps: dict[int, str],
) -> Demand:
    """The report, computed from the rounds' evaluations (`stamps`: their review stamps)."""
    cells: dict[Key, _Cell] = defaultdict(_Cell)
    unplaced_all: dict[str, Unplaced] = {}
    in_run: set[str] = set()
    placed_at: dict[str, str] = {}
    by_round: dict[int, models.Round] = {row.id: row for row in chosen.values() if row.id}
    person = models.Participant
    rows: list[Any] = list(
        session.execute(
            sa.select(
                col(person.external_id),
                col(person.position),
                col(person.citizenship),
                col(person.preferred_prefectures),
                col(person.area_preference),
                col(person.school_level_preference),
            ).where(col(person.position).in_(list(chosen)))
        ).all()
    )
    positions_of: dict[str, str] = {row[0]: row[1] for row in rows}
    for row in by_round.values():
        assert row.id is not None
        evaluated = prepared_reads.evaluation(session, row, prepared, stamp=stamps[row.id])
        entries = round_data.plan_entries(session, row.id)
        # Only the positions this round is the latest for (another round may be newer).
        own = {p for p, r in chosen.items() if r is row}
        people = {p for p in evaluated.in_run if positions_of.get(p) in own}
        in_run |= people
        placed_at |= {e.participant: e.opening for e in entries if e.participant in people}
        unplaced_all |= {u.participant: u for u in evaluated.unplaced if u.participant in people}
    citizenship: dict[str, str] = {}
    unplaced_other = 0
    no_eligible_total = full_total = 0
    for external_id, position, country, preferred, area, school in rows:
        if external_id not in in_run:
            continue
        citizenship[external_id] = country
        missing = unplaced_all.get(external_id)
        no_eligible = missing is not None and for_want_of_an_opening(missing)
        full = missing is not None and not no_eligible and _all_full(missing)
        no_eligible_total += no_eligible
        full_total += full
        unplaced_other += missing is not None and not no_eligible and not full
        for prefecture in preferred:
            cell = cells[(int(prefecture), area, school, position)]
            cell.preferred += 1
            cell.no_eligible += no_eligible
            cell.full += full
    place = _openings(session, list(chosen))
    for key, slots, requested in place.values():
        cells[key].offered += slots
        cells[key].requested |= set(requested)
    for participant, opening in placed_at.items():
        if opening in place:
            key = place[opening][0]
            cells[key].placed += 1
            cells[key].served.add(citizenship.get(participant, ""))
    built = _report(programme_year, chosen, cells, len(in_run), placed_at, place)
    built.totals.unplaced_no_eligible_opening = no_eligible_total
    built.totals.unplaced_openings_full = full_total
    built.totals.unplaced_other = unplaced_other
    built.prefectures = _prefectures(rows, in_run, unplaced_all, place, placed_at)
    return built


def _all_full(unplaced: Unplaced) -> bool:
    return any(reason.startswith("all ") and "full" in reason for reason in unplaced.reasons)


def _openings(session: Session, positions: list[str]) -> dict[str, tuple[Key, int, list[str]]]:
    """Open openings of the positions: their cell, slots and requested countries."""
    opening, organization = models.Opening, models.Organization
    found = session.execute(
        sa.select(
            col(opening.external_id),
            col(organization.prefecture),
            col(organization.area_type),
            col(opening.school_level),
            col(opening.position),
            col(opening.slots),
            col(opening.requested_countries),
        )
        .join(organization, col(organization.id) == opening.organization_id)
        .where(
            col(opening.position).in_(positions),
            col(opening.status) == fmt.OpeningStatus.OPEN.value,
        )
    ).all()
    return {
        external_id: ((prefecture, area, school, position), slots, list(requested))
        for external_id, prefecture, area, school, position, slots, requested in found
    }


def _report(
    programme_year: int,
    chosen: dict[str, models.Round],
    cells: dict[Key, _Cell],
    applicants: int,
    placed_at: dict[str, str],
    place: dict[str, tuple[Key, int, list[str]]],
) -> Demand:
    return Demand(
        programme_year=programme_year,
        rounds={position: row.external_id for position, row in sorted(chosen.items())},
        totals=DemandTotals(
            applicants=applicants,
            offered=sum(slots for _, slots, _ in place.values()),
            placed=sum(1 for opening in placed_at.values() if opening in place),
            unplaced_no_eligible_opening=0,
            unplaced_openings_full=0,
            unplaced_other=0,
        ),
        prefectures=[],
        cells=[
            DemandCell(
                prefecture=key[0],
                area_type=key[1],
                school_level=key[2],
                position=fmt.Position(key[3]),
                preferred=cell.preferred,
                offered=cell.offered,
                placed=cell.placed,
                unplaced_no_eligible_opening=cell.no_eligible,
                unplaced_openings_full=cell.full,
                unserved_countries=sorted(cell.requested - cell.served),
            )
            for key, cell in sorted(cells.items())
        ],
    )


def _prefectures(
    rows: list[Any],
    in_run: set[str],
    unplaced: dict[str, Unplaced],
    place: dict[str, tuple[Key, int, list[str]]],
    placed_at: dict[str, str],
) -> list[PrefectureDemand]:
    """Per prefecture (1-47), each applicant counted once however they named it."""
    preferred = [0] * 48
    no_eligible = [0] * 48
    full = [0] * 48
    offered = [0] * 48
    placed = [0] * 48
    for external_id, _, _, prefectures, _, _ in rows:
        if external_id not in in_run:
            continue
        missing = unplaced.get(external_id)
        lacks = missing is not None and for_want_of_an_opening(missing)
        filled = missing is not None and not lacks and _all_full(missing)
        for prefecture in set(prefectures):
            preferred[prefecture] += 1
            no_eligible[prefecture] += lacks
            full[prefecture] += filled
    for key, slots, _ in place.values():
        offered[key[0]] += slots
    for opening in placed_at.values():
        if opening in place:
            placed[place[opening][0][0]] += 1
    return [
        PrefectureDemand(
            prefecture=code,
            preferred=preferred[code],
            offered=offered[code],
            placed=placed[code],
            unplaced_no_eligible_opening=no_eligible[code],
            unplaced_openings_full=full[code],
        )
        for code in range(1, 48)
    ]
