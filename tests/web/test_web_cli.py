"""`jet-match users create|list|disable` and the demo's accounts printed by `serve --demo`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from jet_match import models
from jet_match.cli import app
from jet_match.config import get_settings
from jet_match.dataset import format as fmt
from jet_match.services import setup
from web.web_support import sign_in


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on the test's database."""
    monkeypatch.setenv("JET_MATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_users_are_created_listed_and_disabled(
    runner: CliRunner, loaded: fmt.Dataset, engine: Engine
) -> None:
    made = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "Ann@Example.jp",
            "--role",
            "coordinator",
            "--password-stdin",
        ],
        input="a very long password\n",
    )
    assert made.exit_code == 0, made.output
    host = runner.invoke(
        app,
        ["users", "create", "--email", "h@x.jp", "--role", "host_org", "--organization", "ORG-A"],
    )
    assert host.exit_code == 0
    assert len(host.stdout.strip()) >= 12
    refused = runner.invoke(
        app, ["users", "create", "--email", "z@x.jp", "--role", "host_org", "--organization", "NO"]
    )
    assert refused.exit_code == 1
    assert "no organization 'NO'" in refused.output
    assert runner.invoke(app, ["users", "disable", "--email", "ann@example.jp"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"]).output
    assert "ann@example.jp" in listed
    assert "disabled" in listed
    assert "ORG-A" in listed
    with Session(engine) as session:
        actions = session.exec(select(models.AuditEvent.action)).all()
    assert actions.count("user.create") == 2
    assert actions.count("user.disable") == 1


def test_the_demo_accounts_sign_in_with_the_printed_password(
    loaded: fmt.Dataset, engine: Engine, client: TestClient
) -> None:
    people = setup.demo_users(engine, "ORG-A")
    again = setup.demo_users(engine, "ORG-A")  # a second `make run` resets, not duplicates
    assert people == again
    assert people.host == setup.DEMO_HOST
    assert sign_in(client, people.coordinator, people.password).status_code == 303
