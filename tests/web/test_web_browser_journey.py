"""The issue's journeys in headless Chromium, in Japanese: a coordinator starts a run and
watches its progress finish, finds a participant by name, moves and pins them with an
override, re-solves, compares two runs, changes the plan from a sheet and publishes after
the confirmation; a host user edits an opening, sees its placements and is refused another
organization's page. Every page is checked for requests outside the app, console errors
and unlabelled controls; screenshots go to test-output/screenshots/ (the plan page's is
docs/images/plan.png in the README)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, expect

from round_support import work
from web.conftest import Workspace
from web.test_web_browser import sign_in
from web.web_support import SCREENSHOTS, RecordedPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROUND = "R-BROWSER"
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.json"


def _in_japanese(recorded: RecordedPage) -> None:
    """Switch to Japanese (another test may have saved English as this user's setting)."""
    page = recorded.page
    if page.locator("html").get_attribute("lang") != "ja":
        page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def _run_and_watch(workspace: Workspace, recorded: RecordedPage, shot: str) -> None:
    """Re-solve from the round page and watch the runs table follow the run to its end
    (the test acts as the worker process)."""
    page = recorded.page
    page.goto(f"/app/rounds/{ROUND}")
    page.get_by_role("button", name="再計算").click()
    expect(page.locator("#progress-note")).to_be_visible()
    recorded.screenshot(shot)
    assert workspace.engine is not None
    assert workspace.settings is not None
    worker = threading.Thread(target=work, args=(workspace.engine, workspace.settings))
    worker.start()
    # The page reads the progress every two seconds and reloads itself when the run ends.
    expect(page.locator("#progress-note")).to_have_count(0, timeout=120_000)
    worker.join(timeout=120)
    newest = page.locator("#runs tbody tr").first
    expect(newest.locator("[data-field=status_name]")).to_have_text("成功")
    recorded.assert_clean()


def _an_alt_and_a_cir_opening() -> tuple[list[tuple[str, str, str]], str]:
    data = json.loads(DEMO.read_text())
    people = [
        (p["external_id"], p["given_name"], p["family_name"])
        for p in data["participants"]
        if p["position"] == "ALT" and p.get("status", "shortlisted") == "shortlisted"
    ]
    cir = next(
        o["external_id"]
        for o in data["openings"]
        if o["position"] == "CIR" and o.get("status", "open") == "open"
    )
    return people, cir


def test_a_coordinator_runs_finds_moves_resolves_compares_and_publishes_in_japanese(
    workspace_browser: Workspace,
) -> None:
    people, cir_opening = _an_alt_and_a_cir_opening()
    recorded = workspace_browser.open(locale="ja-JP")
    page = recorded.page
    page.goto("/app/login")
    sign_in(recorded, workspace_browser.coordinator, workspace_browser.password)
    _in_japanese(recorded)

    _run_and_watch(workspace_browser, recorded, "round-run-progress-ja")
    expect(page.get_by_role("heading", name="最新の結果")).to_be_visible()
    recorded.screenshot("round-ja")

    # Find a placed participant by name on the plan page.
    page.get_by_role("link", name="配置案").first.click()
    page.wait_for_load_state()
    recorded.screenshot("plan-ja")
    recorded.assert_clean()
    for external_id, given, family in people:
        page.get_by_label("氏名またはID").fill(f"{given} {family}")
        page.get_by_role("button", name="絞り込む").click()
        page.wait_for_load_state()  # the filtered page, not the one before it
        row = page.locator("table tbody tr", has_text=external_id)
        if row.count() and row.locator("a[href*='/openings/']").count():
            break
    else:
        raise AssertionError("nobody of the demo is placed")
    row.get_by_role("link", name=f"{family} {given}").click()
    expect(page).to_have_url(re.compile(re.escape(f"/participants/{external_id}") + "$"))
    recorded.screenshot("participant-ja")
    recorded.assert_clean()

    # Move to an opening of another position: the preview names the failed rule.
    page.get_by_label("または募集IDを入力").fill(cir_opening)
    page.get_by_label("固定する").check()
    page.get_by_role("button", name="移動を確認する").click()
    expect(page.locator("#preview li[data-rule=same_position]")).to_be_visible()
    recorded.screenshot("participant-move-preview-ja")
    page.get_by_label("例外とする理由").fill("教育委員会の要望")
    page.get_by_role("button", name="移動を保存する").click()
    expect(page.locator("#override-badge")).to_be_visible()
    expect(page.locator("#pinned-badge")).to_be_visible()
    recorded.assert_clean()

    # Re-solve: the pinned override is kept.
    _run_and_watch(workspace_browser, recorded, "round-resolve-progress-ja")
    page.goto(f"/app/rounds/{ROUND}/participants/{external_id}")
    expect(page.locator("#override-badge")).to_be_visible()

    # Compare the two newest runs.
    page.goto(f"/app/rounds/{ROUND}/compare")
    options = page.locator("#a option").all()
    runs = [o.get_attribute("value") for o in options if "run" in (o.get_attribute("value") or "")]
    assert len(runs) >= 2
    page.get_by_label("配置案 A").select_option(runs[1])
    page.get_by_label("配置案 B").select_option(runs[0])
    page.get_by_role("button", name="比較", exact=True).click()
    expect(page.get_by_text("主な指標").first).to_be_visible()
    recorded.screenshot("compare-ja")
    recorded.assert_clean()

    # Changes from a sheet: unassign the mover, previewed, then applied after a confirmation.
    page.goto(f"/app/rounds/{ROUND}/bulk")
    sheet = f"participant,opening,pinned,reason\n{external_id},,,\n"
    upload: FilePayload = {"name": "changes.csv", "mimeType": "text/csv", "buffer": sheet.encode()}
    page.get_by_label("シート").set_input_files(files=[upload])
    page.get_by_role("button", name="変更を確認").click()
    expect(page.locator("#preview table tbody tr")).to_have_count(1)
    recorded.screenshot("bulk-preview-ja")
    recorded.assert_clean()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="1 件の変更を適用").click()
    expect(page.get_by_text("1 件の変更を適用しました。")).to_be_visible()
    recorded.assert_clean()

    # Publish after the confirmation that lists what changes.
    page.goto(f"/app/rounds/{ROUND}")
    page.locator(f"a[href='/app/rounds/{ROUND}/publish']").click()
    recorded.screenshot("publish-ja")
    recorded.assert_clean()
    page.locator("form[action$='/publish'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(f"/app/rounds/{ROUND}") + "$"))
    expect(page.locator("span.badge.status-published")).to_be_visible()
    recorded.assert_clean()

    # The same round page in English, for the reviewer.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    recorded.screenshot("round-en")
    page.goto(f"/app/rounds/{ROUND}/plan")
    recorded.screenshot("plan-en")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=SCREENSHOTS / "plan-en-viewport.png")
    recorded.assert_clean()
    recorded.close()


def test_a_host_user_works_in_japanese_and_cannot_see_another_organization(
    workspace_browser: Workspace,
) -> None:
    recorded = workspace_browser.open(locale="ja-JP")
    page = recorded.page
    page.goto("/app/login")
    sign_in(recorded, workspace_browser.host, workspace_browser.password)
    _in_japanese(recorded)
    own = f"/app/organizations/{workspace_browser.host_organization}"
    page.get_by_role("link", name="募集と配置").click()
    expect(page).to_have_url(re.compile(re.escape(own) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    recorded.screenshot("organization-host-ja")
    recorded.assert_clean()

    page.locator("table a[href*='/openings/']").first.click()
    places = page.get_by_label("人数")
    places.fill(str(int(places.input_value()) + 1))
    wanted = places.input_value()
    recorded.screenshot("opening-edit-ja")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(re.escape(own) + "$"))
    expect(page.locator("table td.num", has_text=wanted).first).to_be_visible()
    expect(page.locator("a[href$='placements.csv']")).to_be_visible()
    recorded.assert_clean()

    answer = page.goto(f"/app/organizations/{workspace_browser.other_organization}")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="見つかりません")).to_be_visible()
    recorded.screenshot("other-organization-404-ja")
    assert all("404" in error for error in recorded.console_errors)
    recorded.console_errors.clear()
    recorded.assert_clean()
    recorded.close()
