"""The season over HTTP: offers (Idempotency-Key, If-Match, refusals naming the field),
withdrawals with reasons, arrival rosters (paged, CSV, XLSX) and notices (a host's own,
HTML, XLSX)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.statuses import Role
from offers_support import ROUND, published, withdraw
from service_support import MakeKey, auth

R = f"/api/v1/rounds/{ROUND}"
GROUPS = [
    {"name": "A", "date": "2027-07-28", "countries": ["US"]},
    {"name": "B", "date": "2027-08-04"},
]


@pytest.fixture
def coordinator(make_key: MakeKey) -> dict[str, str]:
    return auth(make_key(Role.COORDINATOR, name="season"))


@pytest.fixture
def season(engine: Engine, settings: Settings) -> str:
    published(engine, settings, arrival_groups=GROUPS)
    withdraw(engine, "S2")
    return ROUND


def _errors(answer: Any) -> list[tuple[str, str | None]]:
    assert answer.headers["content-type"] == "application/problem+json"
    return [(e["record"], e["field"]) for e in answer.json()["errors"]]


def test_an_offer_is_made_once_per_idempotency_key(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    headers = {**coordinator, "Idempotency-Key": "offer-v2"}
    first = client.post(f"{R}/offers", headers=headers, json={"opening": "V2"})
    again = client.post(f"{R}/offers", headers=headers, json={"opening": "V2"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Location"] == f"/api/v1/offers/{first.json()['id']}"
    listed = client.get(f"{R}/offers", headers=coordinator).json()["items"]
    assert [o["participant"] for o in listed] == ["A2"]
    read = client.get(first.headers["Location"], headers=coordinator)
    assert read.headers["ETag"] == first.headers["ETag"] == '"1"'


def test_answers_need_the_offers_etag(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    offer = client.post(f"{R}/offers", headers=coordinator, json={"opening": "V2"}).json()
    url = f"/api/v1/offers/{offer['id']}"
    assert client.post(f"{url}/accept", headers=coordinator).status_code == 428
    stale = {**coordinator, "If-Match": '"7"'}
    assert client.post(f"{url}/accept", headers=stale).status_code == 412
    current = {**coordinator, "If-Match": '"1"'}
    accepted = client.post(f"{url}/accept", headers=current)
    assert accepted.status_code == 200
    assert accepted.headers["ETag"] == '"2"'
    assert accepted.json()["round_status"] == "amended"
    # The second of two answers made on the same version loses.
    assert client.post(f"{url}/decline", headers=current).status_code == 412
    latest = {**coordinator, "If-Match": '"2"'}
    refused = client.post(f"{url}/decline", headers=latest)
    assert refused.status_code == 409
    assert (
        client.get(f"{R}/plan?opening=V2", headers=coordinator).json()["items"][0]["participant"]
        == "A2"
    )


def test_bad_offers_are_refused_naming_the_field(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    unknown = client.post(f"{R}/offers", headers=coordinator, json={"opening": "NOPE"})
    assert unknown.status_code == 422
    assert _errors(unknown) == [("offer", "opening")]
    loose = client.post(
        f"{R}/offers", headers=coordinator, json={"opening": "V2", "expires_in_days": "7"}
    )
    assert loose.status_code == 422
    assert [field for _, field in _errors(loose)] == ["expires_in_days"]
    extra = client.post(
        f"{R}/offers", headers=coordinator, json={"opening": "V2", "participant": "A4"}
    )
    assert extra.status_code == 422
    full = client.post(f"{R}/offers", headers=coordinator, json={"opening": "V1"})
    assert full.status_code == 409  # V1 has no vacancy
    assert client.get("/api/v1/offers/999", headers=coordinator).status_code == 404


def test_a_withdrawal_takes_a_reason_from_the_list(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    bad = client.post(
        "/api/v1/participants/S1/withdraw", headers=coordinator, json={"reason": "bored"}
    )
    assert bad.status_code == 422
    assert _errors(bad) == [("participant", "reason")]
    good = client.post(
        "/api/v1/participants/S1/withdraw",
        headers=coordinator,
        json={"reason": "other_offer", "note": "took a job"},
    )
    assert good.status_code == 200
    assert good.json()["reason"] == "other_offer"
    bare = client.post("/api/v1/participants/S3/withdraw", headers=coordinator)
    assert bare.status_code == 200
    assert bare.json()["reason"] is None
    report = client.get(f"{R}/report", headers=coordinator).json()
    assert report["withdrawals"]["by_reason"] == {"other_offer": 1, "unknown": 1, "visa": 1}
    assert report["withdrawals"]["after_publication"] == 3
    assert [(g["name"], g["placed"]) for g in report["arrival_groups"]] == [("A", 2), ("B", 2)]
    workbook = client.get(f"{R}/report?format=xlsx", headers=coordinator)
    book = load_workbook(io.BytesIO(workbook.content))
    by_reason = [row for row in book["withdrawals"].values if row[0] == "reason"]
    assert by_reason == [
        ("reason", "other_offer", 1),
        ("reason", "unknown", 1),
        ("reason", "visa", 1),
    ]
    assert list(book["arrival_groups"].values)[1:] == [
        ("A", "2027-07-28", 2),
        ("B", "2027-08-04", 2),
    ]


def test_arrival_rosters_are_paged_and_come_as_sheets(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    first = client.get(f"{R}/arrivals?limit=1", headers=coordinator).json()
    second = client.get(
        f"{R}/arrivals?limit=1&cursor={first['next_cursor']}", headers=coordinator
    ).json()
    assert [i["participant"] for i in first["items"] + second["items"]] == ["S1", "S2"]
    group_b = client.get(f"{R}/arrivals?group=B", headers=coordinator).json()["items"]
    assert [(i["participant"], i["arrives_on"]) for i in group_b] == [
        ("S2", "2027-08-04"),
        ("S4", "2027-08-04"),
    ]
    sheet = client.get(f"{R}/arrivals?group=A&format=csv", headers=coordinator)
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.text.splitlines()[1].startswith("A,2027-07-28,S1,")
    workbook = client.get(f"{R}/arrivals?format=xlsx", headers=coordinator)
    rows = list(load_workbook(io.BytesIO(workbook.content)).worksheets[0].values)
    assert len(rows) == 5
    unknown = client.get(f"{R}/arrivals?group=Z", headers=coordinator)
    assert unknown.status_code == 422
    assert _errors(unknown) == [("query", "group")]


def test_a_host_reads_its_own_notice_as_a_page_and_a_sheet(
    client: TestClient, season: str, make_key: MakeKey
) -> None:
    own = auth(make_key(Role.HOST_ORG, organization="O3"))
    other = auth(make_key(Role.HOST_ORG, organization="O1"))
    url = f"{R}/notices/organizations/O3"
    assert client.get(url, headers=other).status_code == 404
    notice = client.get(url, headers=own).json()
    assert [line["participant"] for line in notice["lines"]] == ["S3", "S4"]
    page = client.get(f"{url}?format=html", headers=own)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "配置通知" in page.text
    assert "Placement notice" in page.text
    sheet = client.get(f"{url}?format=xlsx", headers=own)
    assert sheet.headers["content-disposition"] == f'attachment; filename="{ROUND}-notice-O3.xlsx"'
    assert client.get(f"{R}/notices/countries/US", headers=own).status_code == 403


def test_a_country_is_two_capital_letters(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    assert client.get(f"{R}/notices/countries/usa", headers=coordinator).status_code == 422
    notice = client.get(f"{R}/notices/countries/US", headers=coordinator).json()
    assert [line["participant"] for line in notice["lines"]] == ["S1", "S3"]


def test_the_policy_holds_the_arrival_groups_and_the_offers(
    client: TestClient, loaded: Any, coordinator: dict[str, str]
) -> None:
    body = {"external_id": "R-P", "name": "P", "programme_year": 2027}
    twice = [{"name": "A", "date": "2027-07-28"}, {"name": "A", "date": "2027-08-04"}]
    refused = client.post(
        "/api/v1/rounds", headers=coordinator, json={**body, "policy": {"arrival_groups": twice}}
    )
    assert refused.status_code == 422
    assert "repeat" in refused.text
    numeric = client.post(
        "/api/v1/rounds",
        headers=coordinator,
        json={**body, "policy": {"arrival_groups": [{"name": "A", "date": 20270728}]}},
    )
    assert numeric.status_code == 422
    created = client.post(
        "/api/v1/rounds",
        headers=coordinator,
        json={**body, "policy": {"arrival_groups": GROUPS, "offers": {"expiry_days": 3}}},
    )
    assert created.status_code == 201
    policy = created.json()["policy"]
    assert [g["name"] for g in policy["arrival_groups"]] == ["A", "B"]
    assert policy["offers"] == {"automatic": False, "expiry_days": 3}
    changed = client.patch(
        "/api/v1/rounds/R-P",
        headers={**coordinator, "If-Match": created.headers["ETag"]},
        json={"policy": {"arrival_cutoff": "2027-06-30", "offers": {"automatic": True}}},
    )
    assert changed.status_code == 200
    policy = changed.json()["policy"]
    assert policy["arrival_cutoff"] == "2027-06-30"
    assert policy["offers"] == {"automatic": True, "expiry_days": 7}
    assert [g["name"] for g in policy["arrival_groups"]] == ["A", "B"]  # kept
    cleared = client.patch(
        "/api/v1/rounds/R-P",
        headers={**coordinator, "If-Match": changed.headers["ETag"]},
        json={"policy": {"arrival_cutoff": None, "arrival_groups": []}},
    )
    assert cleared.json()["policy"]["arrival_cutoff"] is None
    assert cleared.json()["policy"]["arrival_groups"] == []


def test_of_two_accepts_at_once_one_wins(
    client: TestClient, season: str, coordinator: dict[str, str]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    offer = client.post(f"{R}/offers", headers=coordinator, json={"opening": "V2"}).json()
    url = f"/api/v1/offers/{offer['id']}/accept"
    headers = {**coordinator, "If-Match": '"1"'}
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: client.post(url, headers=headers), range(2)))
    assert sorted(a.status_code for a in answers)[0] == 200
    assert sorted(a.status_code for a in answers)[1] in (409, 412)
    plan = client.get(f"{R}/plan?opening=V2", headers=coordinator).json()["items"]
    assert [p["participant"] for p in plan] == ["A2"]
