"""A disclosure request gets everything held about a person, and is itself audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.errors import Forbidden, NotFound
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.operations import personal_data
from jet_match.services.records import participants
from jet_match.statuses import Role
from round_support import ROUND, SMALL_PLAN, published_round
from service_support import Keys


def test_the_record_plans_publications_and_accesses(
    session: Session, engine: Engine, settings: Settings, keys: Keys
) -> None:
    published_round(engine, settings)
    participants.get_participant(session=session, caller=COMMAND_LINE, external_id="P-1")
    answer = personal_data.personal_data(session=session, caller=COMMAND_LINE, external_id="P-1")
    assert answer.participant.external_id == "P-1"
    assert answer.participant.email  # contact and medical fields: the complete record
    assert [(p.round, p.opening) for p in answer.plans] == [(ROUND, SMALL_PLAN["P-1"])]
    assert [(p.round, p.version, p.opening) for p in answer.publications] == [
        (ROUND, 1, SMALL_PLAN["P-1"])
    ]
    actions = [access.action for access in answer.accesses]
    assert actions[-2:] == ["participant.read", "participant.disclose"]


def test_only_coordinators_and_only_existing_people(session: Session, keys: Keys) -> None:
    host = Caller(role=Role.HOST_ORG, organization_id=1)
    with pytest.raises(Forbidden):
        personal_data.personal_data(session=session, caller=host, external_id="P-1")
    with pytest.raises(NotFound):
        personal_data.personal_data(session=session, caller=COMMAND_LINE, external_id="P-404")
