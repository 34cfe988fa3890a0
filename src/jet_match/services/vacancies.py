"""Filling vacancies with alternates, exactly as DESIGN.md section 3 says.

The places withdrawals freed (`vacancies`) are offered to the alternates of the round's
positions in `alternate_rank` order: each alternate in turn takes the best-scoring
vacancy they are eligible for, provided the plan keeps every hard rule (capacity, a
placed partner's couple constraint, the country cap); everybody else stays where they
are. An upgraded alternate becomes `shortlisted`. The result is an amendment, the list
of changes, which the coordinator reviews and publishes as the next version.

An alternate whose partner is placed must be placed where the couple's constraint
holds; an alternate whose partner is not placed (an alternate too, or withdrawn) is
placed as a single person, as a run would.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.schemas import Amendment, AmendmentChange, OpenVacancy, RoundStatus
from jet_match.services import audit, round_data, rounds
from jet_match.services.access import Action, Caller, authorize
from jet_match.services.writes import Written, commit, compare_and_swap, etag_of
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

Vacancy = models.Vacancy


@dataclass(slots=True)
class _Open:
    vacancy: models.Vacancy
    opening: str
    withdrawn: str
    fillable: bool


@dataclass(frozen=True, slots=True)
class _Upgrade:
    alternate: models.Participant
    rank: int | None  # as it was: upgrading clears it
    vacancy: _Open
    report: PairReport


def fill_vacancies(
    *, session: Session, caller: Caller, round_id: str, if_match: str | None
) -> Written[Amendment]:
    """Upgrade alternates into the round's vacancies, in alternate_rank order."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    assert row.id is not None
    vacancies = _open_vacancies(session, row)
    fillable = [v for v in vacancies if v.fillable]
    alternates = _alternates(session, row) if fillable else []
    upgrades = _choose(session, row, fillable, alternates) if alternates else []
    version, status = row.version, row.status
    if upgrades:
        version = rounds.bump(session, row)
        for upgrade in upgrades:
            _apply(session, caller, row, upgrade)
        status = rounds.settle_status(session, row)
        commit(session)
    taken = {id(u.vacancy) for u in upgrades}
    amendment = Amendment(
        round=row.external_id,
        status=RoundStatus(status),
        changes=[
            AmendmentChange(
                participant=u.alternate.external_id,
                alternate_rank=u.rank,
                opening=u.vacancy.opening,
                score=u.report.score,
                replaces=u.vacancy.withdrawn,
            )
            for u in upgrades
        ],
        unfilled=[
            OpenVacancy(opening=v.opening, withdrawn=v.withdrawn)
            for v in vacancies
            if id(v) not in taken
        ],
    )
    return Written(amendment, etag_of(version))


def _open_vacancies(session: Session, row: models.Round) -> list[_Open]:
    opening, participant = models.Opening, models.Participant
    found = session.execute(
        select(Vacancy, opening, col(participant.external_id))
        .join(opening, col(opening.id) == Vacancy.opening_id)
        .join(participant, col(participant.id) == Vacancy.withdrawn_id)
        .where(Vacancy.round_id == row.id, col(Vacancy.filled_by_id).is_(None))
        .order_by(col(Vacancy.id))
    ).all()
    return [
        _Open(
            vacancy,
            place.external_id,
            withdrawn,
            place.status == fmt.OpeningStatus.OPEN.value and place.position in row.positions,
        )
        for vacancy, place, withdrawn in found
    ]


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


def _choose(
    session: Session,
    row: models.Round,
    vacancies: list[_Open],
    alternates: list[models.Participant],
) -> list[_Upgrade]:
    """Each alternate in rank order takes the best-scoring vacancy that keeps the rules."""
    assert row.id is not None
    involved = {a.id for a in alternates if a.id is not None} | _neighbours(session, row, vacancies)
    entries = round_data.plan_entries(session, row.id)
    plan = {e.participant: e.opening for e in entries}
    problem = round_data.local_problem(
        session, row, involved, pinned=round_data.pins(entries), previous_plan=()
    )
    instance = prepare(_promoted(problem, {a.external_id for a in alternates}, set(plan)))
    known = {p.external_id for p in problem.participants}
    plan = {p: o for p, o in plan.items() if p in known}
    broken = _violations(instance, plan)
    remaining = list(vacancies)
    upgrades = []
    for alternate in alternates:
        if not remaining:
            break
        options = []
        for opening in sorted({v.opening for v in remaining}):
            report = pair_report(instance, alternate.external_id, opening)
            if report.eligible:
                options.append((-report.score, opening, report))
        for _, opening, report in sorted(options, key=lambda option: option[:2]):
            trial = {**plan, alternate.external_id: opening}
            now_broken = _violations(instance, trial)
            if now_broken <= broken:
                plan, broken = trial, now_broken
                vacancy = next(v for v in remaining if v.opening == opening)
                remaining.remove(vacancy)
                upgrades.append(_Upgrade(alternate, alternate.alternate_rank, vacancy, report))
                break
    return upgrades


def _neighbours(session: Session, row: models.Round, vacancies: list[_Open]) -> set[int]:
    """Everyone placed in the prefectures of the vacancies (capacity, caps, couples)."""
    placement, opening, organization = models.Placement, models.Opening, models.Organization
    prefectures = session.scalars(
        select(organization.prefecture)
        .join(opening, col(opening.organization_id) == organization.id)
        .where(col(opening.id).in_([v.vacancy.opening_id for v in vacancies]))
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


def _promoted(problem: Problem, alternates: set[str], placed: set[str]) -> Problem:
    """Alternates as shortlisted; a couple link kept only when the partner is placed."""
    single = {
        p.external_id
        for p in problem.participants
        if p.external_id in alternates and p.partner is not None and p.partner not in placed
    }
    single |= {
        p.external_id for p in problem.participants if p.partner is not None and p.partner in single
    }

    def adjusted(person: Participant) -> Participant:
        if person.external_id in alternates:
            person = replace(person, status=ParticipantStatus.SHORTLISTED)
        if person.external_id in single:
            person = replace(person, partner=None, partner_constraint=None)
        return person

    return replace(problem, participants=tuple(adjusted(p) for p in problem.participants))


def _violations(instance: Instance, plan: dict[str, str]) -> set[tuple[str, tuple[str, ...]]]:
    pairs = [Assignment(p, o) for p, o in plan.items()]
    return {
        (v.rule, tuple(sorted((*v.participants, *v.openings))))
        for v in check_plan(instance, pairs)
        if v.rule != "couple_split"  # a placed partner waiting for an alternate is not new
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
    vacancy = upgrade.vacancy.vacancy
    session.add(
        models.Placement(
            round_id=row.id,
            participant_id=person.id,
            opening_id=vacancy.opening_id,
            pinned=False,
            score=upgrade.report.score,
            breakdown=dict(upgrade.report.breakdown),
            source="vacancy",
        )
    )
    vacancy.filled_by_id = person.id
    vacancy.filled_at = models.utcnow()
    session.add(vacancy)
    audit.record(
        session,
        caller,
        "vacancy.fill",
        "round",
        row.external_id,
        participant=person.external_id,
        alternate_rank=upgrade.rank,
        opening=upgrade.vacancy.opening,
        replaces=upgrade.vacancy.withdrawn,
        before={"status": fmt.ParticipantStatus.ALTERNATE.value, "opening": None},
        after={
            "status": fmt.ParticipantStatus.SHORTLISTED.value,
            "opening": upgrade.vacancy.opening,
        },
    )
    session.flush()
