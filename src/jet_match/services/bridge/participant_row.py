"""One participant's row of a round's problem: that participant against every opening.

An explanation ranks a participant's alternatives by their score, eligibility and the
plan's load, names the holders of each with their scores, and says what taking a free
slot would break (couple, country cap, pin); an unplaced participant's reasons read
their own pairs and their partner's. None of that needs the eligibility of the ~6 M pairs
of the whole national problem. The row problem is the whole problem (every record, the
working plan as previous plan, pins, overrides, forbidden pairs), prepared with the
pairs of the participant and their partner only (`solver.prepare(rows=...)`): the
tables, run membership, pins, couples and caps are the whole problem's, and the holders'
scores and cap counts are read from the tables. `solver.explain_plan` on it gives the
explanation of the whole problem (tests/services/bridge compare them).
"""

from __future__ import annotations

from sqlmodel import Session

from jet_match import models
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PlanEntry
from jet_match.solver import Instance, prepare


def participant_row(
    session: Session, row: models.Round, participant: str
) -> tuple[Instance, list[PlanEntry]]:
    """The prepared row problem of `participant` (external_id) and the working plan."""
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    problem = round_data.full_problem(session, row, entries=entries, with_previous_plan=True)
    partner = next((p.partner for p in problem.participants if p.external_id == participant), None)
    rows = {participant} if partner is None else {participant, partner}
    return prepare(problem, rows=rows), entries
