"""A round a read has loaded already, and the local problem of moves built from it.

An explanation (and a candidates page) reads the round's whole problem on the stored
records and its working plan before it judges moves. `moves.assess` would read again
what a move's local problem needs (the holders, the partners, the participants, the
forbidden pairs, the catalogue's stamp): ten statements, each a round trip on
PostgreSQL. Built from what is loaded, the same local problem costs none: the same
participants (movers, partners, holders of the openings they would take, and under a
country cap everyone placed in that prefecture with a mover's citizenship), the same
pins and previous plan, the same forbidden pairs, every organization and opening
(tests/services/bridge compare the two).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PlanEntry
from jet_match.solver import Problem


@dataclass(frozen=True, slots=True)
class LoadedRound:
    """The round's whole problem on the stored records (every organization, opening and
    participant, and the round's forbidden pairs; its plan fields are not read) and its
    working plan."""

    problem: Problem
    entries: Sequence[PlanEntry]


def affected(loaded: LoadedRound, movers: Collection[str], targets: Collection[str]) -> set[str]:
    """Participants (external ids) whose rules moving `movers` to `targets` can touch:
    the movers, the targets' holders, under a country cap everyone placed in a target's
    prefecture with a mover's citizenship, and the partners of all of them."""
    problem = loaded.problem
    touched = set(movers)
    touched.update(e.participant for e in loaded.entries if e.opening in targets)
    people = {p.external_id: p for p in problem.participants}
    if targets and problem.max_country_share_per_prefecture is not None:
        prefecture_of = _prefectures(problem)
        prefectures = {prefecture_of[o] for o in targets if o in prefecture_of}
        countries = {people[m].citizenship for m in movers if m in people}
        touched.update(
            e.participant
            for e in loaded.entries
            if prefecture_of.get(e.opening) in prefectures
            and e.participant in people
            and people[e.participant].citizenship in countries
        )
    partners = {people[p].partner for p in touched if p in people}
    touched.update(p for p in partners if p is not None)
    return touched


def local_problem(loaded: LoadedRound, participants: Collection[str]) -> Problem:
    """The local problem of `participants` (external ids, partners included): every
    organization and opening, those participants, their forbidden pairs, and their part
    of the working plan as pins (pinned placements only) and as the previous plan."""
    entries = [e for e in loaded.entries if e.participant in participants]
    problem = loaded.problem
    return replace(
        problem,
        participants=tuple(
            sorted(
                (p for p in problem.participants if p.external_id in participants),
                key=lambda p: p.external_id,
            )
        ),
        pins=round_data.pins(entries),
        forbidden=tuple(f for f in problem.forbidden if f.participant in participants),
        previous_plan=round_data.assignments(entries),
        waivers=(),
    )


def organization_of(problem: Problem) -> dict[str, str]:
    """Each opening's organization (external ids)."""
    return {o.external_id: o.organization for o in problem.openings}


def _prefectures(problem: Problem) -> dict[str, int]:
    prefecture = {org.external_id: org.prefecture for org in problem.organizations}
    return {o.external_id: prefecture[o.organization] for o in problem.openings}
