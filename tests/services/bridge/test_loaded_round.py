"""Moves judged on a loaded round answer as moves judged on the database's records.

`moves.assess` reads a move's local problem from the database; `moves.assess_loaded`
builds it from the whole problem and working plan a read has loaded already
(`loaded_round`). On a round with couples, a country cap, pins, an override and people
unplaced by hand, both judge every move of many participants (placed, unplaced, couple
members, pinned) to many openings (full, free, the partner's, under the cap), and many
participants to one opening (a candidates page), alike; the loaded path sends no
statement.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from changed_round_support import changed_dataset, changed_round
from jet_match import models
from jet_match.config import Settings
from jet_match.services.bridge import loaded_round, moves, round_data
from jet_match.services.bridge.loaded_round import LoadedRound
from jet_match.services.bridge.moves import Move
from jet_match.services.rounds import rounds
from round_support import ROUND
from statement_count import statements_sent


def _loaded(session: Session) -> tuple[models.Round, LoadedRound]:
    """The round and what an explanation loads of it: the whole problem, the plan."""
    row = rounds.find(session, ROUND)
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    problem = round_data.full_problem(session, row, entries=entries, with_previous_plan=True)
    return row, LoadedRound(problem, entries)


def _row_ids(
    session: Session, table: type[models.Participant] | type[models.Opening]
) -> dict[str, int]:
    """Each record's row id, by external id."""
    rows = session.exec(select(table.external_id, table.id)).all()
    return {external: row_id for external, row_id in rows if row_id is not None}


def test_moves_judged_on_the_loaded_round_equal_the_databases(
    engine: Engine, settings: Settings
) -> None:
    partners = changed_round(engine, settings, changed_dataset())
    with Session(engine, expire_on_commit=False) as session:
        row, loaded = _loaded(session)
        entries = loaded.entries
        participant_ids = _row_ids(session, models.Participant)
        opening_ids = _row_ids(session, models.Opening)
        placed = {e.participant: e for e in entries}
        people = sorted(participant_ids)
        chosen = sorted(
            {
                *people[::9],
                *sorted(partners)[:8],
                *(e.participant for e in entries if e.pinned or e.overridden),
                *[p for p in people if p not in placed][:6],
            }
        )
        targets = sorted({*sorted(opening_ids)[::7], *(e.opening for e in entries[:12])})
        kinds: set[str] = set()
        for person in chosen:
            with statements_sent(engine) as sent:
                judged = moves.assess_loaded(loaded, [(person, o) for o in targets])
            assert sent == [], person
            expected = moves.assess(
                session, row, [Move(participant_ids[person], opening_ids[o]) for o in targets]
            )
            for opening, assessment, found in zip(targets, expected, judged, strict=True):
                assert (found.participant, found.opening) == (person, opening)
                assert found.breaks == assessment.breaks, (person, opening)
                assert found.change == assessment.change, (person, opening)
                assert found.pair == assessment.pair, (person, opening)
                kinds.update(b.rule for b in found.breaks)
        # Many participants to one opening, as a candidates page judges them.
        for opening in targets[:6]:
            with statements_sent(engine) as sent:
                judged = moves.assess_loaded(loaded, [(p, opening) for p in chosen])
            assert sent == [], opening
            expected = moves.assess(
                session, row, [Move(participant_ids[p], opening_ids[opening]) for p in chosen]
            )
            assert [(j.participant, j.breaks, j.change, j.pair) for j in judged] == [
                (a.participant, a.breaks, a.change, a.pair) for a in expected
            ], opening
    # The comparison met the rules a move can break on this round.
    assert {"country_cap", "over_capacity"} <= kinds, kinds
    assert kinds & {"couple_split", "couple_apart"}, kinds


def test_affected_takes_holders_partners_and_the_caps_prefecture(
    engine: Engine, settings: Settings
) -> None:
    partners = changed_round(engine, settings, changed_dataset())
    with Session(engine, expire_on_commit=False) as session:
        _, loaded = _loaded(session)
    entries, problem = loaded.entries, loaded.problem
    couple_member = next(p for p in sorted(partners) if p in {e.participant for e in entries})
    target = next(e.opening for e in entries if e.participant != couple_member)
    touched = loaded_round.affected(loaded, {couple_member}, {target})
    assert couple_member in touched
    assert partners[couple_member] in touched
    holders = {e.participant for e in entries if e.opening == target}
    assert holders <= touched
    person = {p.external_id: p for p in problem.participants}
    organization = {o.external_id: o.organization for o in problem.openings}
    org_prefecture = {o.external_id: o.prefecture for o in problem.organizations}
    where = org_prefecture[organization[target]]
    countrymen = {
        e.participant
        for e in entries
        if org_prefecture[organization[e.opening]] == where
        and person[e.participant].citizenship == person[couple_member].citizenship
    }
    assert countrymen <= touched
    local = loaded_round.local_problem(loaded, touched)
    assert {p.external_id for p in local.participants} == touched
    assert {a.participant for a in local.previous_plan} <= touched
    assert all(f.participant in touched for f in local.forbidden)
