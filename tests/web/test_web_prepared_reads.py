"""Once a run has completed (and the worker prepared its reads), no page or review request
builds the round's whole problem: the report in every format, the round page with its
charts and the development demand page and API answer from what the worker prepared,
the XLSX report is the workbook the worker wrote, an opening's candidates (API and
page) come from that opening's column alone, and a participant's explanation (API and
participant page) from that participant's row alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.services.bridge import round_data
from jet_match.services.development import demand
from jet_match.services.kit import sheet_writing
from round_support import ROUND, solved_round
from service_support import Keys, auth
from web.web_support import SignedIn, Staff


def test_pages_and_reports_after_a_run_do_not_build_the_whole_problem(
    signed_in: SignedIn,
    staff: Staff,
    keys: Keys,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    solved_round(engine, settings)
    built: list[str] = []

    def refused(*args: Any, **kwargs: Any) -> Any:
        built.append("full_instance")
        raise AssertionError("the whole problem was built during a request")

    monkeypatch.setattr(round_data, "full_instance", refused)
    monkeypatch.setattr(sheet_writing, "write_tables_xlsx", refused)  # the workbook, too
    demand._reports.by_key.clear()  # nothing kept from other tests in this process
    client = signed_in(staff.coordinator)
    page = client.get(f"/app/rounds/{ROUND}")
    assert page.status_code == 200
    assert "<svg" in page.text
    development = client.get("/app/development?programme_year=2026")
    assert development.status_code == 200
    assert "Hokkaido" in development.text
    headers = auth(keys.coordinator)
    for suffix in ("", "?format=csv", "?format=xlsx"):
        answer = client.get(f"/api/v1/rounds/{ROUND}/report{suffix}", headers=headers)
        assert answer.status_code == 200, answer.text
    report = client.get(f"/api/v1/rounds/{ROUND}/report", headers=headers).json()
    assert report["objective"]["placed"] == 4
    answer = client.get("/api/v1/development/demand?programme_year=2026", headers=headers)
    assert answer.status_code == 200, answer.text
    answer = client.get(f"/api/v1/rounds/{ROUND}/openings/OPN-B1/candidates", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["taken_by"][0]["participant"] == "P-1"
    assert answer.json()["items"]
    opening_page = client.get(f"/app/rounds/{ROUND}/openings/OPN-B1")
    assert opening_page.status_code == 200
    assert "P-1" in opening_page.text
    for person, where in (("P-1", "OPN-B1"), ("P-2", "OPN-A1"), ("P-4", None)):
        answer = client.get(
            f"/api/v1/rounds/{ROUND}/participants/{person}/explanation", headers=headers
        )
        assert answer.status_code == 200, answer.text
        placement = answer.json()["placement"]
        assert (placement["opening"] if placement else None) == where
        assert answer.json()["alternatives"] or where is None
        participant_page = client.get(f"/app/rounds/{ROUND}/participants/{person}")
        assert participant_page.status_code == 200
        assert person in participant_page.text
    assert built == []
