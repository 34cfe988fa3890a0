"""Publication, what host organizations and career-fair tools read, withdrawals and
alternates, over HTTP on the small dataset (see round_support)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.solver import ScoringPolicy, Weights, policy_digest
from round_support import ROUND, SMALL_PLAN, create_round, queue_run, round_etag, work
from service_support import Keys, auth

R = f"/api/v1/rounds/{ROUND}"
HOST_FIELDS = {
    "round",
    "version",
    "opening",
    "participant",
    "family_name",
    "given_name",
    "citizenship",
    "position",
    "japanese_level",
}


def _publish(client: TestClient, keys: Keys, etag: str) -> Any:
    return client.post(f"{R}/publish", headers=auth(keys.coordinator) | {"If-Match": etag})


class TestPublication:
    def test_publish_freezes_version_1_with_if_match(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        etag = round_etag(engine)
        assert client.post(f"{R}/publish", headers=auth(keys.coordinator)).status_code == 428
        assert _publish(client, keys, '"1"').status_code == 412
        published = _publish(client, keys, etag)
        assert published.status_code == 200
        assert published.json() | {"published_at": None} == {
            "round": ROUND,
            "version": 1,
            "published_at": None,
            "published_by": published.json()["published_by"],
            "placed": 4,
            "added": 4,
            "removed": 0,
            "moved": 0,
            "policy": {
                "weights": {name: getattr(Weights(), name) for name in Weights.__slots__},
                "max_country_share_per_prefecture": None,
                "digest": policy_digest(ScoringPolicy()),
            },
        }
        round_ = client.get(R, headers=auth(keys.coordinator)).json()
        assert (round_["status"], round_["published_version"]) == ("published", 1)
        again = _publish(client, keys, published.headers["ETag"])
        assert again.status_code == 409  # nothing new since version 1

    def test_a_host_reads_its_own_published_placements_without_contact_or_care_data(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        before = client.get("/api/v1/organizations/ORG-A/placements", headers=auth(keys.host_own))
        assert before.json()["items"] == []  # nothing is published yet
        _publish(client, keys, round_etag(engine))
        own = client.get("/api/v1/organizations/ORG-A/placements", headers=auth(keys.host_own))
        assert own.status_code == 200
        items = own.json()["items"]
        assert [(i["participant"], i["opening"]) for i in items] == [
            ("P-2", "OPN-A1"),
            ("P-3", "OPN-A1"),
            ("P-5", "OPN-A2"),
        ]
        assert all(set(item) == HOST_FIELDS for item in items)
        assert "email" not in own.text
        assert "needs_medical_access" not in own.text
        other = client.get("/api/v1/organizations/ORG-B/placements", headers=auth(keys.host_own))
        assert other.status_code == 404
        assert other.json() == other.json() | {"status": 404}
        missing = client.get(
            "/api/v1/organizations/ORG-NOWHERE/placements", headers=auth(keys.host_own)
        )
        assert missing.json()["detail"].replace("ORG-NOWHERE", "X") == other.json()[
            "detail"
        ].replace("ORG-B", "X")
        coordinator = client.get(
            "/api/v1/organizations/ORG-B/placements", headers=auth(keys.coordinator)
        )
        assert [i["participant"] for i in coordinator.json()["items"]] == ["P-1"]
        audit = client.get(
            "/api/v1/audit?action=placement.read", headers=auth(keys.coordinator)
        ).json()["items"]
        assert audit[0]["detail"]["external_ids"] == ["P-1"]  # newest first: the coordinator
        assert audit[1]["detail"]["external_ids"] == ["P-2", "P-3", "P-5"]

    def test_results_are_stable_paginated_and_cached_with_etags(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        first = client.get("/api/v1/results?limit=3", headers=auth(keys.career_fair))
        assert first.status_code == 200
        page = first.json()
        assert [i["participant"] for i in page["items"]] == ["P-1", "P-2", "P-3"]
        assert set(page["items"][0]) == {
            "round",
            "version",
            "participant",
            "position",
            "opening",
            "organization",
            "organization_name",
            "prefecture",
        }
        rest = client.get(
            f"/api/v1/results?limit=3&cursor={page['next_cursor']}",
            headers=auth(keys.career_fair),
        ).json()
        assert [i["participant"] for i in rest["items"]] == ["P-5"]
        assert rest["next_cursor"] is None
        etag = first.headers["ETag"]
        cached = client.get(
            "/api/v1/results?limit=3",
            headers=auth(keys.career_fair) | {"If-None-Match": etag},
        )
        assert cached.status_code == 304
        assert cached.headers["ETag"] == etag
        assert cached.content == b""
        client.post("/api/v1/participants/P-1/withdraw", headers=auth(keys.coordinator))
        still = client.get(
            "/api/v1/results?limit=3", headers=auth(keys.career_fair) | {"If-None-Match": etag}
        )
        assert still.status_code == 304  # version 1 stays published until version 2
        client.post(f"{R}/fill-vacancies", headers=auth(keys.coordinator) | {"If-Match": "*"})
        _publish(client, keys, round_etag(engine))
        fresh = client.get(
            "/api/v1/results?limit=3", headers=auth(keys.career_fair) | {"If-None-Match": etag}
        )
        assert fresh.status_code == 200
        assert fresh.json()["items"][0]["version"] == 2
        assert "P-1" not in [i["participant"] for i in fresh.json()["items"]]


class TestResultsAcrossPublications:
    def test_a_cursor_keeps_its_versions_after_a_publication_and_changes_catch_up(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        first = client.get("/api/v1/results?limit=2", headers=auth(keys.career_fair)).json()
        assert [i["version"] for i in first["items"]] == [1, 1]
        client.post("/api/v1/participants/P-5/withdraw", headers=auth(keys.coordinator))
        assert _publish(client, keys, round_etag(engine)).json()["version"] == 2
        rest = client.get(
            f"/api/v1/results?limit=2&cursor={first['next_cursor']}",
            headers=auth(keys.career_fair),
        )
        assert rest.status_code == 200  # an amendment no longer forces a restart
        assert [(i["participant"], i["version"]) for i in rest.json()["items"]] == [
            ("P-3", 1),
            ("P-5", 1),
        ]
        changes = client.get(
            f"/api/v1/results/changes?since={first['sync_token']}",
            headers=auth(keys.career_fair),
        ).json()
        assert (changes["added"], changes["changed"]) == ([], [])
        assert [(i["participant"], i["version"]) for i in changes["removed"]] == [("P-5", 1)]
        later = client.get(
            f"/api/v1/results/changes?since={changes['sync_token']}",
            headers=auth(keys.career_fair),
        ).json()
        assert later["added"] == later["changed"] == later["removed"] == []
        forged = client.get("/api/v1/results?cursor=abc", headers=auth(keys.career_fair))
        assert forged.status_code == 422
        forged = client.get("/api/v1/results/changes?since=abc", headers=auth(keys.career_fair))
        assert forged.status_code == 422
        assert forged.json()["errors"][0]["field"] == "since"

    def test_results_filter_and_answer_csv(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        fair = auth(keys.career_fair)
        hokkaido = client.get("/api/v1/results?prefecture=1", headers=fair).json()["items"]
        assert sorted(i["participant"] for i in hokkaido) == ["P-2", "P-3", "P-5"]
        cir = client.get("/api/v1/results?position=CIR", headers=fair).json()["items"]
        assert [i["participant"] for i in cir] == ["P-5"]
        shinjuku = client.get("/api/v1/results?organization=ORG-B", headers=fair).json()
        assert [i["participant"] for i in shinjuku["items"]] == ["P-1"]
        other = client.get("/api/v1/results?round=R-OTHER", headers=fair).json()
        assert other["items"] == []
        sheet = client.get("/api/v1/results?format=csv&position=ALT", headers=fair)
        assert sheet.status_code == 200
        assert sheet.headers["content-type"].startswith("text/csv")
        lines = sheet.content.decode("utf-8-sig").splitlines()
        assert lines[0] == (
            "round,version,participant,position,opening,organization,organization_name,prefecture"
        )
        assert sorted(line.split(",")[2] for line in lines[1:]) == ["P-1", "P-2", "P-3"]

    def test_published_results_keep_the_records_as_they_were_published(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        before = client.get("/api/v1/results", headers=auth(keys.career_fair))
        renamed = client.patch(
            "/api/v1/organizations/ORG-B",
            headers=auth(keys.coordinator) | {"If-Match": "*"},
            json={"name": "Shinjuku City Board of Education", "prefecture": 14},
        )
        assert renamed.status_code == 200
        cached = client.get(
            "/api/v1/results",
            headers=auth(keys.career_fair) | {"If-None-Match": before.headers["ETag"]},
        )
        assert cached.status_code == 304
        after = client.get("/api/v1/results", headers=auth(keys.career_fair))
        assert after.headers["ETag"] == before.headers["ETag"]
        assert after.json() == before.json()  # the same ETag means the same content
        p1 = next(i for i in after.json()["items"] if i["participant"] == "P-1")
        assert (p1["organization_name"], p1["prefecture"]) == ("Shinjuku City", 13)


class TestOnePublishedRoundPerPosition:
    def test_a_round_sharing_a_position_with_a_published_one_cannot_publish(
        self, client: TestClient, keys: Keys, engine: Engine, settings: Settings
    ) -> None:
        for round_id, positions in (
            ("R-ALT", ["ALT"]),
            ("R-CIR", ["CIR"]),
            ("R-ALL", ["ALT", "CIR", "SEA"]),
        ):
            create_round(engine, round_id, positions)
            queue_run(engine, round_id)
        work(engine, settings)

        def publish(round_id: str) -> Any:
            return client.post(
                f"/api/v1/rounds/{round_id}/publish",
                headers=auth(keys.coordinator) | {"If-Match": round_etag(engine, round_id)},
            )

        assert publish("R-ALT").status_code == 200
        assert publish("R-CIR").status_code == 200  # no position in common
        refused = publish("R-ALL")
        assert refused.status_code == 409
        assert "round 'R-ALT' has published ALT placements already" in refused.json()["detail"]
        closed = client.post(
            "/api/v1/rounds/R-ALT/close",
            headers=auth(keys.coordinator) | {"If-Match": round_etag(engine, "R-ALT")},
        )
        assert closed.json()["status"] == "closed"
        assert publish("R-ALL").status_code == 409  # a closed round's publication is final
        results = client.get("/api/v1/results", headers=auth(keys.career_fair)).json()["items"]
        assert [(i["round"], i["participant"]) for i in results] == [
            ("R-ALT", "P-1"),
            ("R-ALT", "P-2"),
            ("R-ALT", "P-3"),
            ("R-CIR", "P-5"),
        ]
        host = client.get("/api/v1/organizations/ORG-A/placements", headers=auth(keys.host_own))
        assert [(i["round"], i["participant"]) for i in host.json()["items"]] == [
            ("R-ALT", "P-2"),
            ("R-ALT", "P-3"),
            ("R-CIR", "P-5"),
        ]


class TestStatusFollowsThePlan:
    def test_pins_unchanged_runs_and_undone_moves_leave_the_round_published(
        self,
        client: TestClient,
        keys: Keys,
        engine: Engine,
        settings: Settings,
        solved: str,
    ) -> None:
        _publish(client, keys, round_etag(engine))

        def put(participant: str, **body: Any) -> str:
            headers = auth(keys.coordinator) | {"If-Match": round_etag(engine)}
            answer = client.put(f"{R}/plan/{participant}", headers=headers, json=body)
            assert answer.status_code == 200, answer.text
            return str(client.get(R, headers=auth(keys.coordinator)).json()["status"])

        assert put("P-1", opening="OPN-B1", pinned=True) == "published"
        nothing = _publish(client, keys, round_etag(engine))
        assert nothing.status_code == 409
        assert "nothing to publish" in nothing.json()["detail"]
        assert put("P-1", opening="OPN-B1", pinned=False) == "published"
        queue_run(engine)
        work(engine, settings)
        assert client.get(R, headers=auth(keys.coordinator)).json()["status"] == "published"
        assert put("P-1", opening=None) == "amended"
        assert put("P-1", opening="OPN-B1") == "published"
        assert _publish(client, keys, round_etag(engine)).status_code == 409
        assert put("P-1", opening=None) == "amended"
        version2 = _publish(client, keys, round_etag(engine))
        assert (version2.status_code, version2.json()["removed"]) == (200, 1)
        # Every change of status is in the audit trail, by whom and from what to what.
        events = client.get(
            f"/api/v1/audit?resource_id={ROUND}&action=round.status&limit=100",
            headers=auth(keys.coordinator),
        ).json()["items"]
        changes = [(e["detail"]["before"], e["detail"]["after"]) for e in reversed(events)]
        assert changes == [
            ("draft", "solved"),
            ("published", "amended"),
            ("amended", "published"),
            ("published", "amended"),
        ]
        assert {e["actor"] for e in events[:3]} == {f"key:{keys.coordinator.split('_')[1]}"}


class TestWithdrawalsAndAlternates:
    def test_a_withdrawal_frees_the_place_and_the_first_alternate_takes_it(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        withdrawn = client.post("/api/v1/participants/P-1/withdraw", headers=auth(keys.coordinator))
        assert withdrawn.status_code == 200
        assert withdrawn.json() == {
            "participant": "P-1",
            "status": "withdrawn",
            "already_withdrawn": False,
            "reason": None,
            "withdrawn_on": withdrawn.json()["withdrawn_on"],
            "freed": [
                {
                    "round": ROUND,
                    "opening": "OPN-B1",
                    "participant": "P-1",
                    "reason": "the participant withdrew",
                    "published": True,
                }
            ],
        }
        twice = client.post("/api/v1/participants/P-1/withdraw", headers=auth(keys.coordinator))
        assert twice.json()["already_withdrawn"] is True
        assert twice.json()["freed"] == []
        round_ = client.get(R, headers=auth(keys.coordinator))
        assert (round_.json()["status"], round_.json()["open_vacancies"]) == ("amended", 1)
        host = client.get("/api/v1/organizations/ORG-B/placements", headers=auth(keys.coordinator))
        assert [i["participant"] for i in host.json()["items"]] == ["P-1"]  # still version 1
        stale = client.post(
            f"{R}/fill-vacancies", headers=auth(keys.coordinator) | {"If-Match": '"1"'}
        )
        assert stale.status_code == 412
        filled = client.post(
            f"{R}/fill-vacancies",
            headers=auth(keys.coordinator) | {"If-Match": round_.headers["ETag"]},
        )
        assert filled.status_code == 200
        assert filled.json()["changes"] == [
            {
                "participant": "P-4",
                "alternate_rank": 1,
                "opening": "OPN-B1",
                "score": filled.json()["changes"][0]["score"],
                "replaces": "P-1",
            }
        ]
        assert filled.json()["unfilled"] == []
        person = client.get("/api/v1/participants/P-4", headers=auth(keys.coordinator)).json()
        assert (person["status"], person["alternate_rank"]) == ("shortlisted", None)
        plan = client.get(f"{R}/plan", headers=auth(keys.coordinator)).json()["items"]
        expected = {**{p: o for p, o in SMALL_PLAN.items() if p != "P-1"}, "P-4": "OPN-B1"}
        assert {i["participant"]: i["opening"] for i in plan} == expected
        assert next(i for i in plan if i["participant"] == "P-4")["source"] == "vacancy"
        version2 = _publish(client, keys, filled.headers["ETag"])
        assert version2.json()["version"] == 2
        assert (version2.json()["added"], version2.json()["removed"]) == (1, 1)
        host = client.get("/api/v1/organizations/ORG-B/placements", headers=auth(keys.coordinator))
        assert [(i["participant"], i["version"]) for i in host.json()["items"]] == [("P-4", 2)]
        compared = client.get(
            f"{R}/compare?a=version:1&b=version:2", headers=auth(keys.coordinator)
        ).json()
        assert compared["moved"] == [
            {"participant": "P-1", "a": "OPN-B1", "b": None},
            {"participant": "P-4", "a": None, "b": "OPN-B1"},
        ]
        audit = client.get(
            f"/api/v1/audit?resource_id={ROUND}&action=vacancy.fill",
            headers=auth(keys.coordinator),
        ).json()["items"]
        assert audit[0]["detail"]["replaces"] == "P-1"

    def test_no_alternate_eligible_leaves_the_vacancy_open(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        client.post("/api/v1/participants/P-5/withdraw", headers=auth(keys.coordinator))
        filled = client.post(
            f"{R}/fill-vacancies", headers=auth(keys.coordinator) | {"If-Match": "*"}
        )
        # The CIR opening needs a CIR with N2: the only alternate is an ALT.
        assert filled.json()["changes"] == []
        assert filled.json()["unfilled"] == [
            {"opening": "OPN-A2", "places": 1, "vacated_by": ["P-5"]}
        ]

    def test_before_the_first_publication_there_are_no_vacancies(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        client.post("/api/v1/participants/P-1/withdraw", headers=auth(keys.coordinator))
        round_ = client.get(R, headers=auth(keys.coordinator)).json()
        assert (round_["placed"], round_["open_vacancies"]) == (3, 0)
        filled = client.post(
            f"{R}/fill-vacancies", headers=auth(keys.coordinator) | {"If-Match": "*"}
        )
        assert filled.json() | {"status": None} == {
            "round": ROUND,
            "status": None,
            "changes": [],
            "unfilled": [],
        }

    def test_withdrawing_through_patch_frees_the_place_too(
        self, client: TestClient, keys: Keys, engine: Engine, solved: str
    ) -> None:
        _publish(client, keys, round_etag(engine))
        patched = client.patch(
            "/api/v1/participants/P-5",
            headers=auth(keys.coordinator) | {"If-Match": "*"},
            json={"status": "withdrawn"},
        )
        assert patched.status_code == 200
        round_ = client.get(R, headers=auth(keys.coordinator)).json()
        assert (round_["placed"], round_["open_vacancies"], round_["status"]) == (3, 1, "amended")
