"""Rounds, runs and the plan over HTTP, on the small dataset (see round_support).

Runs are queued by the API and executed here by the worker's own code in this process
(`Worker` with `InlineSolver`); tests/services/test_worker.py covers the solver process.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from round_support import ROUND, SMALL_PLAN, work
from service_support import Keys, auth

R = f"/api/v1/rounds/{ROUND}"


def _create(
    client: TestClient, keys: Keys, positions: list[str] | None = None, **policy: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/rounds",
        headers=auth(keys.coordinator),
        json={
            "external_id": ROUND,
            "name": "Test round",
            "programme_year": 2026,
            "policy": {"time_limit_s": 60, **policy},
        }
        | ({"positions": positions} if positions else {}),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _run(
    client: TestClient, keys: Keys, engine: Engine, settings: Settings, **options: Any
) -> dict[str, Any]:
    started = client.post(f"{R}/runs", headers=auth(keys.coordinator), json=options or None)
    assert started.status_code == 202, started.text
    work(engine, settings)
    run = client.get(started.headers["Location"], headers=auth(keys.coordinator))
    return dict(run.json())


def _plan(client: TestClient, keys: Keys) -> tuple[dict[str, str], str]:
    response = client.get(f"{R}/plan", headers=auth(keys.coordinator))
    assert response.status_code == 200
    plan = {item["participant"]: item["opening"] for item in response.json()["items"]}
    return plan, response.headers["ETag"]


def _put(client: TestClient, keys: Keys, participant: str, etag: str | None, **body: Any) -> Any:
    headers = auth(keys.coordinator) | ({"If-Match": etag} if etag else {})
    return client.put(f"{R}/plan/{participant}", headers=headers, json=body)


class TestRoundsAndRuns:
    def test_a_round_starts_in_draft_with_its_policy(self, client: TestClient, keys: Keys) -> None:
        created = _create(client, keys, weights={"disruption": 80})
        assert created["status"] == "draft"
        assert created["policy"]["weights"]["disruption"] == 80
        assert created["policy"]["weights"]["preference_1"] == 100
        assert created["positions"] == ["ALT", "CIR", "SEA"]
        again = client.post(
            "/api/v1/rounds",
            headers=auth(keys.coordinator),
            json={"external_id": ROUND, "name": "x", "programme_year": 2026},
        )
        assert again.status_code == 409

    def test_a_run_is_queued_then_solved_by_a_worker(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        started = client.post(f"{R}/runs", headers=auth(keys.coordinator))
        assert started.status_code == 202
        assert started.json()["status"] == "queued"
        assert started.headers["Location"] == f"/api/v1/runs/{started.json()['id']}"
        busy = client.post(f"{R}/runs", headers=auth(keys.coordinator))
        assert busy.status_code == 409
        assert "one run at a time" in busy.json()["detail"]
        work(engine, settings)
        run = client.get(started.headers["Location"], headers=auth(keys.coordinator)).json()
        assert run["status"] == "succeeded"
        assert run["outcome"]["status"] == "optimal"
        assert run["outcome"]["objective"]["placed"] == 4
        assert run["progress"]["phase"] == "done"
        assert run["progress"]["gap"] == 0.0
        plan, _ = _plan(client, keys)
        assert plan == SMALL_PLAN
        round_ = client.get(R, headers=auth(keys.coordinator)).json()
        assert round_["status"] == "solved"
        assert round_["placed"] == 4
        assert round_["active_run"] is None

    def test_a_queued_run_is_cancelled_at_once(self, client: TestClient, keys: Keys) -> None:
        _create(client, keys)
        run_id = client.post(f"{R}/runs", headers=auth(keys.coordinator)).json()["id"]
        cancelled = client.post(f"/api/v1/runs/{run_id}/cancel", headers=auth(keys.coordinator))
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        again = client.post(f"/api/v1/runs/{run_id}/cancel", headers=auth(keys.coordinator))
        assert again.status_code == 409
        assert client.post(f"{R}/runs", headers=auth(keys.coordinator)).status_code == 202

    def test_an_infeasible_run_fails_naming_the_conflict(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        # Pin the couple P-2/P-3 (same prefecture) apart: an override waives the rules of
        # its own pair (eligibility, capacity), never a couple's constraint.
        answer = _put(client, keys, "P-2", etag, opening="OPN-A1", pinned=True)
        assert answer.status_code == 200, answer.text
        forced = _put(
            client,
            keys,
            "P-3",
            answer.headers["ETag"],
            opening="OPN-B1",
            pinned=True,
            override_reason="test",
        )
        assert forced.status_code == 200, forced.text
        run = _run(client, keys, engine, settings)
        assert run["status"] == "failed"
        assert run["outcome"]["status"] == "infeasible"
        assert run["outcome"]["conflicts"][0]["rule"] == "couple_pinned_apart"
        assert run["outcome"]["objective"] is None  # no figures of a plan it did not make
        assert run["progress"]["placed"] is None
        assert "infeasible" in run["error"]
        plan, _ = _plan(client, keys)
        assert plan["P-3"] == "OPN-B1"  # the plan before the run is untouched

    def test_list_of_runs_is_newest_first(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        first = _run(client, keys, engine, settings)
        second = _run(client, keys, engine, settings)
        listed = client.get(f"{R}/runs?limit=1", headers=auth(keys.coordinator)).json()
        assert [run["id"] for run in listed["items"]] == [second["id"]]
        rest = client.get(
            f"{R}/runs?cursor={listed['next_cursor']}", headers=auth(keys.coordinator)
        ).json()
        assert [run["id"] for run in rest["items"]] == [first["id"]]


class TestAdjustments:
    def test_a_move_that_breaks_a_rule_is_refused_naming_rule_and_records(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        refused = _put(client, keys, "P-1", etag, opening="OPN-A1")
        assert refused.status_code == 422
        problem = refused.json()
        assert "over_capacity" in problem["detail"]
        assert problem["errors"][0]["code"] == "over_capacity"
        assert "OPN-A1" in problem["errors"][0]["message"]
        apart = _put(client, keys, "P-2", etag, opening="OPN-B1")
        assert {e["code"] for e in apart.json()["errors"]} >= {"couple_apart", "over_capacity"}
        ineligible = _put(client, keys, "P-1", etag, opening="OPN-A2")
        assert {e["code"] for e in ineligible.json()["errors"]} >= {"ineligible"}
        assert _plan(client, keys) == (SMALL_PLAN, etag)  # nothing was written

    def test_an_overridden_ineligible_move_lists_the_failed_rules(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        made = _put(client, keys, "P-1", etag, opening="OPN-A2", override_reason="agreed")
        assert made.status_code == 200, made.text
        overridden = {r["rule"]: r["failed_rules"] for r in made.json()["overridden"]}
        assert overridden["ineligible"] == ["same_position", "japanese_level"]
        assert overridden["over_capacity"] == []

    def test_an_override_is_made_recorded_and_reports_the_objective_change(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        made = _put(client, keys, "P-1", etag, opening="OPN-A1", override_reason="the host insists")
        assert made.status_code == 200, made.text
        body = made.json()
        assert body["before"]["opening"] == "OPN-B1"
        assert body["after"]["opening"] == "OPN-A1"
        assert body["after"]["override_reason"] == "the host insists"
        assert [r["rule"] for r in body["overridden"]] == ["over_capacity"]
        change = body["objective_change"]
        assert change["placed"] == 0
        assert change["disruption"] == 50  # the round's disruption weight: one person moved
        assert change["net"] == change["score"] - 50
        assert made.headers["ETag"] != etag
        events = client.get(
            f"/api/v1/audit?action=plan.override&resource_id={ROUND}",
            headers=auth(keys.coordinator),
        ).json()["items"]
        assert events[0]["detail"]["reason"] == "the host insists"
        assert events[0]["detail"]["rules"] == ["over_capacity"]
        moved = client.get(
            f"/api/v1/audit?action=plan.move&resource_id={ROUND}", headers=auth(keys.coordinator)
        ).json()["items"][0]
        assert moved["detail"]["before"] == {"opening": "OPN-B1", "pinned": False}
        assert moved["detail"]["after"] == {"opening": "OPN-A1", "pinned": False}

    def test_changes_need_a_current_etag(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        assert _put(client, keys, "P-1", None, opening=None).status_code == 428
        assert _put(client, keys, "P-1", etag, opening=None).status_code == 200
        stale = _put(client, keys, "P-5", etag, opening="OPN-A2", pinned=True)
        assert stale.status_code == 412

    def test_concurrent_changes_with_one_etag_one_wins_the_others_get_412(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        changes = [
            ("P-1", {"opening": None}),
            ("P-5", {"opening": "OPN-A2", "pinned": True}),
            ("P-2", {"opening": "OPN-A1", "pinned": True}),
            ("P-3", {"opening": "OPN-A1", "pinned": True}),
            ("P-1", {"opening": "OPN-B1", "pinned": True}),
            ("P-5", {"opening": None}),
        ]
        barrier = threading.Barrier(len(changes))
        answers: list[tuple[str, dict[str, Any], int]] = []

        def change(participant: str, body: dict[str, Any]) -> None:
            barrier.wait()
            answers.append(
                (participant, body, _put(client, keys, participant, etag, **body).status_code)
            )

        threads = [threading.Thread(target=change, args=item) for item in changes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(code for _, _, code in answers)
        assert codes == [200] + [412] * (len(changes) - 1)
        winner, body, _ = next(a for a in answers if a[2] == 200)
        plan = client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
        after = {item["participant"]: item for item in plan}
        expected = dict(SMALL_PLAN)
        if body["opening"] is None:
            expected.pop(winner)
        assert {p: item["opening"] for p, item in after.items()} == expected
        assert [p for p, item in after.items() if item["pinned"]] == (
            [winner] if body.get("pinned") else []
        )
        audit = (
            client.get(
                f"/api/v1/audit?resource_id={ROUND}&action=plan.pin", headers=auth(keys.coordinator)
            ).json()["items"]
            + client.get(
                f"/api/v1/audit?resource_id={ROUND}&action=plan.unassign",
                headers=auth(keys.coordinator),
            ).json()["items"]
        )
        assert len(audit) == 1

    def test_pins_and_forbidden_pairs_survive_a_re_solve_that_moves_nobody_else(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        pinned = _put(client, keys, "P-5", etag, opening="OPN-A2", pinned=True)
        assert pinned.json()["objective_change"] == {
            "placed": 0,
            "score": 0,
            "disruption": 0,
            "net": 0,
        }
        etag = pinned.headers["ETag"]
        forbid = client.post(
            f"{R}/forbidden",
            headers=auth(keys.coordinator) | {"If-Match": etag},
            json={"participant": "P-1", "opening": "OPN-B1"},
        )
        assert forbid.status_code == 201
        assert forbid.json()["unassigned"] is True
        second = client.post(
            f"{R}/forbidden",
            headers=auth(keys.coordinator) | {"If-Match": forbid.headers["ETag"]},
            json={"participant": "P-4", "opening": "OPN-A2"},
        )
        assert second.status_code == 201, second.text
        listed = client.get(f"{R}/forbidden", headers=auth(keys.coordinator))
        assert listed.status_code == 200
        assert listed.headers["ETag"] == second.headers["ETag"]
        assert [(i["participant"], i["opening"]) for i in listed.json()["items"]] == [
            ("P-1", "OPN-B1"),
            ("P-4", "OPN-A2"),
        ]
        first_page = client.get(f"{R}/forbidden?limit=1", headers=auth(keys.coordinator)).json()
        assert [i["participant"] for i in first_page["items"]] == ["P-1"]
        rest = client.get(
            f"{R}/forbidden?cursor={first_page['next_cursor']}", headers=auth(keys.coordinator)
        ).json()
        assert [i["participant"] for i in rest["items"]] == ["P-4"]
        by_opening = client.get(f"{R}/forbidden?opening=OPN-A2", headers=auth(keys.coordinator))
        assert [i["participant"] for i in by_opening.json()["items"]] == ["P-4"]
        by_person = client.get(f"{R}/forbidden?participant=P-1", headers=auth(keys.coordinator))
        assert [i["opening"] for i in by_person.json()["items"]] == ["OPN-B1"]
        run = _run(client, keys, engine, settings)
        assert run["status"] == "succeeded"
        plan, etag = _plan(client, keys)
        # P-1 may not take OPN-B1 and every other slot is taken: unplaced; nobody moved.
        assert plan == {"P-2": "OPN-A1", "P-3": "OPN-A1", "P-5": "OPN-A2"}
        assert run["outcome"]["changed"] == 0
        assert run["outcome"]["objective"]["moved"] == 0
        items = client.get(f"{R}/plan?pinned=true", headers=auth(keys.coordinator)).json()
        assert [i["participant"] for i in items["items"]] == ["P-5"]
        allowed = client.delete(
            f"{R}/forbidden/P-1/OPN-B1", headers=auth(keys.coordinator) | {"If-Match": etag}
        )
        assert allowed.status_code == 204
        _run(client, keys, engine, settings)
        assert _plan(client, keys)[0] == SMALL_PLAN

    def test_a_re_solve_moves_only_who_must_move(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys, weights={"disruption": 1000})
        _run(client, keys, engine, settings)
        client.post("/api/v1/participants/P-2/withdraw", headers=auth(keys.coordinator))
        run = _run(client, keys, engine, settings)
        # P-3 is single now; P-1 keeps OPN-B1 although OPN-A1 (their first choice) has a
        # free seat: moving costs more than it gains.
        plan, _ = _plan(client, keys)
        assert plan == {"P-1": "OPN-B1", "P-3": "OPN-A1", "P-5": "OPN-A2"}
        assert run["outcome"]["objective"]["moved"] == 0
        assert run["outcome"]["changed"] == 0

    def test_with_the_default_weight_a_move_worth_more_than_50_points_is_made(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        client.post("/api/v1/participants/P-2/withdraw", headers=auth(keys.coordinator))
        run = _run(client, keys, engine, settings)
        plan, _ = _plan(client, keys)
        assert plan["P-1"] == "OPN-A1"  # first choice, requested country: gains more than 50
        assert run["outcome"]["objective"]["moved"] == 1
        assert run["outcome"]["objective"]["disruption"] == 50

    def test_no_change_while_a_run_is_active_nor_after_closing(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _run(client, keys, engine, settings)
        client.post(f"{R}/runs", headers=auth(keys.coordinator))
        busy = _put(client, keys, "P-1", "*", opening=None)
        assert busy.status_code == 409
        publish = client.post(f"{R}/publish", headers=auth(keys.coordinator) | {"If-Match": "*"})
        assert publish.status_code == 409
        work(engine, settings)
        closed = client.post(f"{R}/close", headers=auth(keys.coordinator) | {"If-Match": "*"})
        assert closed.json()["status"] == "closed"
        assert _put(client, keys, "P-1", "*", opening=None).status_code == 409
        assert client.post(f"{R}/runs", headers=auth(keys.coordinator)).status_code == 409

    def test_positions_are_fixed_once_there_is_a_plan(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        created = client.post(
            "/api/v1/rounds",
            headers=auth(keys.coordinator),
            json={"external_id": ROUND, "name": "ALT", "programme_year": 2026},
        )
        changed = client.patch(
            R,
            headers=auth(keys.coordinator) | {"If-Match": created.headers["ETag"]},
            json={"positions": ["ALT"], "policy": {"time_limit_s": 3}},
        )
        assert changed.status_code == 200
        assert changed.json()["positions"] == ["ALT"]
        _run(client, keys, engine, settings)
        plan, etag = _plan(client, keys)
        assert "P-5" not in plan  # the CIR is outside the round
        refused = client.patch(
            R, headers=auth(keys.coordinator) | {"If-Match": etag}, json={"positions": ["CIR"]}
        )
        assert refused.status_code == 409

    def test_a_partial_policy_patch_changes_only_what_it_sends(
        self, client: TestClient, keys: Keys
    ) -> None:
        created = _create(
            client,
            keys,
            weights={"disruption": 200, "preference_1": 300},
            max_country_share_per_prefecture=0.3,
            time_limit_s=90,
            seed=7,
        )
        policy = created["policy"]

        def patch(body: dict[str, Any]) -> Any:
            etag = client.get(R, headers=auth(keys.coordinator)).headers["ETag"]
            return client.patch(
                R, headers=auth(keys.coordinator) | {"If-Match": etag}, json={"policy": body}
            )

        faster = patch({"time_limit_s": 30})
        assert faster.status_code == 200, faster.text
        assert faster.json()["policy"] == policy | {"time_limit_s": 30.0}
        event = client.get(
            f"/api/v1/audit?resource_id={ROUND}&action=round.update",
            headers=auth(keys.coordinator),
        ).json()["items"][0]
        assert event["detail"]["fields"] == ["time_limit_s"]
        cheaper = patch({"weights": {"disruption": 10}})
        weights = cheaper.json()["policy"]["weights"]
        assert weights == policy["weights"] | {"disruption": 10}
        assert weights["preference_1"] == 300
        uncapped = patch({"max_country_share_per_prefecture": None})
        assert uncapped.json()["policy"] == policy | {
            "time_limit_s": 30.0,
            "weights": weights,
            "max_country_share_per_prefecture": None,
        }
        assert patch({"seed": None}).status_code == 422
        assert patch({"weights": {"disruption": None}}).status_code == 422
        assert patch({"weights": {"nonsense": 1}}).status_code == 422

    def test_a_pin_no_run_could_keep_is_refused_even_with_an_override(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys, positions=["ALT"])
        _run(client, keys, engine, settings)
        _, etag = _plan(client, keys)
        pinned = _put(
            client, keys, "P-5", etag, opening="OPN-A2", pinned=True, override_reason="agreed"
        )
        assert pinned.status_code == 422
        assert [e["code"] for e in pinned.json()["errors"]] == ["pin_outside_run"]
        assert "does not place CIR participants" in pinned.json()["detail"]
        for blank in ("   ", "\t\n"):  # an override's reason holds some text
            answer = _put(client, keys, "P-5", etag, opening="OPN-A2", override_reason=blank)
            assert answer.status_code == 422, answer.text
            assert [e["field"] for e in answer.json()["errors"]] == ["override_reason"]
        # Runs keep an override like a pin: unpinned, it is refused all the same.
        placed = _put(client, keys, "P-5", etag, opening="OPN-A2", override_reason=" agreed ")
        assert placed.status_code == 422, placed.text
        assert [e["code"] for e in placed.json()["errors"]] == ["pin_outside_run"]
        assert "placed with an override" in placed.json()["detail"]
        assert "OPN-A2" not in _plan(client, keys)[0].values()

    def test_a_refused_body_names_the_record_it_is_about(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        _create(client, keys)
        _, etag = _plan(client, keys)
        unknown = _put(client, keys, "P-5", etag, opening=None, foo=1)
        assert unknown.status_code == 422
        problem = unknown.json()["errors"][0]
        assert (problem["record"], problem["external_id"], problem["field"]) == (
            "plan",
            "P-5",
            "foo",
        )
        created = client.post(
            "/api/v1/rounds",
            headers=auth(keys.coordinator),
            json={
                "external_id": "R3",
                "name": "R3",
                "programme_year": 2026,
                "policy": {"time_limit_s": 0},
            },
        )
        assert created.status_code == 422
        problem = created.json()["errors"][0]
        assert (problem["record"], problem["external_id"], problem["field"]) == (
            "round",
            "R3",
            "policy.time_limit_s",
        )

    def test_a_withdrawn_participant_or_a_cancelled_opening_is_never_placed(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        """Not even with an override: a publication would show a host someone who left."""
        _create(client, keys)
        _run(client, keys, engine, settings)
        coordinator = auth(keys.coordinator)
        assert client.post("/api/v1/participants/P-4/withdraw", headers=coordinator).is_success
        _, etag = _plan(client, keys)
        withdrawn = _put(client, keys, "P-4", etag, opening="OPN-B1", override_reason="agreed")
        assert withdrawn.status_code == 422, withdrawn.text
        assert [(e["external_id"], e["field"], e["code"]) for e in withdrawn.json()["errors"]] == [
            ("P-4", "opening", "participant_withdrawn")
        ]
        opening = client.get("/api/v1/openings/OPN-B1", headers=coordinator)
        cancelled = client.patch(
            "/api/v1/openings/OPN-B1",
            headers=coordinator | {"If-Match": opening.headers["ETag"]},
            json={"status": "cancelled"},
        )
        assert cancelled.status_code == 200, cancelled.text
        _, etag = _plan(client, keys)
        moved = _put(client, keys, "P-2", etag, opening="OPN-B1", override_reason="agreed")
        assert moved.status_code == 422, moved.text
        assert [e["code"] for e in moved.json()["errors"]] == ["opening_cancelled"]
        plan, _ = _plan(client, keys)
        assert "P-4" not in plan
        assert "OPN-B1" not in plan.values()

    def test_an_adjustment_in_draft_keeps_the_draft_and_the_first_run_keeps_the_pin(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        created = _create(client, keys)
        assert created["status"] == "draft"
        etag = client.get(R, headers=auth(keys.coordinator)).headers["ETag"]
        pinned = _put(client, keys, "P-1", etag, opening="OPN-B1", pinned=True)
        assert pinned.status_code == 200
        assert pinned.json()["after"]["pinned"] is True
        round_ = client.get(R, headers=auth(keys.coordinator)).json()
        assert (round_["status"], round_["placed"], round_["pinned"]) == ("draft", 1, 1)
        unpublishable = client.post(
            f"{R}/publish", headers=auth(keys.coordinator) | {"If-Match": pinned.headers["ETag"]}
        )
        assert unpublishable.status_code == 409
        assert "run it first" in unpublishable.json()["detail"]
        run = _run(client, keys, engine, settings)
        assert run["status"] == "succeeded"
        assert client.get(R, headers=auth(keys.coordinator)).json()["status"] == "solved"
        items = client.get(f"{R}/plan?pinned=true", headers=auth(keys.coordinator)).json()
        assert [(i["participant"], i["opening"]) for i in items["items"]] == [("P-1", "OPN-B1")]
