"""A round's input for the solver, read from the database.

Two shapes:
- `full_problem`: every organization, opening and participant, with the round's policy,
  pins, forbidden pairs and (for re-solves) the current plan as `previous_plan`. Runs,
  reports and comparisons use it; `full_instance` keeps the last prepared instances
  (`PreparedProblems`, held by the application) so that the next one reuses their
  eligibility and score arrays.
- `local_problem`: every organization and opening, but only the participants a few
  moves touch (the movers, their partners, the holders of the openings involved and,
  under a country cap, the placed people of the same country in the same prefecture).
  Checking a move or ranking candidates on it costs milliseconds at national scale and
  gives the same answer as the whole problem for the records involved.

Translation to the solver is `jet_match.services.bridge.solving.problem_from_dataset`: records
are read as dataset records first, so rounds and the offline CLI score exactly alike.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.services.bridge import kept_records
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.services.kit.records import participant_record
from jet_match.solver import (
    Assignment,
    Instance,
    Participant,
    Problem,
    ScoringPolicy,
    Waiver,
    Weights,
    policy_document,
    prepare,
)


class PlanEntry(NamedTuple):
    """A placement of the working plan, by row id and external_id (a named tuple: a read
    builds 6,000 of them, 4 ms as a frozen dataclass, 1 ms as a tuple)."""

    participant_id: int
    participant: str
    opening_id: int
    opening: str
    pinned: bool
    overridden: bool = False  # placed with an override_reason: kept by runs, rules waived


def plan_entries(
    session: Session,
    round_id: int,
    participant_ids: Collection[int] | None = None,
    *,
    pinned_only: bool = False,
    kept_only: bool = False,
) -> list[PlanEntry]:
    """The working plan (or the part of it for some participants, or its pins, or what a
    run must keep: pins and overrides), by participant."""
    placement, participant, opening = models.Placement, models.Participant, models.Opening
    statement = (
        sa.select(
            col(placement.participant_id),
            col(participant.external_id),
            col(placement.opening_id),
            col(opening.external_id),
            col(placement.pinned),
            col(placement.override_reason).is_not(None),
        )
        .select_from(placement)
        .join(participant, col(participant.id) == placement.participant_id)
        .join(opening, col(opening.id) == placement.opening_id)
        .where(col(placement.round_id) == round_id)
    )
    if participant_ids is not None:
        statement = statement.where(col(placement.participant_id).in_(list(participant_ids)))
    if pinned_only:
        statement = statement.where(col(placement.pinned))
    if kept_only:
        statement = statement.where(
            col(placement.pinned) | col(placement.override_reason).is_not(None)
        )
    # Plain rows (no ORM result processing): 6,000 at national scale, in most reads. Sorted
    # here, by code point on every database (PostgreSQL's collation sorts slower, and
    # differently).
    entries = list(map(PlanEntry._make, session.connection().execute(statement).all()))
    entries.sort(key=attrgetter("participant"))
    return entries


def assignments(entries: Iterable[PlanEntry]) -> tuple[Assignment, ...]:
    """The entries as solver assignments."""
    return tuple(Assignment(e.participant, e.opening) for e in entries)


def pins(entries: Iterable[PlanEntry]) -> tuple[Assignment, ...]:
    """The pinned entries as solver assignments."""
    return tuple(Assignment(e.participant, e.opening) for e in entries if e.pinned)


def kept(entries: Iterable[PlanEntry]) -> tuple[Assignment, ...]:
    """What a run must keep: the pins, and the overrides (a coordinator's decision holds
    until a coordinator unpins or unassigns it)."""
    return tuple(Assignment(e.participant, e.opening) for e in entries if e.pinned or e.overridden)


def waivers(entries: Sequence[PlanEntry], slots: Mapping[str, int]) -> tuple[Waiver, ...]:
    """The overrides as solver waivers: the rules each breaks are set aside for that pair
    alone (docs/rounds.md, "Overrides"). Where the plan holds more people than an
    opening's `slots`, its overrides (up to the excess, the last by participant) were
    placed over capacity: each keeps a place beyond the slots."""
    load = Counter(e.opening for e in entries)
    excess = {opening: load[opening] - n for opening, n in slots.items() if load[opening] > n}
    out = []
    for entry in sorted((e for e in entries if e.overridden), key=lambda e: e.participant)[::-1]:
        beyond = excess.get(entry.opening, 0) > 0
        if beyond:
            excess[entry.opening] -= 1
        out.append(Waiver(entry.participant, entry.opening, beyond_capacity=beyond))
    return tuple(sorted(out, key=lambda w: (w.participant, w.opening)))


def forbidden(
    session: Session, round_id: int, participant_ids: Collection[int] | None = None
) -> tuple[Assignment, ...]:
    """The round's forbidden pairs (or those of some participants)."""
    pair, participant, opening = models.ForbiddenPair, models.Participant, models.Opening
    statement = (
        select(participant.external_id, opening.external_id)
        .select_from(pair)
        .join(participant, col(participant.id) == pair.participant_id)
        .join(opening, col(opening.id) == pair.opening_id)
        .where(pair.round_id == round_id)
        .order_by(participant.external_id, opening.external_id)
    )
    if participant_ids is not None:
        statement = statement.where(col(pair.participant_id).in_(list(participant_ids)))
    return tuple(Assignment(p, o) for p, o in session.execute(statement).all())


def _problem(
    dataset: fmt.Dataset,
    row: models.Round,
    *,
    pinned: Sequence[Assignment],
    forbidden_pairs: Sequence[Assignment],
    previous_plan: Sequence[Assignment],
    waived: Sequence[Waiver] = (),
    participants: Sequence[Participant] | None = None,
) -> Problem:
    problem = problem_from_dataset(
        dataset,
        positions=[fmt.Position(p) for p in row.positions],
        weights=row.weights,
        max_country_share_per_prefecture=row.max_country_share_per_prefecture,
        override_cap=True,
        participants=participants,
    )
    return replace(
        problem,
        pins=tuple(pinned),
        forbidden=tuple(forbidden_pairs),
        previous_plan=tuple(previous_plan),
        waivers=tuple(waived),
    )


def policy_of(row: models.Round) -> dict[str, Any]:
    """The round's scoring policy as runs and publications report it: every weight (the
    defaults with the round's own), the country cap, and their digest."""
    weights = {**fmt.Policy().weights.model_dump(), **row.weights}
    return policy_document(ScoringPolicy(Weights(**weights), row.max_country_share_per_prefecture))


def full_problem(
    session: Session,
    row: models.Round,
    *,
    entries: Sequence[PlanEntry] | None = None,
    with_previous_plan: bool = False,
) -> Problem:
    """The round's whole problem on the records stored now; with `with_previous_plan`,
    the working plan (`entries`, read if not given) is the previous plan."""
    assert row.id is not None
    if entries is None:
        entries = plan_entries(session, row.id)
    organizations, openings = kept_records.catalogue(session)
    dataset = fmt.Dataset.model_construct(  # records validated when read
        format="jet-match/dataset@1",
        organizations=organizations,
        openings=openings,
        participants=[],  # given converted (see _people)
        policy=None,
        pins=[],
        forbidden=[],
        previous_plan=[],
    )
    return _problem(
        dataset,
        row,
        pinned=kept(entries),
        forbidden_pairs=forbidden(session, row.id),
        previous_plan=assignments(entries) if with_previous_plan else (),
        waived=waivers(entries, {o.external_id: o.slots for o in openings}),
        participants=kept_records.people(session),
    )


@dataclass(frozen=True, slots=True)
class RecordStamp:
    """The versions of the records a run reads (row id -> version): the participants and
    openings of the round's positions and the organizations of those openings. A run
    compares them with the records at commit time (`changed_records`)."""

    participants: Mapping[int, int]
    openings: Mapping[int, int]
    organizations: Mapping[int, int]


_STAMPED: tuple[tuple[str, Any], ...] = (
    ("participant", models.Participant),
    ("opening", models.Opening),
    ("organization", models.Organization),
)


def _versions(session: Session, row: models.Round, *, lock: bool) -> RecordStamp:
    positions = list(row.positions)
    found: list[dict[int, int]] = []
    for _, table in _STAMPED:
        statement = sa.select(col(table.id), col(table.version))
        if table is models.Organization:
            statement = statement.where(
                col(table.id).in_(
                    select(models.Opening.organization_id).where(
                        col(models.Opening.position).in_(positions)
                    )
                )
            )
        else:
            statement = statement.where(col(table.position).in_(positions))
        if lock:  # PostgreSQL: writers of these rows wait for our commit (SQLite: no-op)
            statement = statement.with_for_update(read=True)
        # Plain rows (no ORM result processing): 9,000 at national scale, in a run's save.
        found.append({int(i): int(v) for i, v in session.connection().execute(statement).all()})
    return RecordStamp(*found)


def record_stamp(session: Session, row: models.Round) -> RecordStamp:
    """The versions of the round's records now; read it before the records themselves, so
    that a change racing the read is seen as a change."""
    return _versions(session, row, lock=False)


def changed_records(session: Session, row: models.Round, stamp: RecordStamp) -> list[str]:
    """The records written, added or removed since `stamp` ("participant P-1", ...).

    Locks the rows it reads until the transaction ends (PostgreSQL), so that nothing can
    change them between this check and the commit of the plan it guards.
    """
    now = _versions(session, row, lock=True)
    changed: list[str] = []
    for (kind, table), before, after in zip(
        _STAMPED,
        (stamp.participants, stamp.openings, stamp.organizations),
        (now.participants, now.openings, now.organizations),
        strict=True,
    ):
        ids = sorted({i for i in before.keys() | after.keys() if before.get(i) != after.get(i)})
        if not ids:
            continue
        names: dict[int, str] = dict(
            session.execute(
                sa.select(col(table.id), col(table.external_id)).where(col(table.id).in_(ids[:20]))
            ).all()
        )
        changed.extend(f"{kind} {names.get(i, f'#{i} (removed)')}" for i in ids[:20])
        if len(ids) > 20:
            changed.append(f"{len(ids) - 20} more {kind}s")
    return changed


@dataclass
class PreparedProblems:
    """The prepared problems kept for review reads, least recently used first, at most
    `limit` rounds (settings.review_cache_rounds; each is about 270 MB at national
    scale). The application holds one (`app.state.prepared_problems`) and hands it to
    the review services; it is safe to share between request threads."""

    limit: int = 1
    by_round: OrderedDict[tuple[str, int], Instance] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _trim(self) -> None:
        while len(self.by_round) > self.limit:
            self.by_round.popitem(last=False)

    def take(self, key: tuple[str, int]) -> Instance | None:
        """The kept instance of a round, no longer kept (it is replaced once prepared)."""
        with self.lock:
            return self.by_round.pop(key, None)

    def keep(self, key: tuple[str, int], instance: Instance) -> None:
        """Keep a round's instance, forgetting the least recently used beyond `limit`."""
        with self.lock:
            if self.limit > 0:
                self.by_round[key] = instance
                self._trim()


def full_instance(
    session: Session, row: models.Round, *, prepared: PreparedProblems
) -> tuple[Instance, list[PlanEntry]]:
    """The round's prepared problem, with the current plan as `previous_plan`, and the plan.

    The instances of the rounds read last are kept in `prepared`: if the records did not
    change (only statuses, pins or forbidden pairs), a kept instance's eligibility and
    scores are reused.
    """
    assert row.id is not None
    entries = plan_entries(session, row.id)
    problem = full_problem(session, row, entries=entries, with_previous_plan=True)
    key = (kept_records.database_of(session), row.id)
    base = prepared.take(key)  # let it go once replaced
    instance = prepare(problem, base=base)
    del base
    prepared.keep(key, instance)
    return instance, entries


def local_problem(
    session: Session,
    row: models.Round,
    participant_ids: Collection[int],
    *,
    pinned: Sequence[Assignment],
    previous_plan: Sequence[Assignment],
) -> Problem:
    """Every organization and opening, the given participants and their partners."""
    assert row.id is not None
    organizations, openings = kept_records.catalogue(session)
    people = _with_partners(session, participant_ids)
    wanted = [
        person_id
        for (person_id,) in session.execute(
            select(models.Participant.id).where(
                col(models.Participant.external_id).in_([p.external_id for p in people])
            )
        ).all()
    ]
    dataset = fmt.Dataset(
        format=fmt.FORMAT,
        organizations=organizations,
        openings=openings,
        participants=people,
    )
    return _problem(
        dataset,
        row,
        pinned=pinned,
        forbidden_pairs=forbidden(session, row.id, wanted),
        previous_plan=previous_plan,
    )


def _with_partners(session: Session, participant_ids: Collection[int]) -> list[fmt.Participant]:
    participant = models.Participant
    partner = aliased(models.Participant)
    wanted = set(participant_ids)
    partner_ids = session.scalars(
        select(participant.partner_id).where(
            col(participant.id).in_(list(wanted)), col(participant.partner_id).is_not(None)
        )
    ).all()
    wanted.update(pid for pid in partner_ids if pid is not None)
    rows = session.execute(
        select(participant, col(partner.external_id))
        .outerjoin(partner, col(partner.id) == participant.partner_id)
        .where(col(participant.id).in_(list(wanted)))
        .order_by(participant.external_id)
    ).all()
    return [participant_record(row, partner_ext) for row, partner_ext in rows]
