"""The prospect pipeline through its services: from identified to hosting, and the new
openings take part in the next run."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict, Forbidden, InvalidInput
from jet_match.schemas.development import (
    ContactCreate,
    ProspectConversion,
    ProspectCreate,
    ProspectStage,
    ProspectUpdate,
)
from jet_match.services.development import prospects
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.kit.pagination import PageRequest
from jet_match.statuses import Role
from round_support import ROUND, create_round, queue_run, work
from service_support import build_small_dataset
from statement_count import statements_sent

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture
def small_dataset() -> fmt.Dataset:
    """The small dataset plus P-8, an ALT who wants Fukuoka, where nobody hosts yet."""
    data = build_small_dataset().model_dump(mode="json")
    data["participants"].append(
        {
            "external_id": "P-8",
            "family_name": "F",
            "given_name": "G",
            "email": "p8@example.org",
            "citizenship": "IE",
            "position": "ALT",
            "preferred_prefectures": [40],
        }
    )
    return fmt.Dataset.model_validate(data)


NEW = ProspectCreate.model_validate(
    {
        "external_id": "PRO-FUKUOKA",
        "name": "Fukuoka City",
        "name_ja": "福岡市",
        "prefecture": 40,
        "kind": "designated_city",
        "area_type": "urban",
        "contact_name": "Sato",
        "owner": "tanaka",
    }
)
CONVERSION = ProspectConversion.model_validate(
    {
        "organization": "ORG-FUKUOKA",
        "openings": [
            {"external_id": "OPN-F1", "position": "ALT", "slots": 2, "school_level": "elementary"}
        ],
    }
)


def _etag(engine: Engine) -> str:
    with Session(engine) as session:
        etag = prospects.get_prospect(
            session=session, caller=COMMAND_LINE, external_id="PRO-FUKUOKA"
        ).etag
    assert etag is not None
    return etag


def test_a_prospect_goes_from_identified_to_hosting_and_its_openings_join_the_next_run(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        created = prospects.create_prospect(session=session, caller=COMMAND_LINE, prospect_in=NEW)
        assert created.resource.stage is ProspectStage.IDENTIFIED
        logged = prospects.add_contact(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            contact_in=ContactCreate(
                contacted_on=date(2026, 11, 2), channel="phone", summary="explained JET"
            ),
        )
        assert logged.resource.stage is ProspectStage.CONTACTED
        assert [c.summary for c in logged.resource.contacts] == ["explained JET"]
    with Session(engine, expire_on_commit=False) as session:
        prospects.update_prospect(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            changes=ProspectUpdate(stage=ProspectStage.INTERESTED),
            if_match=_etag(engine),
        )
    with Session(engine, expire_on_commit=False) as session:
        converted = prospects.convert(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            conversion=CONVERSION,
            if_match=_etag(engine),
        )
    assert converted.resource.stage is ProspectStage.HOSTING
    assert converted.resource.organization == "ORG-FUKUOKA"
    assert converted.resource.places_added == 2
    with Session(engine) as session:
        report = prospects.pipeline_report(session=session, caller=COMMAND_LINE)
        organization = session.scalars(
            select(models.Organization).where(models.Organization.external_id == "ORG-FUKUOKA")
        ).one()
        assert (organization.name_ja, organization.prefecture) == ("福岡市", 40)
        actions = set(session.scalars(select(models.AuditEvent.action)))
    assert {"prospect.create", "prospect.contact", "prospect.update", "prospect.convert"} <= actions
    assert report.by_stage["hosting"] == 1
    assert report.places_added == 2
    assert [(r.prefecture, r.places_added) for r in report.prefectures] == [(40, 2)]

    create_round(engine, ROUND)
    queue_run(engine, ROUND)
    work(engine, settings)
    with Session(engine) as session:
        run = session.scalars(select(models.Run)).one()
    assert run.plan is not None
    assert ["P-8", "OPN-F1"] in [entry[:2] for entry in run.plan]


def test_only_an_agreed_prospect_converts_and_nothing_is_half_made(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        prospects.create_prospect(session=session, caller=COMMAND_LINE, prospect_in=NEW)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(Conflict):
        prospects.convert(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            conversion=CONVERSION,
            if_match="*",
        )
    with Session(engine, expire_on_commit=False) as session:
        prospects.update_prospect(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            changes=ProspectUpdate(stage=ProspectStage.REQUEST_SUBMITTED),
            if_match="*",
        )
    taken = CONVERSION.model_copy(
        update={"openings": [CONVERSION.openings[0].model_copy(update={"external_id": "OPN-A1"})]}
    )
    with Session(engine, expire_on_commit=False) as session, pytest.raises(InvalidInput) as info:
        prospects.convert(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            conversion=taken,
            if_match="*",
        )
    assert info.value.problems[0].field == "openings.0.external_id"
    with Session(engine) as session:
        assert (
            session.scalars(
                select(models.Organization).where(models.Organization.external_id == "ORG-FUKUOKA")
            ).first()
            is None
        )


def test_ids_that_differ_only_in_case_are_refused_by_field_not_by_the_database(
    engine: Engine,
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        prospects.create_prospect(session=session, caller=COMMAND_LINE, prospect_in=NEW)
        prospects.update_prospect(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            changes=ProspectUpdate(stage=ProspectStage.REQUEST_SUBMITTED),
            if_match="*",
        )
    twin = CONVERSION.model_copy(
        update={"openings": [CONVERSION.openings[0].model_copy(update={"external_id": "opn-a1"})]}
    )
    with Session(engine, expire_on_commit=False) as session, pytest.raises(InvalidInput) as info:
        prospects.convert(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            conversion=twin,
            if_match="*",
        )
    problem = info.value.problems[0]
    assert problem.field == "openings.0.external_id"
    assert "'opn-a1' clashes with opening 'OPN-A1'" in problem.message


def test_hosting_is_reached_only_by_conversion(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        prospects.create_prospect(session=session, caller=COMMAND_LINE, prospect_in=NEW)
    with Session(engine, expire_on_commit=False) as session, pytest.raises(InvalidInput):
        prospects.update_prospect(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            changes=ProspectUpdate(stage=ProspectStage.HOSTING),
            if_match="*",
        )


@pytest.mark.parametrize("role", [Role.HOST_ORG, Role.CAREER_FAIR])
def test_only_coordinators_see_prospects(engine: Engine, role: Role) -> None:
    with Session(engine) as session, pytest.raises(Forbidden):
        prospects.pipeline_report(session=session, caller=Caller(role=role, organization_id=1))


def _listing(engine: Engine) -> tuple[int, list[tuple[str | None, int]]]:
    with Session(engine) as session, statements_sent(engine) as sent:
        page = prospects.list_prospects(
            session=session,
            caller=COMMAND_LINE,
            filters=prospects.ProspectFilter(),
            page=PageRequest(cursor=None, limit=50),
        )
    return len(sent), [(p.organization, len(p.contacts)) for p in page.items]


def test_a_page_of_prospects_costs_the_same_queries_whatever_its_length(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        prospects.create_prospect(session=session, caller=COMMAND_LINE, prospect_in=NEW)
    with Session(engine, expire_on_commit=False) as session:
        prospects.update_prospect(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            changes=ProspectUpdate(stage=ProspectStage.INTERESTED),
            if_match=_etag(engine),
        )
    with Session(engine, expire_on_commit=False) as session:
        prospects.convert(
            session=session,
            caller=COMMAND_LINE,
            external_id="PRO-FUKUOKA",
            conversion=CONVERSION,
            if_match=_etag(engine),
        )
    one, _ = _listing(engine)
    with Session(engine, expire_on_commit=False) as session:
        for index in range(4):
            external_id = f"PRO-{index}"
            prospects.create_prospect(
                session=session,
                caller=COMMAND_LINE,
                prospect_in=NEW.model_copy(update={"external_id": external_id}),
            )
            for day in (1, 2):
                prospects.add_contact(
                    session=session,
                    caller=COMMAND_LINE,
                    external_id=external_id,
                    contact_in=ContactCreate(
                        contacted_on=date(2026, 11, day), channel="phone", summary="called"
                    ),
                )
    five, listed = _listing(engine)
    assert listed == [(None, 2)] * 4 + [("ORG-FUKUOKA", 0)]
    assert five == one
