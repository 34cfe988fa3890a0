"""The demand of a programme year through the service: new places from the ledger, how
undecided JETs count, and applying it to the openings (preview, If-Match, plans).

With season_support.LEDGER on the small dataset, for 2026: OPN-A1 (2 slots) keeps C-A2
(reappointing) and C-A1 (undecided); OPN-A2 (1 slot) keeps C-A3 (undecided); OPN-B1 (1
slot) loses C-B1 (leaving).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import Forbidden, PreconditionFailed, PreconditionRequired
from jet_match.schemas.demand import Demand, DemandApplied
from jet_match.schemas.programme_years import ProgrammeYearSettings
from jet_match.schemas.records import OpeningUpdate
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.records import openings
from jet_match.services.season import demand, programme_years
from round_support import ROUND, current_plan, published_round
from season_support import add_contracts, contract, host

pytestmark = pytest.mark.usefixtures("loaded")


def _demand(engine: Engine, caller: Caller = COMMAND_LINE, year: int = 2026) -> Demand:
    with Session(engine) as session:
        return demand.get_demand(
            session=session, caller=caller, programme_year=year, filters=demand.DemandFilter()
        ).resource


def _etag(engine: Engine, year: int = 2026) -> str:
    with Session(engine) as session:
        written = demand.get_demand(
            session=session, caller=COMMAND_LINE, programme_year=year, filters=demand.DemandFilter()
        )
    assert written.etag is not None
    return written.etag


def _apply(engine: Engine, *, dry_run: bool = False, if_match: str | None = "*") -> DemandApplied:
    with Session(engine) as session:
        return demand.apply_demand(
            session=session,
            caller=COMMAND_LINE,
            programme_year=2026,
            if_match=if_match,
            dry_run=dry_run,
        ).resource


def _counts(found: Demand) -> dict[str, tuple[int, ...]]:
    return {
        line.opening: (
            line.posts,
            line.continuing,
            line.reappointing,
            line.leaving,
            line.undecided,
            line.new_places,
        )
        for line in found.openings
    }


def _slots(engine: Engine) -> dict[str, tuple[int, int | None, str]]:
    with Session(engine) as session:
        rows = session.scalars(select(models.Opening).order_by(col(models.Opening.external_id)))
        return {row.external_id: (row.slots, row.posts, row.status) for row in rows}


def _set_posts(engine: Engine, opening: str, posts: int) -> None:
    with Session(engine) as session:
        openings.update_opening(
            session=session,
            caller=COMMAND_LINE,
            external_id=opening,
            changes=OpeningUpdate(posts=posts),
            if_match="*",
        )


def _count_undecided_as_leaving(engine: Engine) -> None:
    with Session(engine) as session:
        programme_years.set_programme_year(
            session=session,
            caller=COMMAND_LINE,
            year=2026,
            settings=ProgrammeYearSettings(undecided_as_leaving=True),
            if_match="*",
        )


class TestLedger:
    def test_new_places_are_the_posts_the_staying_jets_leave(self, engine: Engine) -> None:
        add_contracts(engine)
        add_contracts(
            engine,
            contract("C-B2", "ORG-B", "OPN-B1", ends_on="2027-07-31"),
            contract("C-B0", "ORG-B", "OPN-B1", ends_on="2025-07-31", started_on="2024-08-01"),
        )
        _set_posts(engine, "OPN-B1", 3)
        found = _demand(engine)
        assert _counts(found) == {
            "OPN-A1": (2, 0, 1, 0, 1, 0),
            "OPN-A2": (1, 0, 0, 0, 1, 0),
            "OPN-B1": (3, 1, 0, 1, 0, 2),
        }
        assert [(o.organization, o.posts, o.new_places) for o in found.organizations] == [
            ("ORG-A", 3, 0),
            ("ORG-B", 3, 2),
        ]
        assert [(p.prefecture, p.new_places) for p in found.prefectures] == [(1, 0), (13, 2)]
        assert found.total.new_places == 2

    def test_undecided_jets_count_as_leaving_when_the_year_says_so(self, engine: Engine) -> None:
        add_contracts(engine)
        _count_undecided_as_leaving(engine)
        found = _demand(engine)
        assert found.undecided_as_leaving is True
        assert {line.opening: line.new_places for line in found.openings} == {
            "OPN-A1": 1,
            "OPN-A2": 1,
            "OPN-B1": 1,
        }

    def test_without_contracts_every_open_post_is_a_new_place(self, engine: Engine) -> None:
        found = _demand(engine, year=2030)
        assert {line.opening: line.new_places for line in found.openings} == {
            "OPN-A1": 2,
            "OPN-A2": 1,
            "OPN-B1": 1,
        }

    def test_a_host_reads_its_own_demand_and_with_prefecture_scope_its_prefectures(
        self, engine: Engine
    ) -> None:
        add_contracts(engine)
        assert [line.opening for line in _demand(engine, host(engine, "ORG-B")).openings] == [
            "OPN-B1"
        ]
        scoped = host(engine, "ORG-A", prefecture_scope=True)
        assert [line.opening for line in _demand(engine, scoped).openings] == [
            "OPN-A1",
            "OPN-A2",
        ]

    def test_a_host_may_not_apply(self, engine: Engine) -> None:
        with Session(engine) as session, pytest.raises(Forbidden):
            demand.apply_demand(
                session=session,
                caller=host(engine, "ORG-A"),
                programme_year=2026,
                if_match="*",
            )


class TestApply:
    def test_apply_sets_slots_freezes_posts_and_cancels_openings_without_places(
        self, engine: Engine
    ) -> None:
        add_contracts(engine)
        _set_posts(engine, "OPN-A1", 3)
        applied = _apply(engine, if_match=_etag(engine))
        assert [
            (c.opening, c.slots_before, c.slots_after, c.status_after) for c in applied.changes
        ] == [
            ("OPN-A1", 2, 1, "open"),
            ("OPN-A2", 1, 1, "cancelled"),
        ]
        assert applied.unchanged == 1
        assert _slots(engine) == {
            "OPN-A1": (1, 3, "open"),
            "OPN-A2": (1, 1, "cancelled"),
            "OPN-B1": (1, None, "open"),
        }
        again = _apply(engine)
        assert (again.changes, again.unchanged) == ([], 2)
        with Session(engine) as session:
            actions = list(
                session.scalars(
                    select(models.AuditEvent.action).where(
                        col(models.AuditEvent.action).in_(["demand.apply", "opening.update"])
                    )
                )
            )
        assert actions.count("demand.apply") == 2
        assert actions.count("opening.update") == 3  # posts set once, two openings applied

    def test_a_dry_run_says_what_apply_would_do_and_writes_nothing(self, engine: Engine) -> None:
        add_contracts(engine)
        before = _slots(engine)
        preview = _apply(engine, dry_run=True, if_match=None)
        assert preview.dry_run is True
        assert [c.opening for c in preview.changes] == ["OPN-A1", "OPN-A2"]
        assert _slots(engine) == before
        assert _apply(engine).changes == preview.changes

    def test_apply_needs_the_etag_of_the_demand_read(self, engine: Engine) -> None:
        add_contracts(engine)
        seen = _etag(engine)
        with pytest.raises(PreconditionRequired):
            _apply(engine, if_match=None)
        _set_posts(engine, "OPN-A1", 3)
        with pytest.raises(PreconditionFailed):
            _apply(engine, if_match=seen)
        assert _slots(engine)["OPN-A1"] == (2, 3, "open")

    def test_lost_slots_vacate_placements_of_the_working_plan(
        self, engine: Engine, settings: Settings
    ) -> None:
        published_round(engine, settings)
        add_contracts(
            engine,
            contract("C-A9", "ORG-A", "OPN-A1", intention="reappointing"),
            contract("C-A8", "ORG-A", "OPN-A1", ends_on=date(2027, 7, 31).isoformat()),
        )
        _set_posts(engine, "OPN-A1", 3)
        applied = _apply(engine)
        assert [(c.opening, c.slots_after) for c in applied.changes] == [("OPN-A1", 1)]
        assert [(v.round, v.opening) for v in applied.vacated] == [(ROUND, "OPN-A1")]
        plan = current_plan(engine)
        assert sum(1 for opening in plan.values() if opening == "OPN-A1") == 1
