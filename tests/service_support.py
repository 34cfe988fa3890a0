"""Helpers shared by the service, API and end-to-end tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import pytest

from jet_match.dataset import format as fmt

MakeKey = Callable[..., str]

#: Set by .ci/run: a test that needs a part of the machine (Chromium, PostgreSQL's
#: binaries) fails when it is missing instead of being skipped.
REQUIRE_ALL = "JET_MATCH_TESTS_REQUIRE_ALL"


def missing(reason: str) -> NoReturn:
    """Skip a test whose machine lacks what it needs, or fail it where every test must
    run (`REQUIRE_ALL` set, as in CI)."""
    if os.environ.get(REQUIRE_ALL):
        pytest.fail(f"{reason} ({REQUIRE_ALL} is set: every test must run)")
    pytest.skip(reason)


def build_small_dataset() -> fmt.Dataset:
    """Two organizations (ORG-A owns two openings, ORG-B one) and five participants:
    P-1, a couple P-2/P-3, an alternate P-4 and a CIR P-5."""
    return fmt.Dataset.model_validate(
        {
            "format": fmt.FORMAT,
            "organizations": [
                {
                    "external_id": "ORG-A",
                    "name": "Hokkaido Board of Education",
                    "name_ja": "北海道教育委員会",
                    "kind": "prefecture",
                    "prefecture": 1,
                    "area_type": "rural",
                    "medical_access": True,
                    "sister_regions": ["US-MA"],
                },
                {
                    "external_id": "ORG-B",
                    "name": "Shinjuku City",
                    "kind": "municipality",
                    "prefecture": 13,
                    "area_type": "urban",
                },
            ],
            "openings": [
                {
                    "external_id": "OPN-A1",
                    "organization": "ORG-A",
                    "position": "ALT",
                    "slots": 2,
                    "school_level": "junior_high",
                    "requested_countries": ["US"],
                },
                {
                    "external_id": "OPN-A2",
                    "organization": "ORG-A",
                    "position": "CIR",
                    "slots": 1,
                    "school_level": "office",
                    "min_japanese_level": "N2",
                },
                {
                    "external_id": "OPN-B1",
                    "organization": "ORG-B",
                    "position": "ALT",
                    "slots": 1,
                    "school_level": "elementary",
                },
            ],
            "participants": [
                _person("P-1", "US", preferred_prefectures=[1, 13]),
                _person(
                    "P-2",
                    "CA",
                    partner={"external_id": "P-3", "constraint": "same_prefecture"},
                ),
                _person(
                    "P-3",
                    "GB",
                    partner={"external_id": "P-2", "constraint": "same_prefecture"},
                ),
                _person("P-4", "AU", status="alternate", alternate_rank=1),
                _person("P-5", "NZ", position="CIR", japanese_level="N1"),
            ],
        }
    )


def _person(external_id: str, citizenship: str, **fields: object) -> dict[str, object]:
    return {
        "external_id": external_id,
        "family_name": f"Family{external_id[-1]}",
        "given_name": "Given",
        "email": f"{external_id.lower()}@example.org",
        "citizenship": citizenship,
        "position": "ALT",
        **fields,
    }


@dataclass(frozen=True)
class Keys:
    """A bearer key per kind of caller the authorization rules distinguish."""

    coordinator: str
    host_own: str  # host_org of ORG-A, which owns OPN-A1 and OPN-A2
    host_other: str  # host_org of ORG-B
    career_fair: str
    revoked: str  # a coordinator key, revoked

    def header(self, who: str) -> dict[str, str]:
        """Authorization header of `who` (a field name), none for `anonymous`."""
        if who == "anonymous":
            return {}
        return {"Authorization": f"Bearer {getattr(self, who)}"}


def auth(key: str) -> dict[str, str]:
    """The Authorization header of a key."""
    return {"Authorization": f"Bearer {key}"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Return once `condition()` holds; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)
