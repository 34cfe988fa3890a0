"""The published-results feed through its service: snapshots, filters and changes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import Forbidden, InvalidInput
from jet_match.schemas.plans import PlanChange
from jet_match.services.careerfair import results
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import publications
from jet_match.statuses import Role
from round_support import ROUND, SMALL_PLAN, move, published_round, round_etag

pytestmark = pytest.mark.usefixtures("loaded")
PAGE = PageRequest(cursor=None, limit=50)


def test_results_list_every_published_placement(engine: Engine, settings: Settings) -> None:
    published_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        answer = results.results(session=session, caller=COMMAND_LINE, page=PAGE)
    assert answer.page is not None
    assert {r.participant: r.opening for r in answer.page.items} == SMALL_PLAN
    with Session(engine, expire_on_commit=False) as session:
        again = results.results(
            session=session, caller=COMMAND_LINE, page=PAGE, if_none_match=answer.etag
        )
    assert again.page is None  # the client's copy is current


def test_changes_answer_added_changed_and_removed(engine: Engine, settings: Settings) -> None:
    with Session(engine, expire_on_commit=False) as session:
        empty = results.changes(session=session, caller=COMMAND_LINE, since=None)
    assert empty.added == []
    published_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        everything = results.changes(session=session, caller=COMMAND_LINE, since=empty.sync_token)
    assert {i.participant for i in everything.added} == set(SMALL_PLAN)
    move(engine, "P-1", PlanChange(opening=None))
    move(engine, "P-5", PlanChange(opening=None))
    with Session(engine, expire_on_commit=False) as session:
        publications.publish(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine)
        )
    with Session(engine, expire_on_commit=False) as session:
        alts = results.changes(
            session=session,
            caller=COMMAND_LINE,
            since=everything.sync_token,
            filters=results.ResultFilter(position=fmt.Position.ALT),
        )
    assert [(i.participant, i.version) for i in alts.removed] == [("P-1", 1)]
    assert alts.added == alts.changed == []


def test_a_token_not_given_out_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(InvalidInput) as info:
        results.changes(session=session, caller=COMMAND_LINE, since="W1sxLCJ4Il1d")
    assert info.value.problems[0].field == "since"


def test_hosts_do_not_read_results(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Forbidden):
        results.results(session=session, caller=Caller(role=Role.HOST_ORG), page=PAGE)
