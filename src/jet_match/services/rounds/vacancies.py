"""Filling vacancies with alternates, exactly as DESIGN.md section 3 says.

A vacancy is a place the latest publication filled and the working plan no longer does
(`rounds.open_vacancies`: at every open opening of the round's positions,
min(slots, placed there in the latest publication) - placed there now). It does not
matter how the place was freed: a withdrawal, a move, a record change that vacated it.

The vacancies are offered to the alternates of the round's positions in
`alternate_rank` order: each alternate in turn takes the best-scoring vacancy they are
eligible for, provided the plan keeps every hard rule (capacity, couples, the country
cap); everybody else stays where they are. An upgraded alternate becomes `shortlisted`.
The result is an amendment, the list of changes, which the coordinator reviews and
publishes as the next version.

Couples: an alternate whose partner is placed takes only a vacancy where the couple's
constraint holds next to that partner. Two alternates who are partners are one unit,
offered places when the better-ranked of them comes: both are placed together (the pair
of vacancies with the best total score that keeps their constraint) or neither is. An
alternate whose partner is out of the round (withdrawn, or of another position) is
placed as a single person, as a run would; one whose partner is shortlisted but
unplaced is not upgraded (alone, they would split the couple).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas.vacancies import Amendment, AmendmentChange, OpenVacancy
from jet_match.services.bridge import round_data
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import Written, commit, compare_and_swap, etag_of
from jet_match.services.rounds import rounds
from jet_match.services.security import audit
from jet_match.solver import (
    Assignment,
    Instance,
    PairReport,
    Participant,
    ParticipantStatus,
    Problem,
    check_plan,
    pair_report,
    prepare,
)
from jet_match.statuses import RoundStatus


@dataclass(frozen=True, slots=True)
class _Upgrade:
    alternate: models.Participant
    rank: int | None  # as it was: upgrading clears it
    opening: rounds.Vacancy
    report: PairReport
    replaces: str | None


@dataclass
class _Offer:
    """The vacancies still open while alternates are served, and who left them."""

    places: dict[str, int]
    by_opening: dict[str, rounds.Vacancy]
    vacated_by: dict[str, list[str]] = field(default_factory=dict)

    def take(self, opening: str) -> str | None:
        """Fill one place; the published holder it replaces, if known."""
        self.places[opening] -= 1
        left = self.vacated_by.get(opening, [])
        return left.pop(0) if left else None


def fill_vacancies(
    *, session: Session, caller: Caller, round_id: str, if_match: str | None, dry_run: bool = False
) -> Written[Amendment]:
    """Upgrade alternates into the round's vacancies, in alternate_rank order; `dry_run`
    answers the same amendment and leaves the plan as it is (a preview: its ETag is the
    round's current one, to send with the fill itself)."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    assert row.id is not None
    vacancies = rounds.open_vacancies(session, row)
    offer = _Offer(
        places={v.opening: v.places for v in vacancies},
        by_opening={v.opening: v for v in vacancies},
        vacated_by=_vacated_by(session, row, vacancies),
    )
    alternates = _alternates(session, row) if vacancies else []
    upgrades = _choose(session, row, offer, alternates) if alternates else []
    version, status = row.version, row.status
    if upgrades and not dry_run:
        version = rounds.bump(session, row)
        for upgrade in upgrades:
            _apply(session, caller, row, upgrade)
        status = rounds.settle_status(session, caller, row)
        commit(session)
    amendment = Amendment(
        round=row.external_id,
        status=RoundStatus(status),
        changes=[
            AmendmentChange(
                participant=u.alternate.external_id,
                alternate_rank=u.rank,
                opening=u.opening.opening,
                score=u.report.score,
                replaces=u.replaces,
            )
            for u in upgrades
        ],
        unfilled=[
            OpenVacancy(opening=o, places=n, vacated_by=offer.vacated_by.get(o, []))
            for o, n in sorted(offer.places.items())
            if n > 0
        ],
    )
    return Written(amendment, etag_of(version))


def _vacated_by(
    session: Session, row: models.Round, vacancies: Sequence[rounds.Vacancy]
) -> dict[str, list[str]]:
    """Per vacant opening, who the latest publication placed there and the plan no longer
    does (in participant order)."""
    published, placement = models.PublishedPlacement, models.Placement
    participant, opening = models.Participant, models.Opening
    still = select(placement.participant_id).where(
        placement.round_id == row.id, placement.opening_id == published.opening_id
    )
    found = session.execute(
        select(opening.external_id, participant.external_id)
        .select_from(published)
        .join(models.Publication, col(models.Publication.id) == published.publication_id)
        .join(opening, col(opening.id) == published.opening_id)
        .join(participant, col(participant.id) == published.participant_id)
        .where(
            models.Publication.round_id == row.id,
            models.Publication.version == row.published_version,
            col(published.opening_id).in_([v.opening_id for v in vacancies]),
            col(published.participant_id).not_in(still),
        )
        .order_by(opening.external_id, participant.external_id)
    ).all()
    left: dict[str, list[str]] = {}
    for place, person in found:
        left.setdefault(place, []).append(person)
    return left


def _alternates(session: Session, row: models.Round) -> list[models.Participant]:
    participant, placement = models.Participant, models.Placement
    placed = select(placement.participant_id).where(placement.round_id == row.id)
    return list(
        session.scalars(
            select(participant)
            .where(
                participant.status == fmt.ParticipantStatus.ALTERNATE.value,
                col(participant.position).in_(row.positions),
                col(participant.id).not_in(placed),
            )
            .order_by(col(participant.alternate_rank).nulls_last(), col(participant.external_id))
        ).all()
    )


@dataclass(frozen=True, slots=True)
class _Unit:
    """Alternates placed together (a couple of alternates) or one alone."""

    members: tuple[models.Participant, ...]


def _units(
    session: Session, row: models.Round, alternates: list[models.Participant], placed: set[int]
) -> tuple[list[_Unit], set[str]]:
    """The alternates as units in rank order, and the external_ids placed as singles.

    A couple of two alternates is one unit at the better rank; an alternate whose partner
    is shortlisted but unplaced is left out.
    """
    partner_ids = {a.partner_id for a in alternates if a.partner_id is not None}
    partners = {
        p.id: p
        for p in session.scalars(
            select(models.Participant).where(col(models.Participant.id).in_(partner_ids))
        )
    }
    waiting = {a.id for a in alternates}
    units: list[_Unit] = []
    singles: set[str] = set()
    seen: set[int | None] = set()
    for alternate in alternates:
        if alternate.id in seen:
            continue
        partner = partners.get(alternate.partner_id) if alternate.partner_id else None
        if partner is None or partner.id in placed:
            units.append(_Unit((alternate,)))
            if partner is None:
                singles.add(alternate.external_id)
        elif partner.id in waiting:
            units.append(_Unit((alternate, partner)))
            seen.add(partner.id)
        elif (
            partner.status == fmt.ParticipantStatus.WITHDRAWN.value
            or partner.position not in row.positions
        ):
            units.append(_Unit((alternate,)))
            singles.add(alternate.external_id)
        # else: a shortlisted partner without a place; upgrading one alone splits them
    return units, singles


def _choose(
    session: Session, row: models.Round, offer: _Offer, alternates: list[models.Participant]
) -> list[_Upgrade]:
    """Each unit in rank order takes the best-scoring vacancies that keep the rules."""
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    placed_ids = {e.participant_id for e in entries}
    units, singles = _units(session, row, alternates, placed_ids)
    involved = {m.id for u in units for m in u.members if m.id is not None}
    involved |= _neighbours(session, row, list(offer.by_opening.values()))
    problem = round_data.local_problem(
        session, row, involved, pinned=round_data.pins(entries), previous_plan=()
    )
    members = {m.external_id for u in units for m in u.members}
    instance = prepare(_promoted(problem, members, singles))
    known = {p.external_id for p in problem.participants}
    plan = {e.participant: e.opening for e in entries if e.participant in known}
    broken = _violations(instance, plan)
    upgrades: list[_Upgrade] = []
    for unit in units:
        if not any(offer.places.values()):
            break
        for choice in _options(instance, unit, offer):
            trial = {**plan, **{m.external_id: r.opening for m, r in choice}}
            now_broken = _violations(instance, trial)
            if now_broken <= broken:
                plan, broken = trial, now_broken
                for member, report in choice:
                    vacancy = offer.by_opening[report.opening]
                    upgrades.append(
                        _Upgrade(
                            member,
                            member.alternate_rank,
                            vacancy,
                            report,
                            offer.take(report.opening),
                        )
                    )
                break
    return upgrades


def _options(
    instance: Instance, unit: _Unit, offer: _Offer
) -> list[tuple[tuple[models.Participant, PairReport], ...]]:
    """The unit's possible places among the open vacancies, best total score first."""
    open_places = sorted(o for o, n in offer.places.items() if n > 0)
    eligible = [
        [
            report
            for report in (pair_report(instance, m.external_id, o) for o in open_places)
            if report.eligible
        ]
        for m in unit.members
    ]
    options: list[tuple[tuple[models.Participant, PairReport], ...]]
    if len(unit.members) == 1:
        options = [((unit.members[0], r),) for r in eligible[0]]
    else:
        first, second = unit.members
        options = [
            ((first, a), (second, b))
            for a in eligible[0]
            for b in eligible[1]
            if a.opening != b.opening or offer.places[a.opening] >= 2
        ]
    return sorted(
        options,
        key=lambda option: (
            -sum(r.score for _, r in option),
            -option[0][1].score,
            tuple(r.opening for _, r in option),
        ),
    )


def _neighbours(session: Session, row: models.Round, vacancies: list[rounds.Vacancy]) -> set[int]:
    """Everyone placed in the prefectures of the vacancies (capacity, caps, couples)."""
    placement, opening, organization = models.Placement, models.Opening, models.Organization
    prefectures = session.scalars(
        select(organization.prefecture)
        .join(opening, col(opening.organization_id) == organization.id)
        .where(col(opening.id).in_([v.opening_id for v in vacancies]))
    ).all()
    return set(
        session.scalars(
            select(placement.participant_id)
            .join(opening, col(opening.id) == placement.opening_id)
            .join(organization, col(organization.id) == opening.organization_id)
            .where(
                placement.round_id == row.id,
                col(organization.prefecture).in_(list(set(prefectures))),
            )
        ).all()
    )


def _promoted(problem: Problem, alternates: set[str], singles: set[str]) -> Problem:
    """The alternates as shortlisted; `singles` (and their partners) without a couple link."""
    unlinked = singles | {
        p.external_id
        for p in problem.participants
        if p.partner is not None and p.partner in singles
    }

    def adjusted(person: Participant) -> Participant:
        if person.external_id in alternates:
            person = replace(person, status=ParticipantStatus.SHORTLISTED)
        if person.external_id in unlinked:
            person = replace(person, partner=None, partner_constraint=None)
        return person

    return replace(problem, participants=tuple(adjusted(p) for p in problem.participants))


def _violations(instance: Instance, plan: dict[str, str]) -> set[tuple[str, tuple[str, ...]]]:
    pairs = [Assignment(p, o) for p, o in plan.items()]
    return {
        (v.rule, tuple(sorted((*v.participants, *v.openings))))
        for v in check_plan(instance, pairs)
        # Couples are placed whole (or next to a placed partner): a split that shows is
        # one that was there before, or an alternate couple still waiting.
        if v.rule != "couple_split"
    }


def _apply(session: Session, caller: Caller, row: models.Round, upgrade: _Upgrade) -> None:
    person = upgrade.alternate
    assert person.id is not None
    assert row.id is not None
    compare_and_swap(
        session,
        models.Participant,
        person.id,
        person.version,
        status=fmt.ParticipantStatus.SHORTLISTED.value,
        alternate_rank=None,
    )
    session.add(
        models.Placement(
            round_id=row.id,
            participant_id=person.id,
            opening_id=upgrade.opening.opening_id,
            pinned=False,
            score=upgrade.report.score,
            breakdown=dict(upgrade.report.breakdown),
            source="vacancy",
        )
    )
    audit.record(
        session,
        caller,
        "vacancy.fill",
        "round",
        row.external_id,
        participant=person.external_id,
        alternate_rank=upgrade.rank,
        opening=upgrade.opening.opening,
        replaces=upgrade.replaces,
        before={"status": fmt.ParticipantStatus.ALTERNATE.value, "opening": None},
        after={
            "status": fmt.ParticipantStatus.SHORTLISTED.value,
            "opening": upgrade.opening.opening,
        },
    )
    session.flush()


# --- offers: one vacancy, the next eligible alternate (services/season/offers.py) ---------


@dataclass(frozen=True, slots=True)
class Candidate:
    """Who an offer of a vacancy goes to: one alternate, or a couple of alternates (the
    better-ranked first), each with the opening and the pair's report there."""

    members: tuple[models.Participant, ...]
    places: tuple[rounds.Vacancy, ...]
    reports: tuple[PairReport, ...]


def next_candidate(
    session: Session,
    row: models.Round,
    opening: str,
    *,
    places: dict[str, int],
    passed_over: set[int],
) -> Candidate | None:
    """The best-ranked alternate (or couple of alternates) eligible for `opening` by the
    solver's rules whose place there keeps the plan's hard rules, as fill-vacancies would
    place them; None when nobody is.

    `places` are the places still free per vacant opening (the vacancies less the places
    that open offers hold); `passed_over` are alternates not to offer this opening (they
    hold a live offer, or declined it before). A couple of alternates takes `opening` and,
    for the partner, the same opening or another free place that keeps their constraint.
    """
    vacancies = [v for v in rounds.open_vacancies(session, row) if places.get(v.opening, 0) > 0]
    target = next((v for v in vacancies if v.opening == opening), None)
    if target is None:
        return None
    offer = _Offer(
        places={v.opening: places[v.opening] for v in vacancies},
        by_opening={v.opening: v for v in vacancies},
    )
    alternates = _alternates(session, row)
    if not alternates:
        return None
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    units, singles = _units(session, row, alternates, {e.participant_id for e in entries})
    units = [u for u in units if not any(m.id in passed_over for m in u.members)]
    instance, plan, broken = _assessed(session, row, entries, units, singles, vacancies)
    for unit in units:
        for choice in _options(instance, unit, offer):
            if opening not in {report.opening for _, report in choice}:
                continue
            trial = {**plan, **{m.external_id: r.opening for m, r in choice}}
            if _violations(instance, trial) <= broken:
                return Candidate(
                    members=tuple(m for m, _ in choice),
                    places=tuple(offer.by_opening[r.opening] for _, r in choice),
                    reports=tuple(r for _, r in choice),
                )
    return None


def still_fits(
    session: Session, row: models.Round, members: Sequence[models.Participant], openings: list[str]
) -> list[PairReport] | None:
    """Each alternate's report at their opening if placing them there (each still a
    vacancy) keeps the plan's hard rules and each pair eligible, else None: what accepting
    an offer checks, the plan having moved on since it was made."""
    vacancies = rounds.open_vacancies(session, row)
    free = {v.opening: v.places for v in vacancies}
    for opening in openings:
        free[opening] = free.get(opening, 0) - 1
    if any(n < 0 for n in free.values()):
        return None
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    unit = _Unit(tuple(members))
    singles = {m.external_id for m in members} if len(members) == 1 else set()
    if len(members) == 1 and members[0].partner_id is not None:
        partner = session.get(models.Participant, members[0].partner_id)
        placed = {e.participant_id for e in entries}
        if partner is not None and partner.id in placed:
            singles = set()
    instance, plan, broken = _assessed(session, row, entries, [unit], singles, vacancies)
    reports = [
        pair_report(instance, m.external_id, o) for m, o in zip(members, openings, strict=True)
    ]
    if not all(r.eligible for r in reports):
        return None
    trial = {**plan, **{m.external_id: o for m, o in zip(members, openings, strict=True)}}
    return reports if _violations(instance, trial) <= broken else None


def _assessed(
    session: Session,
    row: models.Round,
    entries: Sequence[round_data.PlanEntry],
    units: Sequence[_Unit],
    singles: set[str],
    vacancies: list[rounds.Vacancy],
) -> tuple[Instance, dict[str, str], set[tuple[str, tuple[str, ...]]]]:
    """The prepared problem around the vacancies (the units promoted), the plan in it and
    the rules it already breaks."""
    involved = {m.id for u in units for m in u.members if m.id is not None}
    involved |= _neighbours(session, row, vacancies)
    problem = round_data.local_problem(
        session, row, involved, pinned=round_data.pins(entries), previous_plan=()
    )
    members = {m.external_id for u in units for m in u.members}
    instance = prepare(_promoted(problem, members, singles))
    known = {p.external_id for p in problem.participants}
    plan = {e.participant: e.opening for e in entries if e.participant in known}
    return instance, plan, _violations(instance, plan)
