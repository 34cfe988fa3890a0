"""A whole placement season over HTTP, against a live `jet-match serve` and its worker.

import -> round -> run -> review -> pin and move -> re-solve -> publish -> host-org and
career-fair reads -> withdrawal -> fill vacancies -> amended publication, on the demo
dataset (300 people), on SQLite or PostgreSQL like every database test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from jet_match.statuses import Role
from service_support import MakeKey, auth

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.json"
ROUND = "R2026-MAIN"


def _finished(api: httpx.Client, location: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = api.get(location).json()
        if run["status"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, f"run still {run['status']}: {run['progress']}"
        time.sleep(0.2)


def _open_to_anyone(api: httpx.Client, opening: str) -> bool:
    found = api.get(f"/api/v1/openings/{opening}").json()
    return bool(
        found["min_japanese_level"] == "none"
        and not found["country_required"]
        and found.get("sport") is None
    )


def _etag(api: httpx.Client) -> str:
    return api.get(f"/api/v1/rounds/{ROUND}").headers["ETag"]


def test_a_season_of_placements(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="season")
    api = httpx.Client(base_url=live_server, headers=auth(coordinator), timeout=30)
    r = f"/api/v1/rounds/{ROUND}"

    # Import the year's records, create the round, run it in the background.
    imported = api.post(
        "/api/v1/imports",
        content=DEMO.read_bytes(),
        headers={"Content-Type": "application/json"},
    )
    assert imported.status_code == 200, imported.text
    created = api.post(
        "/api/v1/rounds",
        json={
            "external_id": ROUND,
            "name": "2026 main round",
            "programme_year": 2026,
            "policy": {"time_limit_s": 20, "weights": {"disruption": 70}},
        },
    )
    assert created.status_code == 201
    started = api.post(f"{r}/runs")
    assert started.status_code == 202
    assert api.get(f"{r}/runs").json()["items"][0]["status"] in ("queued", "running")
    first = _finished(api, started.headers["Location"])
    assert first["status"] == "succeeded", first
    assert first["outcome"]["status"] == "optimal"
    placed = first["outcome"]["objective"]["placed"]
    assert placed > 250

    # Review: the plan, an explanation, candidates, the report.
    page = api.get(f"{r}/plan?limit=500")
    plan = {item["participant"]: item for item in page.json()["items"]}
    assert len(plan) == placed
    someone = next(iter(plan.values()))
    explained = api.get(f"{r}/participants/{someone['participant']}/explanation").json()
    assert explained["placement"]["score"] == someone["score"]
    candidates = api.get(f"{r}/openings/{someone['opening']}/candidates?limit=5").json()
    assert candidates["items"]
    report = api.get(f"{r}/report").json()
    assert report["objective"]["placed"] == placed
    assert api.get(f"{r}/report?format=xlsx").status_code == 200

    # Pin one placement, move another person to a better-scoring free place.
    etag = page.headers["ETag"]
    pinned = api.put(
        f"{r}/plan/{someone['participant']}",
        headers={"If-Match": etag},
        json={"opening": someone["opening"], "pinned": True},
    )
    assert pinned.status_code == 200
    etag = pinned.headers["ETag"]
    mover = plan[sorted(plan)[1]]
    target = next(
        (
            a
            for a in api.get(
                f"{r}/participants/{mover['participant']}/explanation?alternatives=20"
            ).json()["alternatives"]
            if a["eligible"] and not a["breaks"]
        ),
        None,
    )
    if target is not None:
        moved = api.put(
            f"{r}/plan/{mover['participant']}",
            headers={"If-Match": etag},
            json={"opening": target["opening"], "pinned": True},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["objective_change"]["disruption"] == 70
        etag = moved.headers["ETag"]
    stale = api.put(
        f"{r}/plan/{someone['participant']}",
        headers={"If-Match": page.headers["ETag"]},
        json={"opening": None},
    )
    assert stale.status_code == 412

    # Re-solve: pins stay, and no one moves who need not.
    again = _finished(api, api.post(f"{r}/runs").headers["Location"])
    assert again["status"] == "succeeded", again
    assert again["outcome"]["changed"] == 0
    now = {i["participant"]: i for i in api.get(f"{r}/plan?limit=500").json()["items"]}
    assert now[someone["participant"]]["pinned"] is True
    if target is not None:
        assert now[mover["participant"]]["opening"] == target["opening"]
    compared = api.get(f"{r}/compare?a=run:{first['id']}&b=run:{again['id']}").json()
    assert compared["moved_count"] == (1 if target is not None else 0)

    # Publish version 1.
    published = api.post(f"{r}/publish", headers={"If-Match": _etag(api)})
    assert published.status_code == 200
    assert published.json()["version"] == 1

    # The host organization of one placement reads its own people, nobody else's.
    organization = now[someone["participant"]]["organization"]
    host_key = api.post(
        "/api/v1/api-keys",
        json={"role": "host_org", "organization": organization, "name": "host"},
    ).json()["key"]
    host = httpx.Client(base_url=live_server, headers=auth(host_key), timeout=30)
    own = host.get(f"/api/v1/organizations/{organization}/placements").json()["items"]
    assert someone["participant"] in {p["participant"] for p in own}
    assert all("email" not in p and "needs_medical_access" not in p for p in own)
    other = next(i["organization"] for i in now.values() if i["organization"] != organization)
    assert host.get(f"/api/v1/organizations/{other}/placements").status_code == 404
    assert host.get(f"{r}/plan").status_code == 403

    # Career-fair tooling pages through the results and caches them.
    fair_key = api.post("/api/v1/api-keys", json={"role": "career_fair", "name": "fair"}).json()
    fair = httpx.Client(base_url=live_server, headers=auth(fair_key["key"]), timeout=30)
    results, cursor = [], None
    while True:
        answer = fair.get(
            "/api/v1/results", params={"limit": 100, "cursor": cursor} if cursor else {"limit": 100}
        )
        results.extend(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    assert len(results) == len(now)
    assert [x["participant"] for x in results] == sorted(now)
    first_page = fair.get("/api/v1/results?limit=100")
    cached = fair.get(
        "/api/v1/results?limit=100", headers={"If-None-Match": first_page.headers["ETag"]}
    )
    assert cached.status_code == 304

    # An ALT withdraws from a post anyone may take (no Japanese, driving, country or sport
    # requirement): the first-ranked ALT alternate (P-00194, who can drive) takes it.
    leaving = next(
        p
        for p in sorted(now)
        if now[p]["position"] == "ALT" and _open_to_anyone(api, now[p]["opening"])
    )
    withdrawn = api.post(f"/api/v1/participants/{leaving}/withdraw").json()
    assert [(f["round"], f["opening"], f["participant"]) for f in withdrawn["freed"]] == [
        (ROUND, now[leaving]["opening"], leaving)
    ]
    assert api.get(r).json()["open_vacancies"] == 1
    amendment = api.post(f"{r}/fill-vacancies", headers={"If-Match": _etag(api)})
    assert amendment.status_code == 200
    changes = amendment.json()["changes"]
    assert [
        (c["participant"], c["alternate_rank"], c["opening"], c["replaces"]) for c in changes
    ] == [("P-00194", 1, now[leaving]["opening"], leaving)]
    assert amendment.json()["unfilled"] == []
    assert api.get("/api/v1/participants/P-00194").json()["status"] == "shortlisted"
    version2 = api.post(f"{r}/publish", headers={"If-Match": _etag(api)}).json()
    assert version2["version"] == 2
    assert (version2["added"], version2["removed"], version2["moved"]) == (1, 1, 0)
    fresh = fair.get(
        "/api/v1/results?limit=100", headers={"If-None-Match": first_page.headers["ETag"]}
    )
    assert fresh.status_code == 200
    diff = api.get(f"{r}/compare?a=version:1&b=version:2").json()
    assert {m["participant"] for m in diff["moved"]} == {leaving} | {
        c["participant"] for c in changes
    }

    # A run can be cancelled; the plan is untouched and the audit tells the story.
    third = api.post(f"{r}/runs")
    api.post(f"/api/v1/runs/{third.json()['id']}/cancel")
    ended = _finished(api, third.headers["Location"])
    assert ended["status"] in ("cancelled", "succeeded")
    actions = {
        event["action"]
        for event in api.get(f"/api/v1/audit?resource_id={ROUND}&limit=500").json()["items"]
    }
    assert {
        "round.create",
        "run.queue",
        "run.claim",
        "run.succeed",
        "plan.pin",
        "round.publish",
        "plan.vacate",
    } <= actions
