"""Webhook targets: https in production, http for loopback in development, never
link-local, metadata or (in production) private addresses; signed headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook as ReferenceVerifier

from jet_match.config import Settings
from jet_match.errors import InvalidInput
from jet_match.services.notifications import posting

DEVELOPMENT = Settings(database_url="sqlite://", environment="development")
PRODUCTION = Settings(database_url="postgresql+psycopg://db/x", environment="production")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]:9/hook",
        "https://hooks.example.org/jet-match",
        "https://10.0.0.5/internal",
    ],
)
def test_development_accepts(url: str) -> None:
    posting.check_form(url, DEVELOPMENT)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.org/x", "loopback"),
        ("ftp://127.0.0.1/x", "https"),
        ("https://169.254.169.254/latest/meta-data", "metadata"),
        ("https://[fe80::1]/x", "link-local"),
        ("https://[fd00:ec2::254]/x", "metadata"),
        ("https://user:pw@example.org/x", "credentials"),
        ("https://example.org:99999/x", "port"),
        ("http://ny]", "not a URL"),
    ],
)
def test_development_refuses(url: str, why: str) -> None:
    with pytest.raises(posting.TargetRefusedError, match=why):
        posting.check_form(url, DEVELOPMENT)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/x", "only https"),
        ("https://127.0.0.1/x", "private"),
        ("https://10.1.2.3/x", "private"),
        ("https://192.168.0.10/x", "private"),
        ("https://[::ffff:10.0.0.1]/x", "private"),
        ("https://169.254.169.254/x", "metadata"),
    ],
)
def test_production_refuses(url: str, why: str) -> None:
    with pytest.raises(posting.TargetRefusedError, match=why):
        posting.check_form(url, PRODUCTION)


def test_production_resolves_names_before_sending() -> None:
    # localhost resolves to a loopback address: refused in production at delivery time.
    with pytest.raises(posting.TargetRefusedError, match="private"):
        posting.check_addresses("https://localhost/x", PRODUCTION)


def test_a_refused_url_is_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        posting.check_url("http://example.org/x", PRODUCTION)
    assert refused.value.problems[0].field == "url"


def test_a_refused_target_is_never_posted_to() -> None:
    attempt = posting.post(
        url="https://169.254.169.254/x",
        secret=posting.new_secret(),
        event_id="evt_1",
        timestamp=datetime.now(UTC),
        body="{}",
        settings=DEVELOPMENT,
    )
    assert not attempt.ok
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error.startswith("refused")


def test_headers_verify_with_the_reference_implementation() -> None:
    secret = posting.new_secret()
    moment = datetime.now(UTC)
    body = '{"id":"evt_1"}'
    headers = posting.signed_headers(secret=secret, event_id="evt_1", timestamp=moment, body=body)
    assert headers["Webhook-Id"] == "evt_1"
    assert headers["Webhook-Timestamp"] == str(int(moment.timestamp()))
    assert headers["Webhook-Signature"].startswith("v1,")
    assert ReferenceVerifier(secret).verify(body, headers) == {"id": "evt_1"}
