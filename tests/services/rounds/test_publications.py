"""Publications through their services, without HTTP: publish, host reads, results."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.errors import NotFound
from jet_match.services.kit import lookups
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import publications
from jet_match.statuses import Role
from round_support import ROUND, SMALL_PLAN, published_round, round_etag, solved_round

pytestmark = pytest.mark.usefixtures("loaded")
PAGE = PageRequest(cursor=None, limit=50)


def test_publishing_makes_version_1_of_the_plan(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        published = publications.publish(
            session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine)
        ).resource
    assert (published.round, published.version) == (ROUND, 1)
    assert published.placed == published.added == len(SMALL_PLAN)
    assert (published.removed, published.moved) == (0, 0)


def test_a_host_reads_only_its_own_placements(engine: Engine, settings: Settings) -> None:
    published_round(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        organization_b = lookups.find_organization(session, COMMAND_LINE, "ORG-B")
        host = Caller(role=Role.HOST_ORG, organization_id=organization_b.id)
        own = publications.organization_placements(
            session=session, caller=host, organization_id="ORG-B", page=PAGE
        )
        assert [(p.participant, p.opening) for p in own.items] == [("P-1", "OPN-B1")]
        with pytest.raises(NotFound):
            publications.organization_placements(
                session=session, caller=host, organization_id="ORG-A", page=PAGE
            )
