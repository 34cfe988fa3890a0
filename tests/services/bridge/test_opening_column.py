"""An opening's column problem gives the pairs of the whole problem at that opening."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from jet_match.services.bridge import round_data
from jet_match.services.bridge.opening_column import opening_column
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.rounds import rounds
from jet_match.solver import Instance
from round_support import ROUND, move, solved_round

pytestmark = pytest.mark.usefixtures("loaded")

OPENINGS = ("OPN-A1", "OPN-A2", "OPN-B1")


def _column(instance: Instance, opening: str) -> list[tuple[str, int]]:
    t = instance.tables
    at = np.flatnonzero(instance.pair_o == t.opening_ids.index(opening))
    return sorted(
        (t.participant_ids[int(instance.pair_p[k])], int(instance.pair_score[k])) for k in at
    )


def _columns_agree(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, ROUND)
        full, entries = round_data.full_instance(session, row, prepared=PreparedProblems())
        for opening in OPENINGS:
            local, local_entries, _ = opening_column(session, row, opening)
            assert local_entries == entries
            kept = {a.opening for a in round_data.kept(entries)}
            assert set(local.tables.opening_ids) == kept | {opening}
            assert _column(local, opening) == _column(full, opening)


def test_every_column_has_the_whole_problems_pairs(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    _columns_agree(engine)


def test_columns_agree_with_a_pinned_alternate_and_an_override(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    move(engine, "P-4", PlanChange(opening="OPN-A2", pinned=True, override_reason="agreed"))
    move(engine, "P-5", PlanChange(opening="OPN-B1", pinned=True, override_reason="agreed"))
    _columns_agree(engine)
    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, ROUND)
        local, _, _ = opening_column(session, row, "OPN-A1")
        full, _ = round_data.full_instance(session, row, prepared=PreparedProblems())
    alternate = local.tables.participant_ids.index("P-4")
    assert local.in_run[alternate]  # in the run through its pin, as in the whole problem
    assert full.in_run[full.tables.participant_ids.index("P-4")]
    assert local.waived == full.waived
