"""Working plans follow the records: a change to an opening, an organization or a
participant that a placement no longer survives vacates it (round_support's small
dataset, round R-TEST solved and published as version 1)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.schemas.plans import PlanChange
from round_support import ROUND, SMALL_PLAN, move, published_round
from service_support import Keys, auth

R = f"/api/v1/rounds/{ROUND}"


@pytest.fixture
def published(keys: Keys, engine: Engine, settings: Settings) -> str:
    """R-TEST published as version 1 (keys of every role)."""
    return published_round(engine, settings)


def _round(client: TestClient, keys: Keys) -> tuple[dict[str, Any], str]:
    answer = client.get(R, headers=auth(keys.coordinator))
    return dict(answer.json()), answer.headers["ETag"]


def _plan(client: TestClient, keys: Keys) -> dict[str, str]:
    items = client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
    return {i["participant"]: i["opening"] for i in items}


def _patch(client: TestClient, key: str, path: str, body: dict[str, Any]) -> None:
    answer = client.patch(path, headers=auth(key) | {"If-Match": "*"}, json=body)
    assert answer.status_code == 200, answer.text


def _vacated(client: TestClient, keys: Keys) -> list[tuple[str, str, str]]:
    events = client.get(
        f"/api/v1/audit?resource_id={ROUND}&action=plan.vacate", headers=auth(keys.coordinator)
    ).json()["items"]
    return sorted(
        (e["detail"]["participant"], e["detail"]["before"]["opening"], e["detail"]["reason"])
        for e in events
    )


@pytest.mark.usefixtures("published")
class TestOpenings:
    def test_a_host_cancelling_its_published_opening_vacates_its_places(
        self, client: TestClient, keys: Keys
    ) -> None:
        _, etag = _round(client, keys)
        cancelled = client.delete(
            "/api/v1/openings/OPN-A1", headers=auth(keys.host_own) | {"If-Match": "*"}
        )
        assert cancelled.status_code == 200, cancelled.text
        round_, after = _round(client, keys)
        assert after != etag
        assert (round_["status"], round_["placed"], round_["open_vacancies"]) == ("amended", 2, 0)
        assert _plan(client, keys) == {"P-1": "OPN-B1", "P-5": "OPN-A2"}
        reason = "opening OPN-A1 changed (status)"
        assert _vacated(client, keys) == [("P-2", "OPN-A1", reason), ("P-3", "OPN-A1", reason)]
        published = client.post(
            f"{R}/publish", headers=auth(keys.coordinator) | {"If-Match": after}
        )
        assert (published.json()["version"], published.json()["removed"]) == (2, 2)

    def test_a_stricter_opening_vacates_who_no_longer_qualifies_and_only_them(
        self, client: TestClient, keys: Keys
    ) -> None:
        _patch(client, keys.coordinator, "/api/v1/openings/OPN-B1", {"requested_countries": ["JP"]})
        assert _plan(client, keys) == SMALL_PLAN  # a score term, not a rule: nobody leaves
        assert _round(client, keys)[0]["status"] == "published"
        _patch(client, keys.coordinator, "/api/v1/openings/OPN-B1", {"min_japanese_level": "N1"})
        round_, _ = _round(client, keys)
        assert (round_["status"], round_["open_vacancies"]) == ("amended", 1)
        assert "P-1" not in _plan(client, keys)
        filled = client.post(
            f"{R}/fill-vacancies", headers=auth(keys.coordinator) | {"If-Match": "*"}
        ).json()
        assert filled["unfilled"] == [{"opening": "OPN-B1", "places": 1, "vacated_by": ["P-1"]}]

    def test_fewer_slots_vacate_the_lowest_scores_beyond_them(
        self, client: TestClient, keys: Keys
    ) -> None:
        scores = {
            i["participant"]: i["score"]
            for i in client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
        }
        lower = min(("P-2", "P-3"), key=lambda p: (scores[p], p))
        _patch(client, keys.coordinator, "/api/v1/openings/OPN-A1", {"slots": 1})
        assert lower not in _plan(client, keys)
        assert len(_plan(client, keys)) == 3

    def test_an_overridden_rule_stays_accepted_when_something_else_changes(
        self, client: TestClient, keys: Keys, engine: Engine
    ) -> None:
        # P-1 at the CIR opening against the rules (position), accepted by a coordinator.
        move(engine, "P-5", PlanChange(opening=None))
        move(engine, "P-1", PlanChange(opening="OPN-A2", override_reason="the host asked"))
        _patch(client, keys.coordinator, "/api/v1/openings/OPN-A2", {"school_level": "mixed"})
        assert _plan(client, keys)["P-1"] == "OPN-A2"
        _patch(client, keys.coordinator, "/api/v1/openings/OPN-A2", {"driving_required": True})
        assert "P-1" not in _plan(client, keys)  # P-1 cannot drive: a new rule broken


@pytest.mark.usefixtures("published")
class TestParticipantsAndOrganizations:
    @pytest.mark.parametrize(
        ("change", "rule"),
        [
            ({"position": "SEA", "sport": "rugby"}, "position, sport"),
            ({"status": "alternate", "alternate_rank": 7}, "alternate_rank, status"),
            ({"needs_medical_access": True}, "needs_medical_access"),
        ],
    )
    def test_a_participant_change_the_placement_no_longer_allows_vacates_it(
        self, client: TestClient, keys: Keys, change: dict[str, Any], rule: str
    ) -> None:
        _patch(client, keys.coordinator, "/api/v1/participants/P-1", change)
        assert "P-1" not in _plan(client, keys)
        assert _vacated(client, keys) == [("P-1", "OPN-B1", f"participant P-1 changed ({rule})")]
        assert _round(client, keys)[0]["status"] == "amended"

    def test_a_change_the_placement_survives_leaves_the_plan_alone(
        self, client: TestClient, keys: Keys
    ) -> None:
        _, etag = _round(client, keys)
        _patch(client, keys.coordinator, "/api/v1/participants/P-1", {"japanese_level": "N1"})
        assert _plan(client, keys) == SMALL_PLAN
        assert _round(client, keys)[1] == etag  # the round did not change

    def test_an_organization_losing_specialist_care_vacates_who_needs_it(
        self, client: TestClient, keys: Keys
    ) -> None:
        _patch(client, keys.coordinator, "/api/v1/participants/P-2", {"needs_medical_access": True})
        assert _plan(client, keys) == SMALL_PLAN  # ORG-A has specialist care
        _patch(client, keys.coordinator, "/api/v1/organizations/ORG-A", {"medical_access": False})
        assert "P-2" not in _plan(client, keys)
        assert "P-3" in _plan(client, keys)
