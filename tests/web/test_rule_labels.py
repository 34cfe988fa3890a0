"""The solver's reasons for leaving someone unplaced, said again in the user's language."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.solver import metrics
from jet_match.web.i18n import translator
from jet_match.web.rule_labels import unplaced_reason
from round_support import ROUND, solved_round
from web.test_web_placement import PAGE, _preview
from web.web_support import SignedIn, Staff, field_of, post_form

#: One sentence of each kind the solver writes (solver/metrics.py), and its Japanese.
REASONS = [
    (
        f"1 eligible opening has a free slot: {metrics.NOT_PLACED_IN_THIS_PLAN}",
        "空きのある適格な募集が 1 件あります。この計画では配置されていません",
    ),
    (
        f"3 eligible openings have free slots: {metrics.NOT_PLACED_IN_THIS_PLAN}"
        " (together with partner P-7)",
        "パートナー P-7 と一緒に配置すれば",
    ),
    (
        "all 12 eligible openings are full, taken by participants the objective ranks first "
        "(more placements, then higher total score)",
        "適格な募集 12 件はすべて満員",
    ),
    (
        "placed only together with partner P-8; no pair of openings kept the couple together "
        "at a better objective",
        "パートナー P-8 と一緒にしか配置できません",
    ),
    (
        "2 eligible openings have free slots but their prefectures are at the country cap for USA",
        "USA 国籍の上限",
    ),
    ("no eligible opening: the run has no SEA opening", "SEA の募集がありません"),
    (
        "no eligible opening among the 1234 ALT openings of this run: 1200 by japanese_level "
        "(the participant's Japanese is below the opening's minimum), 34 by driving (the "
        "opening requires driving and the participant cannot drive)",
        "参加者の日本語能力が募集の最低水準に達していません\uff081,200 件",
    ),
]


@pytest.mark.parametrize(("reason", "japanese"), REASONS)
def test_every_kind_of_reason_is_translated(reason: str, japanese: str) -> None:
    said = unplaced_reason(translator("ja"), reason)
    assert japanese in said
    assert not any(
        c.isascii() and c.isalpha()
        for c in said.replace("P-", "").replace("USA", "").replace("SEA", "").replace("ALT", "")
    )
    assert unplaced_reason(translator("en"), reason) != ""


def test_an_unknown_sentence_is_shown_as_it_is() -> None:
    assert unplaced_reason(translator("ja"), "a new kind of reason") == "a new kind of reason"


def _unassigned_p1(client: TestClient) -> None:
    version = field_of(_preview(client, ""), "version")
    moved = post_form(client, f"{PAGE}/move", {"opening": "", "version": version}, page=PAGE)
    assert moved.status_code == 303
    client.headers["Accept-Language"] = "ja"


def test_the_participant_page_says_why_in_japanese(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    _unassigned_p1(client)
    page = client.get(PAGE).text
    assert "この計画では配置されていません" in page
    assert "not placed in this plan" not in page
    assert ROUND in page


def test_the_report_for_people_says_why_in_japanese(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    _unassigned_p1(client)
    book = load_workbook(io.BytesIO(client.get(f"/app/rounds/{ROUND}/report.xlsx").content))
    unplaced = {row[0]: row[3] for row in book["未配置"].iter_rows(min_row=2, values_only=True)}
    assert "この計画では配置されていません" in str(unplaced["P-1"])
    plan = {row[0]: row[-1] for row in book["配置案"].iter_rows(min_row=2, values_only=True)}
    assert plan["P-1"] == unplaced["P-1"]
