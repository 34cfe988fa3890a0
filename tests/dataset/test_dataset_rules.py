"""Each cross-record rule, broken alone on an otherwise valid dataset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from dataset_builders import (
    contract,
    issues_of,
    opening,
    organization,
    participant,
    record,
    valid_dataset,
)

from jet_match.dataset.format import Dataset
from jet_match.dataset.record_index import Records
from jet_match.dataset.rules import RULES, check_dataset

Data = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """A way to break one rule and what the coordinator must then be told."""

    mutate: Callable[[Data], None]
    code: str
    record: str
    external_id: str | None
    field: str
    says: str
    count: int = 1


def _set(list_name: str, external_id: str, **fields: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        record(data, list_name, external_id).update(fields)

    return mutate


def _append(list_name: str, item: dict[str, Any]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data[list_name].append(item)

    return mutate


def _couple(
    first: str, second: str, constraint_1: str, constraint_2: str
) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        record(data, "participants", first)["partner"] = {
            "external_id": second,
            "constraint": constraint_1,
        }
        record(data, "participants", second)["partner"] = {
            "external_id": first,
            "constraint": constraint_2,
        }

    return mutate


def _partner(participant_id: str, partner_id: str) -> Callable[[Data], None]:
    partner = {"external_id": partner_id, "constraint": "same_prefecture"}
    return _set("participants", participant_id, partner=partner)


def _both(*mutations: Callable[[Data], None]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


def _pair(participant_id: str, opening_id: str) -> dict[str, str]:
    return {"participant": participant_id, "opening": opening_id}


CASES: dict[str, Case] = {
    "duplicate participant id": Case(
        _append("participants", participant("P-1", email="other@example.org")),
        "duplicate_external_id", "participant", "P-1", "external_id", "used twice",
    ),
    "duplicate organization id": Case(
        _append("organizations", organization("ORG-2", 28)),
        "duplicate_external_id", "organization", "ORG-2", "external_id", "used twice",
    ),
    "duplicate opening id": Case(
        _append("openings", opening("OP-2", "ORG-1")),
        "duplicate_external_id", "opening", "OP-2", "external_id", "used twice",
    ),
    "pin listed twice": Case(
        _append("pins", _pair("P-1", "OP-1")),
        "duplicate_pair", "pin", "P-1", "opening", "listed twice",
    ),
    "forbidden pair listed twice": Case(
        _append("forbidden", _pair("P-2", "OP-1")),
        "duplicate_pair", "forbidden", "P-2", "opening", "listed twice",
    ),
    "previous placement listed twice": Case(
        _append("previous_plan", _pair("P-2", "OP-2")),
        "duplicate_pair", "previous_plan", "P-2", "opening", "listed twice",
    ),
    "participant pinned to two openings": Case(
        _append("pins", _pair("P-1", "OP-2")),
        "pinned_twice", "pin", "P-1", "participant", "pinned twice",
    ),
    "participant twice in the previous plan": Case(
        _append("previous_plan", _pair("P-2", "OP-1")),
        "planned_twice", "previous_plan", "P-2", "participant", "previous plan twice",
    ),
    "opening of an unknown organization": Case(
        _set("openings", "OP-1", organization="ORG-9"),
        "unknown_organization", "opening", "OP-1", "organization", "'ORG-9'",
    ),
    "unknown partner": Case(
        _partner("P-2", "P-9"),
        "unknown_partner", "participant", "P-2", "partner.external_id", "'P-9'",
    ),
    "pin of an unknown participant": Case(
        _append("pins", _pair("P-9", "OP-2")),
        "unknown_participant", "pin", "P-9", "participant", "'P-9'",
    ),
    "forbidden pair with an unknown opening": Case(
        _append("forbidden", _pair("P-2", "OP-9")),
        "unknown_opening", "forbidden", "P-2", "opening", "'OP-9'",
    ),
    "previous placement of an unknown participant": Case(
        _append("previous_plan", _pair("P-9", "OP-2")),
        "unknown_participant", "previous_plan", "P-9", "participant", "'P-9'",
    ),
    "own partner": Case(
        _partner("P-2", "P-2"),
        "partner_self", "participant", "P-2", "partner.external_id", "themselves",
    ),
    "partner who names nobody": Case(
        _partner("P-2", "P-1"),
        "partner_not_mutual", "participant", "P-2", "partner.external_id", "P-1 names no partner",
    ),
    "partner who names someone else": Case(
        _both(_couple("P-1", "P-CIR", "same_prefecture", "same_prefecture"),
              _partner("P-2", "P-1")),
        "partner_not_mutual", "participant", "P-2", "partner.external_id", "P-1 names P-CIR",
    ),
    "couple asking for different closeness": Case(
        _couple("P-1", "P-2", "same_prefecture", "same_organization"),
        "partner_constraint_mismatch", "participant", "P-1", "partner.constraint",
        "asks for same_prefecture with P-2, who asks for same_organization", count=2,
    ),
    "prefecture chosen twice": Case(
        _set("participants", "P-1", preferred_prefectures=[13, 27, 13]),
        "preferred_prefecture_repeated", "participant", "P-1", "preferred_prefectures[2]",
        "lists prefecture 13 more than once",
    ),
    "country requested twice": Case(
        _set("openings", "OP-2", requested_countries=["US", "GB", "US"]),
        "requested_country_repeated", "opening", "OP-2", "requested_countries[2]",
        "requests country US more than once",
    ),
    "sister region listed twice": Case(
        _set("organizations", "ORG-1", sister_regions=["US-WA", "US-WA"]),
        "sister_region_repeated", "organization", "ORG-1", "sister_regions[1]",
        "US-WA more than once",
    ),
    "required country without countries": Case(
        _set("openings", "OP-CIR", country_required=True),
        "country_required_without_countries", "opening", "OP-CIR", "country_required",
        "nobody could take it",
    ),
    "unassigned citizenship": Case(
        _set("participants", "P-2", citizenship="ZZ"),
        "unknown_country", "participant", "P-2", "citizenship", "'ZZ' is not an ISO 3166-1",
    ),
    "unassigned requested country": Case(
        _set("openings", "OP-2", requested_countries=["US", "ZZ"]),
        "unknown_country", "opening", "OP-2", "requested_countries[1]", "'ZZ'",
    ),
    "unassigned home region": Case(
        _set("participants", "P-1", home_region="US-ZZ"),
        "unknown_region", "participant", "P-1", "home_region", "ISO 3166-2",
    ),
    "unassigned sister region": Case(
        _set("organizations", "ORG-2", sister_regions=["GB-XYZ"]),
        "unknown_region", "organization", "ORG-2", "sister_regions[0]", "'GB-XYZ'",
    ),
    "rank on a shortlisted participant": Case(
        _set("participants", "P-2", alternate_rank=2),
        "alternate_rank_not_alternate", "participant", "P-2", "alternate_rank",
        "is shortlisted but has alternate_rank 2",
    ),
    "alternate without rank": Case(
        _set("participants", "P-ALT-1", alternate_rank=None),
        "alternate_rank_missing", "participant", "P-ALT-1", "alternate_rank",
        "alternate without alternate_rank",
    ),
    "two ALT alternates with one rank": Case(
        _append("participants", participant("P-ALT-2", status="alternate", alternate_rank=1)),
        "alternate_rank_repeated", "participant", "P-ALT-2", "alternate_rank",
        "ALT alternates P-ALT-1 and P-ALT-2 share alternate_rank 1",
    ),
    "sport on an ALT opening": Case(
        _set("openings", "OP-2", sport="judo"),
        "sport_not_sea", "opening", "OP-2", "sport", "only SEA openings have a sport",
    ),
    "SEA opening without sport": Case(
        _set("openings", "OP-SEA", sport=None),
        "sport_missing", "opening", "OP-SEA", "sport", "does not name its sport",
    ),
    "SEA participant without sport": Case(
        _set("participants", "P-SEA", sport=None),
        "sport_missing", "participant", "P-SEA", "sport", "does not name their sport",
    ),
    "pin on an alternate": Case(
        _append("pins", _pair("P-ALT-1", "OP-2")),
        "pin_participant_not_shortlisted", "pin", "P-ALT-1", "participant", "is alternate",
    ),
    "pin on a withdrawn participant": Case(
        _append("pins", _pair("P-GONE", "OP-2")),
        "pin_participant_not_shortlisted", "pin", "P-GONE", "participant", "is withdrawn",
    ),
    "pin on a cancelled opening": Case(
        _set("openings", "OP-1", status="cancelled"),
        "pin_opening_cancelled", "pin", "P-1", "opening", "which is cancelled",
    ),
    "pinned and forbidden": Case(
        _append("forbidden", _pair("P-1", "OP-1")),
        "pin_forbidden", "pin", "P-1", "opening", "both pinned to and forbidden from",
    ),
    "pin on an ineligible pair": Case(
        _append("pins", _pair("P-2", "OP-CIR")),
        "pin_ineligible", "pin", "P-2", "opening", "another position",
    ),
    "duplicate contract id": Case(
        _append("contracts", contract("C-1", "ORG-1", "OP-1")),
        "duplicate_external_id", "contract", "C-1", "external_id", "used twice",
    ),
    "posts below slots": Case(
        _set("openings", "OP-2", posts=1),
        "posts_below_slots", "opening", "OP-2", "posts", "1 posts but 2 slots",
    ),
    "contract of an unknown organization": Case(
        _append("contracts", contract("C-3", "ORG-9", "OP-1")),
        "unknown_organization", "contract", "C-3", "organization", "not in the dataset",
    ),
    "contract on an unknown opening": Case(
        _append("contracts", contract("C-3", "ORG-1", "OP-9")),
        "unknown_opening", "contract", "C-3", "opening", "not in the dataset",
    ),
    "contract on another organization's opening": Case(
        _set("contracts", "C-1", organization="ORG-1"),
        "opening_of_another_organization", "contract", "C-1", "opening", "not of ORG-1",
    ),
    "contract of another position than its opening": Case(
        _set("contracts", "C-2", position="ALT"),
        "position_differs_from_opening", "contract", "C-2", "position", "CIR opening",
    ),
    "contract ending before it starts": Case(
        _set("contracts", "C-1", ends_on="2025-07-31"),
        "ends_before_start", "contract", "C-1", "ends_on", "before it starts",
    ),
    "contract citizenship unassigned": Case(
        _set("contracts", "C-1", citizenship="XX"),
        "unknown_country", "contract", "C-1", "citizenship", "not an ISO 3166-1",
    ),
}  # fmt: skip


def test_the_base_dataset_is_valid() -> None:
    assert issues_of(valid_dataset()) == []


@pytest.mark.parametrize("name", list(CASES))
def test_a_broken_rule_is_reported_alone_naming_record_and_field(name: str) -> None:
    case = CASES[name]
    data = valid_dataset()
    case.mutate(data)

    issues = issues_of(data)

    assert [issue.code for issue in issues] == [case.code] * case.count, issues
    first = issues[0]
    assert (first.record, first.external_id, first.field) == (
        case.record,
        case.external_id,
        case.field,
    )
    assert case.says in first.message
    assert first.index is not None


def test_every_rule_is_exercised_by_a_case() -> None:
    fired: set[str] = set()
    for case in CASES.values():
        data = valid_dataset()
        case.mutate(data)
        records = Records(Dataset.model_validate(data))
        fired |= {rule.__name__ for rule in RULES if list(rule(records))}
    assert fired == {rule.__name__ for rule in RULES}


def test_every_rule_has_a_one_line_docstring() -> None:
    for rule in RULES:
        assert rule.__doc__ is not None
        assert "\n" not in rule.__doc__.strip(), rule.__name__


def test_all_problems_are_reported_at_once() -> None:
    data = valid_dataset()
    for name in ("unknown partner", "prefecture chosen twice", "pin on a cancelled opening"):
        CASES[name].mutate(data)
    codes = sorted(issue.code for issue in issues_of(data))
    assert codes == ["pin_opening_cancelled", "preferred_prefecture_repeated", "unknown_partner"]


def test_alternates_of_different_positions_may_share_a_rank() -> None:
    data = valid_dataset()
    data["participants"].append(
        participant("P-CIR-ALT", position="CIR", status="alternate", alternate_rank=1)
    )
    assert issues_of(data) == []


def test_a_couple_may_hold_different_positions() -> None:
    data = valid_dataset()
    _couple("P-2", "P-CIR", "same_organization", "same_organization")(data)
    assert issues_of(data) == []


def test_a_non_sea_participant_may_name_a_sport() -> None:
    data = valid_dataset()
    record(data, "participants", "P-2")["sport"] = "tennis"
    assert issues_of(data) == []


def test_more_pins_than_slots_is_valid_and_left_to_the_solver() -> None:
    data = valid_dataset()
    data["participants"].append(participant("P-3"))
    data["pins"].append({"participant": "P-3", "opening": "OP-1"})
    assert issues_of(data) == []


def test_references_to_malformed_records_are_not_dangling() -> None:
    data = valid_dataset()
    record(data, "participants", "P-2")["email"] = "not an address"
    record(data, "participants", "P-1")["partner"] = {
        "external_id": "P-2",
        "constraint": "same_prefecture",
    }
    data["pins"].append({"participant": "P-2", "opening": "OP-2"})

    issues = issues_of(data)

    assert [(i.code, i.external_id, i.field, i.index) for i in issues] == [
        ("string_pattern_mismatch", "P-2", "email", 1)
    ]


def test_issue_indices_point_into_the_file_when_earlier_records_are_malformed() -> None:
    data = valid_dataset()
    record(data, "participants", "P-1")["email"] = "broken"
    record(data, "participants", "P-CIR")["citizenship"] = "ZZ"

    issues = issues_of(data)

    assert [(i.code, i.external_id, i.index) for i in issues] == [
        ("string_pattern_mismatch", "P-1", 0),
        ("unknown_country", "P-CIR", 2),
    ]


def test_check_dataset_runs_on_a_model_and_accepts_known_ids() -> None:
    data = valid_dataset()
    record(data, "openings", "OP-1")["organization"] = "ORG-MALFORMED"
    dataset = Dataset.model_validate(data)

    assert [i.code for i in check_dataset(dataset)] == ["unknown_organization"]
    assert check_dataset(dataset, known_ids={"organizations": {"ORG-MALFORMED"}}) == []
