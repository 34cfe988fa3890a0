"""Helpers for the workspace tests: staff accounts, signing in, reading forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from httpx import Response

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

PASSWORD = "a long test password"

#: `signed_in(email)` -> a client with that user's session (the fixture in conftest.py).
SignedIn = Callable[[str], TestClient]


@dataclass(frozen=True)
class Staff:
    """E-mails of the test accounts (all with PASSWORD)."""

    coordinator: str = "coordinator@example.jp"
    host_a: str = "host-a@example.jp"
    host_b: str = "host-b@example.jp"


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def field_of(html: str, name: str) -> str:
    """The value of a hidden or text input named `name`."""
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert found, f"no input {name!r}"
    return found.group(1)


def sign_in(
    client: TestClient, email: str, password: str = PASSWORD, *, next_url: str = "/app/"
) -> Response:
    """Open the login page and post the form (no redirect followed)."""
    form = client.get("/app/login")
    answer: Response = client.post(
        "/app/login",
        data={
            "email": email,
            "password": password,
            "next": next_url,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    return answer


def post_form(client: TestClient, url: str, data: dict[str, str], *, page: str) -> Response:
    """Post a form with the CSRF token of `page` (the page that shows the form)."""
    token = csrf_of(client.get(page).text)
    answer: Response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
    return answer


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

#: Form controls without a label (a <label for>, a wrapping label or aria-label[ledby]).
_UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((e) => !["hidden", "submit", "button", "reset"].includes(e.type))
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")
                 && !e.getAttribute("aria-labelledby"))
  .map((e) => e.name || e.id || e.outerHTML)"""


class RecordedPage:
    """A browser page that records every request it makes and every console error."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_clean(self) -> None:
        """Nothing requested outside the app, no console error, every control labelled."""
        outside = [url for url in self.requests if not url.startswith(self.origin + "/")]
        assert outside == [], "the page requested something outside the application"
        assert self.console_errors == []
        assert self.page.evaluate(_UNLABELLED) == [], "form controls without a label"

    def screenshot(self, name: str) -> None:
        """Save the whole page under test-output/screenshots/ for a reviewer."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def close(self) -> None:
        """Close the page's context (its cookies go with it)."""
        self.page.context.close()
