"""The host-development page through the real HTTP stack, in both languages."""

from __future__ import annotations

from sqlalchemy import Engine

from jet_match.config import Settings
from round_support import solved_round
from web.web_support import SignedIn, Staff


def test_the_demand_page_charts_prefectures_in_english_and_japanese(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    page = client.get("/app/development?programme_year=2026")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert 'id="wanted-by-prefecture"' in page.text
    assert "Hokkaido" in page.text
    assert "Places offered" in page.text
    client.headers["Accept-Language"] = "ja"
    japanese = client.get("/app/development?programme_year=2026")
    assert "北海道" in japanese.text
    assert "提供枠数" in japanese.text


def test_a_year_without_a_round_is_not_found(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    assert client.get("/app/development?programme_year=2031").status_code == 404
    assert client.get("/app/development").status_code == 200
