"""Fixtures of the workspace tests: staff accounts over the small dataset and signed-in
clients (`staff`, `signed_in`) for the tests through the HTTP stack; `workspace_browser`,
the one session-scoped browser and served demo for the tests marked `browser`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.db import make_engine, migrate
from jet_match.main import create_app
from jet_match.services import setup
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.rounds import publications
from jet_match.services.security import accounts
from jet_match.statuses import Role
from round_support import published_round
from service_support import free_port, missing
from web.web_support import PASSWORD, RecordedPage, SignedIn, Staff, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def staff(loaded: fmt.Dataset, engine: Engine) -> Staff:
    """A coordinator and host users of ORG-A and ORG-B (the host of ORG-A prefers Japanese)."""
    people = Staff()
    with Session(engine, expire_on_commit=False) as session:
        for email, role, organization, locale in (
            (people.coordinator, Role.COORDINATOR, None, None),
            (people.host_a, Role.HOST_ORG, "ORG-A", "ja"),
            (people.host_b, Role.HOST_ORG, "ORG-B", None),
        ):
            accounts.create_user(
                session=session,
                caller=COMMAND_LINE,
                email=email,
                role=role,
                organization=organization,
                password=PASSWORD,
                locale=locale,
            )
    return people


@pytest.fixture
def signed_in(app: FastAPI, staff: Staff) -> SignedIn:
    """`signed_in(email)` -> a client of its own with that user's session."""

    def make(email: str) -> TestClient:
        client = TestClient(app, headers={"Accept-Language": "en"})
        answer = sign_in(client, email)
        assert answer.status_code == 303, answer.text
        return client

    return make


# --- The browser (pytest -m browser) --------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Workspace:
    """The app served on a loopback port for the browser tests, and who can sign in there."""

    base_url: str
    browser: Browser
    coordinator: str
    host: str
    host_organization: str
    other_organization: str
    password: str
    engine: Engine | None = None  # the served database (a test may act as the worker)
    settings: Settings | None = None

    def open(self, locale: str = "en-US") -> RecordedPage:
        """A new browser context (its own cookies) and page that records what it does."""
        context = self.browser.new_context(
            base_url=self.base_url, locale=locale, accept_downloads=True
        )
        return RecordedPage(context.new_page(), self.base_url)


@pytest.fixture(scope="session")
def workspace_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The one browser of the test session: the demo (with one published round) served by
    uvicorn in a thread on a free loopback port, and Debian's Chromium driven by Playwright.
    Skipped when /usr/bin/chromium is missing (`make test` installs it)."""
    if not Path(CHROMIUM).exists():
        missing("no /usr/bin/chromium (make test installs it)")
    from playwright.sync_api import expect, sync_playwright

    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'jet-match.db'}",
        environment="test",
        log_level="WARNING",
        gc_freeze=False,
    )
    engine = make_engine(settings)
    migrate(engine)
    setup.load_demo(engine, Path("fixtures/demo.json"))
    published_round(engine, settings, "R-BROWSER")
    host_organization, other = _organizations_with_placements(engine)
    people = setup.demo_users(engine, host_organization)
    assert people.host is not None
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the workspace's server did not start in 20 s"
    # The server shares this process with pytest, and a move's preview solves: on a loaded
    # box a page may take longer than Playwright's 5 s default to appear.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield Workspace(
                base_url=f"http://127.0.0.1:{port}",
                browser=browser,
                coordinator=people.coordinator,
                host=people.host,
                host_organization=host_organization,
                other_organization=other,
                password=people.password,
                engine=engine,
                settings=settings,
            )
        finally:
            browser.close()
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()


def _organizations_with_placements(engine: Engine) -> tuple[str, str]:
    """An organization with published placements, and another organization."""
    with Session(engine, expire_on_commit=False) as session:
        names = session.exec(
            select(models.Organization.external_id).order_by(models.Organization.external_id)
        ).all()
        for name in names:
            found = publications.organization_placements(
                session=session,
                caller=COMMAND_LINE,
                organization_id=name,
                page=PageRequest(None, 1),
            )
            if found.items:
                return name, next(other for other in names if other != name)
    raise AssertionError("the published demo round placed no one")
