"""The foundation pages in headless Chromium: a coordinator in Japanese then English, a host
user editing an opening and downloading its placements. Every page is checked for requests
outside the app, console errors and unlabelled controls; screenshots go to
test-output/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from web.conftest import Workspace
from web.web_support import RecordedPage

pytestmark = pytest.mark.browser


def sign_in(recorded: RecordedPage, email: str, password: str) -> None:
    """Fill the login form the way a person does."""
    page = recorded.page
    page.get_by_label(re.compile("メールアドレス|E-mail address")).fill(email)
    page.get_by_label(re.compile("パスワード|Password")).fill(password)
    page.locator("form[action='/app/login'] button[type=submit]").click()
    page.wait_for_load_state()


def test_a_coordinator_signs_in_in_japanese_adds_a_user_and_switches_to_english(
    workspace_browser: Workspace,
) -> None:
    recorded = workspace_browser.open(locale="ja-JP")
    page = recorded.page
    page.goto("/app/")
    expect(page).to_have_url(re.compile(re.escape("/app/login?next=%2Fapp%2F") + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    recorded.screenshot("login-ja")
    recorded.assert_clean()

    sign_in(recorded, workspace_browser.coordinator, workspace_browser.password)
    expect(page).to_have_url(re.compile(re.escape("/app/") + "$"))
    expect(page.get_by_role("heading", name="マッチングラウンド")).to_be_visible()
    expect(page.locator("span.id", has_text="R-BROWSER")).to_be_visible()
    recorded.screenshot("home-coordinator-ja")
    recorded.assert_clean()

    page.get_by_role("link", name="Round R-BROWSER").click()
    expect(page).to_have_url(re.compile(re.escape("/app/rounds/R-BROWSER") + "$"))
    expect(page.get_by_role("link", name="配置案").first).to_be_visible()
    recorded.screenshot("round-ja")
    recorded.assert_clean()
    page.get_by_role("link", name="配置案").first.click()
    expect(page).to_have_url(re.compile(re.escape("/app/rounds/R-BROWSER/plan")))
    recorded.screenshot("plan-ja")
    recorded.assert_clean()
    page.goto("/app/")

    page.get_by_role("link", name="ユーザー").click()
    page.get_by_label("メールアドレス").fill("new.colleague@example.jp")
    page.get_by_label("氏名").fill("新しい同僚")
    page.get_by_role("button", name="アカウントを作成").click()
    expect(page.locator("code.secret")).to_be_visible()
    expect(page.get_by_text("アカウント new.colleague@example.jp を作成しました。")).to_be_visible()
    recorded.screenshot("users-created-ja")
    recorded.assert_clean()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    recorded.screenshot("users-en")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_text("user.create").first).to_be_visible()
    recorded.screenshot("audit-en")
    recorded.assert_clean()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape("/app/login")))
    recorded.close()


def test_a_host_edits_an_opening_downloads_placements_and_cannot_see_another(
    workspace_browser: Workspace,
) -> None:
    recorded = workspace_browser.open(locale="en-US")
    page = recorded.page
    page.goto("/app/login")
    sign_in(recorded, workspace_browser.host, workspace_browser.password)
    own = f"/app/organizations/{workspace_browser.host_organization}"
    page.get_by_role("link", name="Openings and placements").click()
    expect(page).to_have_url(re.compile(re.escape(own) + "$"))
    recorded.screenshot("organization-host-en")
    recorded.assert_clean()

    page.locator("table a[href*='/openings/']").first.click()
    places = page.get_by_label("Places")
    places.fill(str(int(places.input_value()) + 1))
    wanted = places.input_value()
    recorded.screenshot("opening-edit-en")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(re.escape(own) + "$"))
    expect(page.locator("table td.num", has_text=wanted).first).to_be_visible()
    recorded.assert_clean()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("round,version,opening,participant")

    answer = page.goto(f"/app/organizations/{workspace_browser.other_organization}")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    recorded.screenshot("other-organization-404")
    # The 404 itself is the one console error Chromium logs here ("Failed to load resource").
    assert all("404" in error for error in recorded.console_errors)
    recorded.console_errors.clear()
    recorded.assert_clean()
    recorded.close()
