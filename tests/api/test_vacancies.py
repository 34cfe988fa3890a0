"""Vacancies (places the latest publication filled and the plan no longer does) and how
fill-vacancies offers them to alternates: rank order, best score, couples, over HTTP.

The records: one ALT opening per prefecture but two in Okinawa (47) and one of two slots
in Osaka (27). Every run places each shortlisted person in their only preferred
prefecture: S1 at V1 (Hokkaido), S2 at V2 (Tokyo, a driver needed), S3 and S6 at X and
Y (Okinawa, in some order), S4 and S5 at W (Osaka). Each test brings its own alternates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jet_match.config import Settings
from jet_match.statuses import Role
from round_support import work
from service_support import MakeKey, auth

R = "/api/v1/rounds/R-VAC"


def _organization(external_id: str, prefecture: int) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": external_id,
        "kind": "municipality",
        "prefecture": prefecture,
        "area_type": "urban",
    }


def _opening(external_id: str, organization: str, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "organization": organization,
        "position": "ALT",
        "slots": 1,
        "school_level": "junior_high",
        **fields,
    }


def person(external_id: str, prefectures: list[int], **fields: Any) -> dict[str, Any]:
    """An ALT who can drive and prefers `prefectures`."""
    return {
        "external_id": external_id,
        "family_name": external_id,
        "given_name": "Given",
        "email": f"{external_id.lower()}@example.org",
        "citizenship": "US",
        "position": "ALT",
        "can_drive": True,
        "preferred_prefectures": prefectures,
        **fields,
    }


def alternate(external_id: str, rank: int, prefectures: list[int], **fields: Any) -> dict[str, Any]:
    """An alternate of that rank."""
    return person(external_id, prefectures, status="alternate", alternate_rank=rank, **fields)


class Season:
    """The round R-VAC over the records above, run and published as version 1."""

    def __init__(
        self,
        client: TestClient,
        engine: Engine,
        settings: Settings,
        key: str,
        alternates: list[dict[str, Any]],
        s3: dict[str, Any] | None = None,
    ) -> None:
        self.client, self.engine, self.settings = client, engine, settings
        self.headers = auth(key)
        dataset = {
            "format": "jet-match/dataset@1",
            "organizations": [
                _organization("O1", 1),
                _organization("O2", 13),
                _organization("O3", 47),
                _organization("O4", 27),
            ],
            "openings": [
                _opening("V1", "O1"),
                _opening("V2", "O2", driving_required=True),
                _opening("X", "O3"),
                _opening("Y", "O3"),
                _opening("W", "O4", slots=2),
            ],
            "participants": [
                person("S1", [1]),
                person("S2", [13]),
                person("S3", [47], **(s3 or {})),
                person("S4", [27]),
                person("S5", [27]),
                person("S6", [47]),
                *alternates,
            ],
        }
        imported = client.post("/api/v1/imports", headers=self.headers, json=dataset)
        assert imported.status_code == 200, imported.text
        created = client.post(
            "/api/v1/rounds",
            headers=self.headers,
            json={
                "external_id": "R-VAC",
                "name": "R",
                "programme_year": 2026,
                "positions": ["ALT"],
            },
        )
        assert created.status_code == 201
        assert client.post(f"{R}/runs", headers=self.headers).status_code == 202
        work(engine, settings)
        self.published = self.plan()
        assert self.published["S1"] == "V1"
        assert self.published["S2"] == "V2"
        assert {self.published["S3"], self.published["S6"]} == {"X", "Y"}
        assert self.published["S4"] == self.published["S5"] == "W"
        assert self.post(f"{R}/publish").status_code == 200

    def etag(self) -> str:
        return str(self.client.get(R, headers=self.headers).headers["ETag"])

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.headers | {"If-Match": self.etag()}, **kwargs)

    def plan(self) -> dict[str, str]:
        items = self.client.get(f"{R}/plan", headers=self.headers).json()["items"]
        return {i["participant"]: i["opening"] for i in items}

    def withdraw(self, *people: str) -> None:
        for who in people:
            answer = self.client.post(f"/api/v1/participants/{who}/withdraw", headers=self.headers)
            assert answer.status_code == 200

    def open_vacancies(self) -> int:
        return int(self.client.get(R, headers=self.headers).json()["open_vacancies"])

    def fill(self) -> dict[str, Any]:
        answer = self.post(f"{R}/fill-vacancies")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def status(self, who: str) -> str:
        found = self.client.get(f"/api/v1/participants/{who}", headers=self.headers).json()
        return str(found["status"])


NewSeason = Callable[..., Season]


@pytest.fixture
def new_season(
    client: TestClient, engine: Engine, settings: Settings, make_key: MakeKey
) -> NewSeason:
    """`new_season(alternates, s3=None)`: the round R-VAC published with these alternates."""

    def make(alternates: Sequence[dict[str, Any]], s3: dict[str, Any] | None = None) -> Season:
        return Season(client, engine, settings, make_key(Role.COORDINATOR), list(alternates), s3)

    return make


def _changes(amendment: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["participant"], c["opening"], c["replaces"]) for c in amendment["changes"]]


class TestRankAndScore:
    def test_the_best_ranked_eligible_alternate_takes_its_best_scoring_vacancy(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season(
            [
                # B1 needs specialist care that no organization offers: never eligible.
                alternate("B1", 1, [13, 1], needs_medical_access=True),
                # A1 scores V2 (1st choice) above V1 (2nd): takes V2, though listed last.
                alternate("A1", 2, [13, 1]),
                # A2 would score V2 best too, but A1 ranks before: A2 takes V1.
                alternate("A2", 3, [13, 1]),
                alternate("A3", 4, [1]),
            ],
        )
        season.withdraw("S1", "S2")
        assert season.open_vacancies() == 2
        amendment = season.fill()
        assert _changes(amendment) == [("A1", "V2", "S2"), ("A2", "V1", "S1")]
        assert amendment["unfilled"] == []
        assert amendment["status"] == "amended"
        assert [season.status(who) for who in ("B1", "A1", "A2", "A3")] == [
            "alternate",
            "shortlisted",
            "shortlisted",
            "alternate",
        ]
        assert season.open_vacancies() == 0

    def test_a_vacancy_is_where_the_plan_lost_a_published_place(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season([alternate("A1", 1, [47])])
        okinawa = season.published["S3"]
        season.withdraw("S1")
        moved = season.client.put(
            f"{R}/plan/S3",
            headers=season.headers | {"If-Match": season.etag()},
            json={"opening": "V1"},
        )
        assert moved.status_code == 200, moved.text
        # V1 is full again (S3); S3's published place in Okinawa is the vacancy now.
        assert season.open_vacancies() == 1
        amendment = season.fill()
        assert _changes(amendment) == [("A1", okinawa, "S3")]
        assert amendment["unfilled"] == []

    def test_a_vacancy_nobody_takes_stays_open_and_a_re_solve_cannot_fill_it(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season([alternate("A1", 1, [1], can_drive=False)])
        season.withdraw("S2")
        amendment = season.fill()  # V2 needs a driver
        assert amendment["changes"] == []
        assert amendment["unfilled"] == [{"opening": "V2", "places": 1, "vacated_by": ["S2"]}]
        assert season.client.post(f"{R}/runs", headers=season.headers).status_code == 202
        work(engine, settings)
        assert season.open_vacancies() == 1


class TestCouples:
    #: C1 and C2, alternates and partners (same prefecture), ranked before A3.
    ALTERNATES = (
        alternate("C1", 1, [1], partner={"external_id": "C2", "constraint": "same_prefecture"}),
        alternate("C2", 2, [47], partner={"external_id": "C1", "constraint": "same_prefecture"}),
        alternate("A3", 3, [1]),
    )

    def test_two_alternates_of_a_couple_are_placed_together_or_not_at_all(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season(self.ALTERNATES)
        okinawa = season.published["S6"]
        season.withdraw("S1", "S6")  # V1 in Hokkaido, one place in Okinawa: never together
        amendment = season.fill()
        assert _changes(amendment) == [("A3", "V1", "S1")]
        assert amendment["unfilled"] == [{"opening": okinawa, "places": 1, "vacated_by": ["S6"]}]
        assert (season.status("C1"), season.status("C2")) == ("alternate", "alternate")
        report = season.client.get(f"{R}/report", headers=season.headers).json()
        assert report["violations"] == []

    def test_a_couple_of_alternates_takes_two_places_that_keep_their_constraint(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season(self.ALTERNATES)
        season.withdraw("S1", "S4", "S5")  # V1 (Hokkaido) and both places of W (Osaka)
        amendment = season.fill()
        assert _changes(amendment) == [("C1", "W", "S4"), ("C2", "W", "S5"), ("A3", "V1", "S1")]
        assert season.client.get(f"{R}/report", headers=season.headers).json()["violations"] == []
        # The next re-solve keeps them all: the plan breaks no couple rule.
        assert season.client.post(f"{R}/runs", headers=season.headers).status_code == 202
        work(engine, settings)
        assert {p: season.plan()[p] for p in ("C1", "C2", "A3")} == {
            "C1": "W",
            "C2": "W",
            "A3": "V1",
        }

    def test_an_alternate_whose_partner_is_placed_goes_where_the_couple_holds(
        self, new_season: NewSeason, engine: Engine, settings: Settings
    ) -> None:
        season = new_season(
            [
                alternate(
                    "A4", 1, [1], partner={"external_id": "S3", "constraint": "same_prefecture"}
                )
            ],
            s3={"partner": {"external_id": "A4", "constraint": "same_prefecture"}},
        )
        okinawa = season.published["S6"]
        season.withdraw("S1", "S6")
        amendment = season.fill()  # A4 scores V1 best, but S3 is in Okinawa
        assert _changes(amendment) == [("A4", okinawa, "S6")]
        assert amendment["unfilled"] == [{"opening": "V1", "places": 1, "vacated_by": ["S1"]}]
