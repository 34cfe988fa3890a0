"""The bulk page through the HTTP stack: upload a sheet, read every row's preview in the
user's language, apply all or nothing; a stale confirmation is previewed again (412)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from round_support import ROUND, SMALL_PLAN, current_plan, move, solved_round
from web.web_support import SignedIn, Staff, csrf_of, field_of, post_form

PAGE = f"/app/rounds/{ROUND}/bulk"
HEADER = "participant,opening,pinned,reason\n"


def _upload(client: TestClient, text: str, filename: str = "changes.csv") -> Response:
    token = csrf_of(client.get(PAGE).text)
    answer: Response = client.post(
        f"{PAGE}/preview",
        data={"csrf_token": token},
        files={"sheet": (filename, text.encode(), "text/csv")},
        follow_redirects=False,
    )
    return answer


def _confirm(client: TestClient, preview: str) -> Response:
    form = {
        "changes": html.unescape(field_of(preview, "changes")),
        "version": field_of(preview, "version"),
    }
    return post_form(client, PAGE, form, page=PAGE)


def test_a_sheet_is_previewed_then_applied_all_at_once(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    assert 'type="file"' in client.get(PAGE).text
    preview = _upload(client, HEADER + "P-1,,,\nP-5,OPN-B1,yes,the host asked\n")
    assert preview.status_code == 200, preview.text
    assert "the participant is not eligible for the opening" in preview.text
    assert "the opening is for another position" in preview.text
    assert "Objective change:" in preview.text
    assert current_plan(engine) == SMALL_PLAN
    done = _confirm(client, preview.text)
    assert done.status_code == 303
    assert done.headers["location"] == f"{PAGE}?applied=2"
    assert "Applied 2 changes." in client.get(done.headers["location"]).text
    plan = current_plan(engine)
    assert plan["P-5"] == "OPN-B1"
    assert "P-1" not in plan


def test_a_refused_row_is_named_and_nothing_can_be_applied(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    client.headers["Accept-Language"] = "ja"
    preview = _upload(client, HEADER + "P-1,,,\nP-5,OPN-B1,,\n")
    assert preview.status_code == 200
    assert 'class="refused"' in preview.text
    assert "理由" in preview.text
    assert 'name="changes"' not in preview.text  # no confirmation form
    assert current_plan(engine) == SMALL_PLAN


def test_a_bad_sheet_is_refused_in_the_users_language(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    answer = _upload(client, "participant,opening\nP-1,\n")
    assert answer.status_code == 422
    assert 'id="sheet-error"' in answer.text
    assert "participant, opening, pinned, reason" in answer.text
    assert _upload(client, HEADER, filename="changes.txt").status_code == 422


def test_a_stale_confirmation_is_previewed_again_on_the_current_plan(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    preview = _upload(client, HEADER + "P-1,,,\n")
    move(engine, "P-5", PlanChange(opening=None))
    stale = _confirm(client, preview.text)
    assert stale.status_code == 412
    assert "changed since you opened it" in stale.text
    assert current_plan(engine)["P-1"] == "OPN-B1"
    assert _confirm(client, stale.text).status_code == 303
    assert "P-1" not in current_plan(engine)


def test_host_users_are_refused(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    assert signed_in(staff.host_a).get(PAGE).status_code == 403


def test_what_no_reason_allows_is_refused_in_japanese(
    signed_in: SignedIn, staff: Staff, engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    client = signed_in(staff.coordinator)
    client.headers["Accept-Language"] = "ja"
    preview = _upload(client, HEADER + "P-1,,yes,\nP-404,OPN-A1,,\n")
    assert preview.status_code == 200
    assert "固定できるのは配置だけです" in preview.text
    assert "該当する参加者はいません" in preview.text
    assert preview.text.count('class="refused"') == 2
