"""A coordinator's placement journey in headless Chromium, in English: after a run of the
demo round, find a participant, read why they were placed there, preview a move that
breaks a rule, save it with an override reason and a pin, then withdraw someone else and
fill the vacancy after a preview. Screenshots of the participant and opening pages go to
test-output/screenshots/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from web.conftest import Workspace
from web.test_web_browser import sign_in
from web.web_support import RecordedPage

pytestmark = pytest.mark.browser

ROUND = "R-BROWSER"  # the demo round the fixture has run and published
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.json"
PLACED_AT = re.compile(r"Placed at (\S+?),")


def _demo() -> tuple[list[str], str]:
    """Shortlisted ALT participants of the demo, and an open CIR opening (another position:
    moving an ALT there breaks the same-position rule)."""
    data = json.loads(DEMO.read_text())
    people = [
        p["external_id"]
        for p in data["participants"]
        if p["position"] == "ALT" and p.get("status", "shortlisted") == "shortlisted"
    ]
    cir = next(
        o["external_id"]
        for o in data["openings"]
        if o["position"] == "CIR" and o.get("status", "open") == "open"
    )
    return people, cir


def _placed(recorded: RecordedPage, people: list[str], skip: set[str]) -> tuple[str, str]:
    """The first of `people` the plan places, and where (by their page, as a person would)."""
    for person in people:
        if person in skip:
            continue
        recorded.page.goto(f"/app/rounds/{ROUND}/participants/{person}")
        found = PLACED_AT.search(recorded.page.locator("main").inner_text())
        if found:
            return person, found.group(1)
    raise AssertionError("nobody of the demo is placed")


def test_a_coordinator_explains_moves_with_an_override_withdraws_and_fills(
    workspace_browser: Workspace,
) -> None:
    people, cir_opening = _demo()
    recorded = workspace_browser.open(locale="en-US")
    page = recorded.page
    page.goto("/app/login")
    sign_in(recorded, workspace_browser.coordinator, workspace_browser.password)

    mover, _ = _placed(recorded, people, set())
    expect(page.get_by_role("heading", name="Why not elsewhere")).to_be_visible()
    expect(page.get_by_text("Why here: the score, term by term")).to_be_visible()
    recorded.screenshot("participant-en")
    recorded.assert_clean()

    page.get_by_label("Or type an opening id").fill(cir_opening)
    page.get_by_label("Pin: every re-solve keeps it").check()
    page.get_by_role("button", name="Check the move").click()
    expect(page.get_by_text("This move breaks a hard rule.")).to_be_visible()
    expect(page.get_by_text("the participant is not eligible for the opening")).to_be_visible()
    expect(page.get_by_text("Objective change:")).to_be_visible()
    recorded.screenshot("participant-move-preview-en")
    page.get_by_label("Override reason").fill("The board asked for this teacher")
    page.get_by_role("button", name="Save the move").click()
    expect(page).to_have_url(re.compile(re.escape(f"/participants/{mover}") + "$"))
    expect(page.locator("#pinned-badge")).to_be_visible()
    expect(page.locator("#override-badge")).to_be_visible()
    expect(page.get_by_text("The board asked for this teacher")).to_be_visible()
    recorded.assert_clean()

    leaver, vacated = _placed(recorded, people, {mover})
    page.get_by_label("Reason for the withdrawal").fill("Returned home for family reasons")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw the participant").click()
    expect(page).to_have_url(re.compile(re.escape(f"/participants/{leaver}") + "$"))
    expect(page.get_by_text("Not placed in the working plan.")).to_be_visible()

    page.goto(f"/app/rounds/{ROUND}/openings/{vacated}")
    recorded.screenshot("opening-en")
    page.get_by_role("button", name="Preview filling the vacancies with alternates").click()
    preview = page.locator("#fill-preview")
    expect(preview.get_by_text("Alternates who would be placed")).to_be_visible()
    recorded.screenshot("opening-fill-preview-en")
    page.get_by_role("button", name="Fill the vacancies").click()
    expect(page).to_have_url(re.compile(re.escape(f"/openings/{vacated}") + "$"))
    expect(page.get_by_role("heading", name="Vacancies")).to_be_visible()
    recorded.assert_clean()
    recorded.close()
