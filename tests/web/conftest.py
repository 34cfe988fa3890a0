"""Fixtures of the workspace tests: staff accounts over the small dataset, signed-in
clients. The browser fixture lives in test_browser.py's module (one browser per session)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.dataset import format as fmt
from jet_match.schemas import Role
from jet_match.services import accounts
from jet_match.services.access import COMMAND_LINE
from web.web_support import PASSWORD, SignedIn, Staff, sign_in


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
