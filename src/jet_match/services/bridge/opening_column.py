"""One opening's column of a round's problem: every participant against that opening.

Candidates for an opening rank the run's eligible participants by their score there;
that needs the eligibility and scores of one column, not of the ~6 M pairs of the whole
national problem. The column problem has every organization and participant, but only
the opening asked for and the openings of the plan's pins and overrides (a pinned
alternate is in the run only if its pin's opening is known; an override's waiver sets
rules aside for its own pair). Eligibility and scores are per pair, so the column's
pairs are those of the whole problem at that opening (tests/services/bridge compare
them).
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from jet_match import models
from jet_match.services.bridge import round_data
from jet_match.services.bridge.round_data import PlanEntry
from jet_match.solver import Instance, Problem, prepare


def opening_column(
    session: Session, row: models.Round, opening: str
) -> tuple[Instance, list[PlanEntry], Problem]:
    """The prepared column problem of `opening` (external_id), the working plan, and the
    whole problem the column was cut from (every record; no previous plan)."""
    assert row.id is not None
    entries = round_data.plan_entries(session, row.id)
    problem = round_data.full_problem(session, row, entries=entries)
    kept = {a.opening for a in round_data.kept(entries)}
    wanted = kept | {opening}
    column = replace(
        problem,
        openings=tuple(o for o in problem.openings if o.external_id in wanted),
        forbidden=tuple(a for a in problem.forbidden if a.opening in wanted),
        waivers=tuple(w for w in problem.waivers if w.opening in wanted),
        previous_plan=(),
    )
    return prepare(column), entries, problem
