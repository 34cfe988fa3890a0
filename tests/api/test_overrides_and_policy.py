"""Through HTTP: overrides that later runs keep, a change that says which published
placements it vacated, and the scoring policy in runs and publications (round_support's
small dataset)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.solver import ScoringPolicy, Weights, policy_digest
from round_support import ROUND, SMALL_PLAN, published_round, queue_run, solved_round, work
from service_support import Keys, auth

R = f"/api/v1/rounds/{ROUND}"


def _plan(client: TestClient, keys: Keys) -> dict[str, str]:
    items = client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
    return {i["participant"]: i["opening"] for i in items}


def _put(client: TestClient, keys: Keys, participant: str, body: dict[str, Any]) -> None:
    answer = client.put(
        f"{R}/plan/{participant}", headers=auth(keys.coordinator) | {"If-Match": "*"}, json=body
    )
    assert answer.status_code == 200, answer.text


def _run(client: TestClient, keys: Keys, engine: Engine, settings: Settings) -> dict[str, Any]:
    run_id = queue_run(engine)
    work(engine, settings)
    answer = client.get(f"/api/v1/runs/{run_id}", headers=auth(keys.coordinator))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.usefixtures("keys")
class TestOverridesHold:
    def test_a_round_with_an_override_pin_re_solves_keeps_it_and_lists_the_waived_rules(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        body = {"opening": "OPN-A2", "pinned": True, "override_reason": "Agreed with ORG-A"}
        _put(client, keys, "P-1", body)
        run = _run(client, keys, engine, settings)
        assert (run["status"], run["outcome"]["status"]) == ("succeeded", "optimal")
        assert _plan(client, keys)["P-1"] == "OPN-A2"
        waived = run["outcome"]["waived"]
        assert [(w["participant"], w["opening"]) for w in waived] == [("P-1", "OPN-A2")]
        assert "japanese_level" in waived[0]["rules"]

    def test_unpinning_it_lets_the_next_run_move_it(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        body = {"opening": "OPN-A2", "pinned": True, "override_reason": "Agreed with ORG-A"}
        _put(client, keys, "P-1", body)
        _run(client, keys, engine, settings)
        _put(client, keys, "P-1", {"opening": "OPN-A2", "pinned": False})
        run = _run(client, keys, engine, settings)
        assert run["status"] == "succeeded"
        assert run["outcome"]["waived"] == []
        assert _plan(client, keys) == SMALL_PLAN


@pytest.mark.usefixtures("keys")
class TestPolicyIsNamed:
    def test_a_run_names_the_policy_it_was_scored_under(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        run = _run(client, keys, engine, settings)
        policy = run["outcome"]["policy"]
        assert policy["weights"]["preference_1"] == Weights().preference_1
        assert policy["max_country_share_per_prefecture"] is None
        assert policy["digest"] == policy_digest(ScoringPolicy())

    def test_a_publication_keeps_the_policy_of_its_plan(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        solved_round(engine, settings)
        run = _run(client, keys, engine, settings)
        etag = client.get(R, headers=auth(keys.coordinator)).headers["ETag"]
        published = client.post(f"{R}/publish", headers=auth(keys.coordinator) | {"If-Match": etag})
        assert published.status_code == 200, published.text
        assert published.json()["policy"] == run["outcome"]["policy"]


def _patch_published(
    client: TestClient, key: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """PATCH a record while R-TEST's plan is published (If-Match *); the answer's body."""
    answer = client.patch(path, headers=auth(key) | {"If-Match": "*"}, json=body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.fixture
def published(keys: Keys, engine: Engine, settings: Settings) -> str:
    """R-TEST solved and published as version 1."""
    return published_round(engine, settings)


@pytest.mark.usefixtures("published")
class TestAChangeSaysWhatItVacated:
    def test_a_host_patch_of_its_opening_names_the_published_placements_it_vacated(
        self, client: TestClient, keys: Keys
    ) -> None:
        path, body = "/api/v1/openings/OPN-A1", {"driving_required": True}
        answer = _patch_published(client, keys.host_own, path, body)
        assert answer["driving_required"] is True
        reason = "opening OPN-A1 changed (driving_required)"
        assert sorted(
            (v["round"], v["participant"], v["opening"], v["reason"], v["published"])
            for v in answer["vacated"]
        ) == [
            (ROUND, "P-2", "OPN-A1", reason, True),
            (ROUND, "P-3", "OPN-A1", reason, True),
        ]

    def test_a_change_that_vacates_nothing_says_so(self, client: TestClient, keys: Keys) -> None:
        path, body = "/api/v1/openings/OPN-A1", {"prefers_experience": True}
        assert _patch_published(client, keys.host_own, path, body)["vacated"] == []

    def test_a_coordinator_edit_of_a_participant_names_what_it_vacated(
        self, client: TestClient, keys: Keys
    ) -> None:
        path, body = "/api/v1/participants/P-1", {"position": "CIR"}
        answer = _patch_published(client, keys.coordinator, path, body)
        assert [(v["participant"], v["opening"]) for v in answer["vacated"]] == [("P-1", "OPN-B1")]
