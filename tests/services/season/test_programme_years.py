"""Programme years through the service: defaults, setting with If-Match, the audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.errors import Forbidden, PreconditionFailed
from jet_match.schemas.programme_years import ProgrammeYearSettings
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.season import programme_years
from season_support import host

pytestmark = pytest.mark.usefixtures("loaded")

DEADLINE = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)


def _set(engine: Engine, if_match: str, **settings: object) -> str | None:
    with Session(engine) as session:
        return programme_years.set_programme_year(
            session=session,
            caller=COMMAND_LINE,
            year=2026,
            settings=ProgrammeYearSettings.model_validate(settings),
            if_match=if_match,
        ).etag


def test_a_year_nobody_set_reads_as_the_defaults(engine: Engine) -> None:
    with Session(engine) as session:
        written = programme_years.get_programme_year(
            session=session, caller=host(engine, "ORG-A"), year=2026
        )
    assert written.etag == '"0"'
    assert written.resource.intention_deadline is None
    assert written.resource.undecided_as_leaving is False
    assert written.resource.deadline_passed is False


def test_a_coordinator_sets_a_year_with_if_match_and_it_is_audited(engine: Engine) -> None:
    etag = _set(engine, '"0"', intention_deadline=DEADLINE)
    assert etag == '"1"'
    with Session(engine) as session:
        read = programme_years.get_programme_year(session=session, caller=COMMAND_LINE, year=2026)
        assert read.resource.intention_deadline == DEADLINE
        assert read.resource.deadline_passed is True
        listed = programme_years.list_programme_years(session=session, caller=COMMAND_LINE)
        assert [year.programme_year for year in listed] == [2026]
    with pytest.raises(PreconditionFailed):
        _set(engine, '"0"', undecided_as_leaving=True)
    assert _set(engine, '"1"', intention_deadline=DEADLINE, undecided_as_leaving=True) == '"2"'
    with Session(engine) as session:
        details = list(
            session.scalars(
                select(models.AuditEvent.detail).where(
                    models.AuditEvent.action == "programme_year.update"
                )
            )
        )
    assert details == [
        {"fields": ["intention_deadline", "undecided_as_leaving"]},
        {"fields": ["undecided_as_leaving"]},
    ]


def test_a_host_may_not_set_a_year(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Forbidden):
        programme_years.set_programme_year(
            session=session,
            caller=host(engine, "ORG-A"),
            year=2026,
            settings=ProgrammeYearSettings(),
            if_match="*",
        )
