"""Review aids through their services, without HTTP: explanations, candidates, report."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import review
from round_support import ROUND, SMALL_PLAN, solved_round
from statement_count import statements_sent

pytestmark = pytest.mark.usefixtures("loaded")


def test_an_explanation_gives_the_placement_and_its_alternatives(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session, statements_sent(engine) as sent:
        explained = review.explanation(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            participant_id="P-1",
        )
    # The round, the participant, the row problem's records (plan, catalogue, forbidden
    # pairs, people: a stamp row, then the versions and changed rows on a first read) and
    # the placement; the alternatives' moves are judged on those (`loaded_round`).
    assert len(sent) <= 11, sent
    assert explained.placement is not None
    assert explained.placement.opening == SMALL_PLAN["P-1"]
    assert explained.unplaced_reasons == []
    assert all(alt.opening != SMALL_PLAN["P-1"] for alt in explained.alternatives)


def test_candidates_are_eligible_participants_best_score_first(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session, statements_sent(engine) as sent:
        found = review.candidates(
            session=session,
            caller=COMMAND_LINE,
            prepared=PreparedProblems(),
            round_id=ROUND,
            opening_id="OPN-B1",
        )
    assert len(sent) <= 12, sent  # as an explanation, + the ids and scores of the page
    assert found.opening == "OPN-B1"
    scores = [c.score for c in found.items]
    assert scores == sorted(scores, reverse=True)
    assert [t.participant for t in found.taken_by] == ["P-1"]
    with Session(engine) as session:  # every score shown is the placement's
        placed = dict(
            session.execute(
                select(models.Participant.external_id, models.Placement.score).join(
                    models.Participant,
                    col(models.Placement.participant_id) == models.Participant.id,
                )
            ).all()
        )
    assert [t.score for t in found.taken_by] == [placed["P-1"]]
    elsewhere = [c for c in found.items if c.current_opening not in (None, "OPN-B1")]
    assert elsewhere  # the couple, placed at OPN-A1, are candidates too
    for candidate in found.items:
        assert candidate.current_score == placed.get(candidate.participant), candidate


def test_the_report_counts_the_plan_and_names_the_unplaced(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        built = review.report(
            session=session, caller=COMMAND_LINE, prepared=PreparedProblems(), round_id=ROUND
        )
    assert built.objective.placed == len(SMALL_PLAN)
    assert [u.participant for u in built.unplaced] == []
    assert built.violations == []


def test_comparing_the_plan_with_itself_moves_no_one(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        compared = review.compare(
            session=session,
            caller=COMMAND_LINE,
            prepared=PreparedProblems(),
            round_id=ROUND,
            a="current",
            b="current",
        )
    assert compared.moved_count == 0
    assert compared.kpis_a == compared.kpis_b
