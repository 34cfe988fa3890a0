"""A whole JET season over HTTP (issue 12, acceptance), on a small purpose-built dataset.

The ledger of the JETs in post comes from a CSV sheet; a host sets its contracts'
intentions (another organization's host sees none of them); the demand the ledger makes
sets the openings' slots; the round is solved and published; a participant withdraws
with a reason; the vacancy is offered, declined, passed on and accepted; the amendment is
published; the arrival rosters and the placement notices state the published plan; every
step is in the audit trail. Runs on SQLite and, in CI's PostgreSQL pass, on PostgreSQL.

Organizations O1 (Hokkaido), O2 (Tokyo), O3 (Osaka). Openings before the demand: V1 (O1,
3 slots), V2 (O2, 2 slots, Japanese N3 or better), X (O2, 1 slot), W (O3, 3 slots). The
ledger for 2026 leaves V1 one new place (after O1's host decides), V2 one, W two and X
none (cancelled). Shortlisted: S1 (US, Hokkaido), S2 (GB, N2, Tokyo), S3 (US, Osaka), S4
(IE, Osaka). Alternates in rank order: A1 (no Japanese: never eligible for V2), A2 (N3),
A3 (AU, N2), A4 (N1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.statuses import Role
from round_support import work
from service_support import MakeKey, auth

ROUND = "R-WHOLE"
R = f"/api/v1/rounds/{ROUND}"
YEAR = 2026
GROUPS = [
    {"name": "A", "date": "2026-07-28", "countries": ["US"]},
    {"name": "B", "date": "2026-08-04"},
]


def _organization(external_id: str, prefecture: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": f"{external_id} town",
        "name_ja": f"{external_id}町",
        "kind": "municipality",
        "prefecture": prefecture,
        "area_type": "urban",
    }


def _opening(external_id: str, organization: str, slots: int, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "organization": organization,
        "position": "ALT",
        "slots": slots,
        "school_level": "junior_high",
        **fields,
    }


def _person(
    external_id: str, prefectures: list[int], country: str, **fields: Any
) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "family_name": f"Family-{external_id}",
        "given_name": "Given",
        "email": f"{external_id.lower()}@example.org",
        "citizenship": country,
        "position": "ALT",
        "preferred_prefectures": prefectures,
        **fields,
    }


def _alternate(external_id: str, rank: int, country: str, **fields: Any) -> dict[str, Any]:
    return _person(external_id, [], country, status="alternate", alternate_rank=rank, **fields)


RECORDS = {
    "format": "jet-match/dataset@1",
    "organizations": [_organization("O1", 1), _organization("O2", 13), _organization("O3", 27)],
    "openings": [
        _opening("V1", "O1", 3),
        _opening("V2", "O2", 2, min_japanese_level="N3"),
        _opening("X", "O2", 1),
        _opening("W", "O3", 3),
    ],
    "participants": [
        _person("S1", [1], "US"),
        _person("S2", [13], "GB", japanese_level="N2"),
        _person("S3", [27], "US"),
        _person("S4", [27], "IE"),
        _alternate("A1", 1, "US"),
        _alternate("A2", 2, "CA", japanese_level="N3"),
        _alternate("A3", 3, "AU", japanese_level="N2"),
        _alternate("A4", 4, "NZ", japanese_level="N1"),
    ],
}

#: The JETs in post, all ending in July 2026; C1-02 and C1-03 are O1's host's to decide.
LEDGER = """\
external_id,family_name,given_name,citizenship,position,organization,opening,started_on,ends_on,year_in_programme,japanese_level,intention
C1-01,Smith,Alex,US,ALT,O1,V1,2024-08-01,2026-07-31,2,N4,reappointing
C1-02,Nguyễn,Linh,AU,ALT,O1,V1,2025-08-01,2026-07-31,1,N3,undecided
C1-03,O'Connor,Siobhán,IE,ALT,O1,V1,2025-08-01,2026-07-31,1,,undecided
C2-01,Brown,Sam,NZ,ALT,O2,V2,2025-08-01,2026-07-31,1,none,reappointing
C2-02,Taylor,Jo,GB,ALT,O2,V2,2025-08-01,2026-07-31,3,N5,leaving
C2-03,Dlamini,Thandi,ZA,ALT,O2,X,2025-08-01,2026-07-31,1,N5,reappointing
C3-01,Kowalski,Ola,PL,ALT,O3,W,2025-08-01,2026-07-31,1,,reappointing
C3-02,Rossi,Luca,IT,ALT,O3,W,2023-08-01,2026-07-31,3,N2,leaving
C3-03,Silva,Ana,BR,ALT,O3,W,2025-08-01,2026-07-31,1,,leaving
"""


def _items(
    client: TestClient, url: str, headers: dict[str, str], **query: str
) -> Iterator[dict[str, Any]]:
    """Every item of a paged list (`query`: its filters)."""
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 500, **query}
        if cursor:
            params["cursor"] = cursor
        answer = client.get(url, headers=headers, params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        yield from body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _publish(client: TestClient, coordinator: dict[str, str]) -> int:
    etag = client.get(R, headers=coordinator).headers["ETag"]
    published = _ok(client.post(f"{R}/publish", headers={**coordinator, "If-Match": etag}))
    version: int = published["version"]
    return version


def _lines(notice: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    """What a notice states is placed (a re-issue also shows the lines removed: not those)."""
    return {
        (line["participant"], line["opening"], line["group"])
        for line in notice["lines"]
        if line["change"] != "removed"
    }


def test_a_whole_season_over_http(
    client: TestClient, engine: Engine, settings: Settings, make_key: MakeKey
) -> None:
    coordinator = auth(make_key(Role.COORDINATOR, name="season"))
    _ok(client.post("/api/v1/imports", headers=coordinator, json=RECORDS))
    o1_key = make_key(Role.HOST_ORG, organization="O1", name="O1 host")
    host_o1 = auth(o1_key)
    host_o2 = auth(make_key(Role.HOST_ORG, organization="O2", name="O2 host"))
    host_o3 = auth(make_key(Role.HOST_ORG, organization="O3", name="O3 host"))

    # 1. The ledger from a CSV sheet, all or nothing.
    imported = client.post(
        "/api/v1/imports/contracts",
        headers={**coordinator, "Content-Type": "text/csv"},
        content=LEDGER.encode(),
    )
    _ok(imported)
    ledger = {c["external_id"]: c for c in _items(client, "/api/v1/contracts", coordinator)}
    assert len(ledger) == 9
    assert ledger["C1-02"]["family_name"] == "Nguyễn"
    assert ledger["C1-03"]["intention"] == "undecided"

    # 2. O1's host reads its own contracts and decides: one stays, one goes home.
    own = {c["external_id"] for c in _items(client, "/api/v1/contracts", host_o1)}
    assert own == {"C1-01", "C1-02", "C1-03"}
    for contract, intention in (("C1-02", "reappointing"), ("C1-03", "leaving")):
        url = f"/api/v1/contracts/{contract}"
        etag = client.get(url, headers=host_o1).headers["ETag"]
        assert client.patch(url, headers=host_o1, json={"intention": intention}).status_code == 428
        changed = _ok(
            client.patch(url, headers={**host_o1, "If-Match": etag}, json={"intention": intention})
        )
        assert changed["intention"] == intention
        assert changed["intention_set_on"] is not None
    # ... and O3's host sees none of O1's contracts: 404 to a read and to a write.
    assert {c["external_id"] for c in _items(client, "/api/v1/contracts", host_o3)} == {
        "C3-01",
        "C3-02",
        "C3-03",
    }
    assert client.get("/api/v1/contracts/C1-03", headers=host_o3).status_code == 404
    stolen = client.patch(
        "/api/v1/contracts/C1-03",
        headers={**host_o3, "If-Match": "*"},
        json={"intention": "reappointing"},
    )
    assert stolen.status_code == 404
    assert _ok(client.get("/api/v1/contracts/C1-03", headers=coordinator))["intention"] == "leaving"

    # 3. The demand of 2026, applied to the openings' slots with the ETag read.
    demand = client.get("/api/v1/demand", headers=coordinator, params={"programme_year": YEAR})
    by_opening = {o["opening"]: o for o in _ok(demand)["openings"]}
    assert {
        o: (d["posts"], d["reappointing"], d["leaving"], d["undecided"], d["new_places"])
        for o, d in by_opening.items()
    } == {
        "V1": (3, 2, 1, 0, 1),
        "V2": (2, 1, 1, 0, 1),
        "X": (1, 1, 0, 0, 0),
        "W": (3, 1, 2, 0, 2),
    }
    assert _ok(demand)["total"]["new_places"] == 4
    apply_url = f"/api/v1/demand/apply?programme_year={YEAR}"
    assert client.post(apply_url, headers=coordinator).status_code == 428
    applied = _ok(
        client.post(apply_url, headers={**coordinator, "If-Match": demand.headers["ETag"]})
    )
    assert applied["dry_run"] is False
    assert {c["opening"]: (c["slots_after"], c["status_after"]) for c in applied["changes"]} == {
        "V1": (1, "open"),
        "V2": (1, "open"),
        "X": (1, "cancelled"),
        "W": (2, "open"),
    }
    openings = {o["external_id"]: o for o in _items(client, "/api/v1/openings", coordinator)}
    assert {o: (row["slots"], row["status"]) for o, row in openings.items()} == {
        "V1": (1, "open"),
        "V2": (1, "open"),
        "X": (1, "cancelled"),
        "W": (2, "open"),
    }

    # 4. A round solved by a worker (in-process) and published as version 1.
    created = client.post(
        "/api/v1/rounds",
        headers=coordinator,
        json={
            "external_id": ROUND,
            "name": "The whole season",
            "programme_year": YEAR,
            "positions": ["ALT"],
            "policy": {"time_limit_s": 5, "arrival_groups": GROUPS},
        },
    )
    _ok(created, 201)
    started = client.post(f"{R}/runs", headers=coordinator)
    assert started.status_code == 202, started.text
    assert work(engine, settings)
    run = _ok(client.get(started.headers["Location"], headers=coordinator))
    assert run["status"] == "succeeded", run
    plan = {p["participant"]: p["opening"] for p in _items(client, f"{R}/plan", coordinator)}
    assert plan == {"S1": "V1", "S2": "V2", "S3": "W", "S4": "W"}
    assert _publish(client, coordinator) == 1
    # O2's host reads its first notice (issued for version 1).
    first_o2 = _ok(client.get(f"{R}/notices/organizations/O2", headers=host_o2))
    assert (first_o2["version"], first_o2["reissue"]) == (1, False)
    assert _lines(first_o2) == {("S2", "V2", "B")}

    # 5. S2 withdraws (visa refused): V2 is vacant, the round amended.
    withdrawn = client.post(
        "/api/v1/participants/S2/withdraw",
        headers=coordinator,
        json={"reason": "visa", "note": "Visa refused"},
    )
    assert _ok(withdrawn)["reason"] == "visa"
    assert _ok(client.get(R, headers=coordinator))["status"] == "amended"

    # 6. V2 is offered to the best eligible alternate (A2: A1 has no Japanese), who
    #    declines; it passes to A3, who accepts.
    offer = _ok(
        client.post(
            f"{R}/offers",
            headers={**coordinator, "Idempotency-Key": "whole-season-v2"},
            json={"opening": "V2"},
        ),
        201,
    )
    assert (offer["participant"], offer["opening"], offer["status"]) == ("A2", "V2", "open")
    offer_url = f"/api/v1/offers/{offer['id']}"
    etag = client.get(offer_url, headers=coordinator).headers["ETag"]
    declined = _ok(client.post(f"{offer_url}/decline", headers={**coordinator, "If-Match": etag}))
    assert declined["offer"]["status"] == "declined"
    passed_on = declined["next_offer"]
    assert passed_on is not None
    assert (passed_on["participant"], passed_on["opening"]) == ("A3", "V2")
    assert passed_on["follows"] == offer["id"]
    next_url = f"/api/v1/offers/{passed_on['id']}"
    etag = client.get(next_url, headers=coordinator).headers["ETag"]
    accepted = _ok(client.post(f"{next_url}/accept", headers={**coordinator, "If-Match": etag}))
    assert accepted["offer"]["status"] == "accepted"
    assert accepted["round_status"] == "amended"
    statuses = {o["participant"]: o["status"] for o in _items(client, f"{R}/offers", coordinator)}
    assert statuses == {"A2": "declined", "A3": "accepted"}

    # 7. The amendment published as version 2.
    assert _publish(client, coordinator) == 2
    published = {
        r["participant"]: (r["opening"], r["organization"], r["version"])
        for r in _items(client, "/api/v1/results", coordinator, round=ROUND)
    }
    assert published == {
        "S1": ("V1", "O1", 2),
        "A3": ("V2", "O2", 2),
        "S3": ("W", "O3", 2),
        "S4": ("W", "O3", 2),
    }
    group_of = {"S1": "A", "S3": "A", "A3": "B", "S4": "B"}  # US first, everyone else later

    # 8. The arrival rosters state the published plan, group by group.
    roster = list(_items(client, f"{R}/arrivals", coordinator))
    assert {r["participant"]: (r["opening"], r["organization"], r["version"]) for r in roster} == (
        published
    )
    assert {r["participant"]: r["group"] for r in roster} == group_of
    for group, date in (("A", "2026-07-28"), ("B", "2026-08-04")):
        members = list(_items(client, f"{R}/arrivals", coordinator, group=group))
        assert {m["participant"] for m in members} == {p for p, g in group_of.items() if g == group}
        assert {m["arrives_on"] for m in members} == {date}

    # 9. The notices: O2's host gets a re-issue (S2 out, A3 in) that, in full, states
    #    exactly what is published to O2; O3's own is a first issue; a country's too.
    placed_o2 = {
        (p["participant"], p["opening"])
        for p in _items(client, "/api/v1/organizations/O2/placements", host_o2)
        if p["round"] == ROUND
    }
    assert placed_o2 == {("A3", "V2")}
    reissue = _ok(client.get(f"{R}/notices/organizations/O2", headers=host_o2))
    assert (reissue["version"], reissue["reissue"], reissue["since_version"]) == (2, True, 1)
    assert {(line["participant"], line["change"]) for line in reissue["lines"]} == {
        ("S2", "removed"),
        ("A3", "added"),
    }
    full_o2 = _ok(client.get(f"{R}/notices/organizations/O2?full=true", headers=host_o2))
    assert full_o2["full"] is True
    assert {(p, o) for p, o, _ in _lines(full_o2)} == placed_o2
    assert [i["version"] for i in full_o2["issues"]] == [1, 2]
    assert client.get(f"{R}/notices/organizations/O2", headers=host_o3).status_code == 404
    notice_o3 = _ok(client.get(f"{R}/notices/organizations/O3", headers=host_o3))
    assert _lines(notice_o3) == {("S3", "W", "A"), ("S4", "W", "B")}
    placed_o3 = {
        (p["participant"], p["opening"])
        for p in _items(client, "/api/v1/organizations/O3/placements", host_o3)
        if p["round"] == ROUND
    }
    assert {(p, o) for p, o, _ in _lines(notice_o3)} == placed_o3
    us = _ok(client.get(f"{R}/notices/countries/US", headers=coordinator))
    assert _lines(us) == {(p, published[p][0], group_of[p]) for p in published if p in ("S1", "S3")}
    au = _ok(client.get(f"{R}/notices/countries/AU", headers=coordinator))
    assert _lines(au) == {("A3", "V2", "B")}
    assert client.get(f"{R}/notices/countries/US", headers=host_o1).status_code == 403

    # 10. Every step left its audit events.
    events = list(_items(client, "/api/v1/audit", coordinator))
    actions = {e["action"] for e in events}
    assert {
        "import.apply",
        "contract.intention",
        "demand.apply",
        "opening.update",
        "round.create",
        "run.queue",
        "run.succeed",
        "round.publish",
        "participant.withdraw",
        "offer.make",
        "offer.decline",
        "offer.accept",
        "plan.change",
        "arrivals.read",
        "notice.issue",
        "notice.read",
    } <= actions, sorted(actions)
    intentions = [e for e in events if e["action"] == "contract.intention"]
    assert sorted(e["resource_id"] for e in intentions) == ["C1-02", "C1-03"]
    assert {e["actor"] for e in intentions} == {f"key:{o1_key.split('_')[1]}"}
    publishes = [e for e in events if e["action"] == "round.publish"]
    assert len(publishes) == 2
    offers_made = [
        e for e in events if e["action"] in ("offer.make", "offer.decline", "offer.accept")
    ]
    assert len(offers_made) >= 3
    updated = {e["resource_id"] for e in events if e["action"] == "opening.update"}
    assert {"V1", "V2", "X", "W"} <= updated
