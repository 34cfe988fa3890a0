"""A round's forbidden pairs through their services, without HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.schemas.plans import ForbiddenCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import forbidden
from round_support import ROUND, current_plan, solved_round

pytestmark = pytest.mark.usefixtures("loaded")


def test_forbidding_a_pair_takes_the_participant_out_of_it(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        pair = forbidden.forbid_pair(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            pair=ForbiddenCreate(participant="P-1", opening="OPN-B1"),
            if_match="*",
        ).resource
    assert (pair.participant, pair.opening, pair.unassigned) == (
        "P-1",
        "OPN-B1",
        True,
    )
    assert "P-1" not in current_plan(engine)
    with Session(engine, expire_on_commit=False) as session:
        listed = forbidden.list_forbidden(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            participant=None,
            opening=None,
            page=PageRequest(cursor=None, limit=50),
        ).resource.items
    assert [(f.participant, f.opening) for f in listed] == [("P-1", "OPN-B1")]
