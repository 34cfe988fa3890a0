"""Placement notices: what they state, a host's own only, issues recorded, re-issues
listing only the changes, bilingual HTML and XLSX."""

from __future__ import annotations

import io

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.errors import Conflict, NotFound
from jet_match.schemas.notices import LineChange, Notice
from jet_match.schemas.offers import OfferCreate
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.season import notices, offer_answers, offers, wording
from jet_match.statuses import Role
from offers_support import ROUND, load, publish, published, withdraw

GROUPS = [
    {"name": "A", "date": "2027-07-28", "countries": ["US"]},
    {"name": "B", "date": "2027-08-04"},
]


def _host(engine: Engine, organization: str) -> Caller:
    with Session(engine) as session:
        org = session.exec(
            select(models.Organization).where(models.Organization.external_id == organization)
        ).one()
    return Caller(role=Role.HOST_ORG, organization_id=org.id, key_prefix=f"host{organization}")


def _org_notice(
    engine: Engine, organization: str, caller: Caller = COMMAND_LINE, **kw: bool
) -> Notice:
    with Session(engine, expire_on_commit=False) as session:
        return notices.organization_notice(
            session=session, caller=caller, round_id=ROUND, organization_id=organization, **kw
        )


def _amend(engine: Engine) -> None:
    """S3 withdraws from W; the next eligible alternate (A1) accepts; version 2."""
    withdraw(engine, "S3")
    with Session(engine, expire_on_commit=False) as session:
        offer = offers.make_offer(
            session=session, caller=COMMAND_LINE, round_id=ROUND, offer_in=OfferCreate(opening="W")
        ).resource
        assert offer.id is not None
        offer_answers.accept_offer(
            session=session, caller=COMMAND_LINE, offer_id=offer.id, if_match="*"
        )
    publish(engine)


def test_a_first_issue_states_every_placement_and_is_recorded(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings, arrival_groups=GROUPS)
    host = _host(engine, "O3")
    notice = _org_notice(engine, "O3", host)
    assert (notice.version, notice.reissue, notice.full) == (1, False, True)
    assert [(line.participant, line.opening, line.group, line.change) for line in notice.lines] == [
        ("S3", "W", "A", None),
        ("S4", "W", "B", None),
    ]
    assert [(i.version, i.issued_by) for i in notice.issues] == [(1, "key:hostO3")]
    again = _org_notice(engine, "O3")
    assert [(i.version, i.issued_by) for i in again.issues] == [(1, "key:hostO3")]
    with Session(engine) as session:
        actions = session.exec(select(models.AuditEvent.action)).all()
    assert actions.count("notice.issue") == 1
    assert actions.count("notice.read") == 2


def test_a_host_reads_its_own_notice_only(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    with pytest.raises(NotFound):
        _org_notice(engine, "O3", _host(engine, "O1"))


def test_no_notice_before_the_first_publication(engine: Engine, settings: Settings) -> None:
    load(engine)
    from round_support import create_round

    create_round(engine, ROUND, positions=("ALT",))
    with pytest.raises(Conflict, match="no published version"):
        _org_notice(engine, "O3")


def test_a_reissue_lists_only_what_changed_since_the_last_issue(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings, arrival_groups=GROUPS)
    _org_notice(engine, "O3")
    untouched = _org_notice(engine, "O1")
    _amend(engine)
    reissue = _org_notice(engine, "O3")
    assert (reissue.version, reissue.reissue, reissue.since_version) == (2, True, 1)
    assert [(line.participant, line.change) for line in reissue.lines] == [
        ("A1", LineChange.ADDED),
        ("S3", LineChange.REMOVED),
    ]
    assert [i.version for i in reissue.issues] == [1, 2]
    full = _org_notice(engine, "O3", full=True)
    assert [(line.participant, line.change) for line in full.lines] == [
        ("A1", LineChange.ADDED),
        ("S3", LineChange.REMOVED),
        ("S4", None),
    ]
    assert untouched.lines[0].participant == "S1"
    assert _org_notice(engine, "O1").lines == []  # nothing changed at O1


def test_a_country_notice_lists_that_countrys_participants(
    engine: Engine, settings: Settings
) -> None:
    published(engine, settings, arrival_groups=GROUPS)
    with Session(engine, expire_on_commit=False) as session:
        notice = notices.country_notice(
            session=session, caller=COMMAND_LINE, round_id=ROUND, country="US"
        )
    assert [(line.participant, line.organization) for line in notice.lines] == [
        ("S1", "O1"),
        ("S3", "O3"),
    ]


def test_the_printable_page_and_the_sheet_are_bilingual(engine: Engine, settings: Settings) -> None:
    published(engine, settings, arrival_groups=GROUPS)
    with Session(engine, expire_on_commit=False) as session:
        page = notices.organization_notice_file(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            organization_id="O3",
            file_format="html",
        ).decode()
        sheet = notices.organization_notice_file(
            session=session,
            caller=COMMAND_LINE,
            round_id=ROUND,
            organization_id="O3",
            file_format="xlsx",
        )
    for text in (
        "配置通知",
        "Placement notice",
        "来日グループ",
        "Arrival group",
        "O3町",
        "大阪府",
        "Osaka",
    ):
        assert text in page
    assert "Family-S3" in page
    rows = list(load_workbook(io.BytesIO(sheet)).worksheets[0].values)
    assert rows[0][0] == "参加者 / Participant"
    assert [row[0] for row in rows[1:]] == ["S3", "S4"]


def test_every_notice_label_has_a_japanese_translation() -> None:
    found = extract_from_dir(
        str(wording.CATALOG.parents[4] / "services" / "season"),
        method_map=[("**.py", "python")],
        keywords={**DEFAULT_KEYWORDS, "N_": None},
    )
    messages = {m if isinstance(m, str) else m[0] for _f, _l, m, *_ in found}
    assert set(wording.LABELS.values()) <= messages
    untranslated = sorted(m for m in messages if wording.japanese(m) == m)
    assert untranslated == []
