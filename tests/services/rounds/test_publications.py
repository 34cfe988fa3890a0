"""Publications through their services, without HTTP: publish, host reads, results."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import NotFound, PreconditionFailed
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit import lookups
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import publications
from jet_match.statuses import Role
from round_support import ROUND, SMALL_PLAN, move, published_round, round_etag, solved_round

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


def test_a_plan_changed_after_publish_read_it_is_not_published(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publish reads and works out everything before its first write; a plan change that
    commits in between makes it refuse (412): no version, no events from a stale read."""
    solved_round(engine, settings)
    etag = round_etag(engine)
    announcements = publications._announcements

    def change_meanwhile(*args: Any) -> list[Any]:
        found = announcements(*args)
        move(engine, "P-1", PlanChange(opening=None))
        return found

    monkeypatch.setattr(publications, "_announcements", change_meanwhile)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(PreconditionFailed):
        publications.publish(session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=etag)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Publication)) == 0
        kinds = session.exec(select(models.NotificationEvent.kind)).all()
        assert "round.published" not in kinds, kinds


def test_the_publication_transaction_only_writes(engine: Engine, settings: Settings) -> None:
    """From its first write to its commit (the stretch that holds SQLite's write lock) a
    publication reads nothing but the other rounds (the overlap check)."""
    solved_round(engine, settings)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine, expire_on_commit=False) as session:
            publications.publish(
                session=session, caller=COMMAND_LINE, round_id=ROUND, if_match=round_etag(engine)
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    first_write = next(
        i for i, s in enumerate(statements) if s.startswith(("INSERT", "UPDATE", "DELETE"))
    )
    reads = [s for s in statements[first_write:] if s.startswith("SELECT")]
    assert len(reads) == 1, reads
    assert "FROM ROUNDS" in reads[0], reads
    writes = [s for s in statements[first_write:] if not s.startswith("SELECT")]
    assert [w.split()[0:3] for w in writes] == [
        ["UPDATE", "ROUNDS", "SET"],
        ["INSERT", "INTO", "PUBLICATIONS"],
        ["INSERT", "INTO", "PUBLISHED_PLACEMENTS"],
        ["INSERT", "INTO", "NOTIFICATION_EVENTS"],
        ["INSERT", "INTO", "AUDIT_EVENTS"],
    ], writes
