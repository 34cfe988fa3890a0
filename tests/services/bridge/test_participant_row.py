"""A participant's row problem explains exactly as the whole problem does.

On a generated dataset with couples, a country cap, pins, an override, participants left
unplaced by hand, full openings and ineligible alternatives, `explain_plan` on each
participant's row problem (`participant_row`: their pairs and their partner's only)
equals `explain` on the whole prepared problem, the path explanations took before.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from changed_round_support import changed_dataset, changed_round
from jet_match.config import Settings
from jet_match.services.bridge import round_data
from jet_match.services.bridge.participant_row import participant_row
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.rounds import rounds
from jet_match.solver import Explanation, explain, explain_plan, prepare, result_of_plan
from round_support import ROUND

ALTERNATIVES = 8


def _old_path(engine: Engine) -> dict[str, Explanation]:
    """Every participant's explanation on the whole problem, as explanations were made."""
    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, ROUND)
        instance, entries = round_data.full_instance(session, row, prepared=PreparedProblems())
    result = result_of_plan(instance, round_data.assignments(entries), engine="plan")
    return {
        p: explain(instance, result, p, alternatives=ALTERNATIVES, objective_change=False)
        for p in instance.tables.participant_ids
    }


def test_every_participants_row_explains_as_the_whole_problem(
    engine: Engine, settings: Settings
) -> None:
    dataset = changed_dataset()
    partners = changed_round(engine, settings, dataset)
    expected = _old_path(engine)
    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, ROUND)
        entries = round_data.plan_entries(session, row.id or 0)
        problem = round_data.full_problem(session, row, entries=entries, with_previous_plan=True)
        plan = round_data.assignments(entries)
        for person in sorted(expected):
            rows = {person, partners[person]} if person in partners else {person}
            instance = prepare(problem, rows=rows)
            found = explain_plan(instance, plan, person, alternatives=ALTERNATIVES)
            assert found == expected[person], person
        # The bridge's own row problem, for a few participants of each kind.
        unplaced = [p for p, e in expected.items() if e.unplaced is not None]
        for person in [*unplaced[:3], *sorted(partners)[:3], *sorted(expected)[:3]]:
            instance, row_entries = participant_row(session, row, person)
            assert row_entries == entries
            owners = {instance.tables.participant_ids[i] for i in set(instance.pair_p.tolist())}
            waived = {w.participant for w in instance.waived}  # waived pairs are kept
            assert owners <= {person, partners.get(person, person)} | waived
            found = explain_plan(instance, plan, person, alternatives=ALTERNATIVES)
            assert found == expected[person], person
    # The comparison covers every kind of explanation the brief lists.
    whys = [a.why for e in expected.values() for a in e.alternatives]
    reasons = [r for e in expected.values() if e.unplaced for r in e.unplaced.reasons]
    assert any(w.startswith("not eligible") for w in whys)
    assert any(w.startswith("full: taken by") for w in whys)
    assert any(w.startswith("has a free slot") for w in whys)
    assert any("country cap" in w for w in whys)
    assert any("couple rule" in w for w in whys)
    assert any("their pin" in w for w in whys)
    assert any("not placed in this plan" in r for r in reasons)
    assert any("together with partner" in r for r in reasons)
    assert any(e.placement is not None and e.placement.pinned for e in expected.values())
