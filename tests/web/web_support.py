"""Helpers for the workspace tests: staff accounts, signing in, reading forms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.testclient import TestClient
from httpx import Response

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
