"""The attribute rules of eligibility, one at a time."""

from __future__ import annotations

from typing import Any

import pytest
from dataset_builders import opening, organization, participant

from jet_match import eligibility
from jet_match.dataset.eligibility import count_eligible_pairs, ineligibility_reasons
from jet_match.dataset.format import Dataset, Opening, Organization, Participant


def _reasons(
    person: dict[str, Any], post: dict[str, Any], org: dict[str, Any] | None = None
) -> list[str]:
    return ineligibility_reasons(
        Participant.model_validate(participant("P", **person)),
        Opening.model_validate(opening("O", "ORG", **post)),
        Organization.model_validate(org or organization("ORG", 13)),
    )


def test_a_plain_pair_is_eligible() -> None:
    assert _reasons({}, {}) == []


@pytest.mark.parametrize(
    ("person", "post", "org", "reason"),
    [
        ({"position": "CIR"}, {}, None, "same_position"),
        (
            {"japanese_level": "N3"},
            {"min_japanese_level": "N2"},
            None,
            "japanese_level",
        ),
        ({"can_drive": False}, {"driving_required": True}, None, "driving"),
        (
            {"needs_medical_access": True},
            {},
            organization("ORG", 13, medical_access=False),
            "medical_access",
        ),
        (
            {"citizenship": "GB"},
            {"requested_countries": ["US"], "country_required": True},
            None,
            "required_country",
        ),
        ({"sport": "tennis"}, {"sport": "rugby"}, None, "sport"),
    ],
)
def test_each_rule_alone(
    person: dict[str, Any],
    post: dict[str, Any],
    org: dict[str, Any] | None,
    reason: str,
) -> None:
    assert _reasons(person, post, org) == [reason]


def test_the_pair_rules_are_those_of_the_one_statement_with_its_names() -> None:
    failing = _reasons(
        {"position": "SEA", "japanese_level": "none", "can_drive": False,
         "needs_medical_access": True, "citizenship": "GB", "sport": "judo"},
        {"position": "ALT", "min_japanese_level": "N1", "driving_required": True,
         "requested_countries": ["US"], "country_required": True, "sport": "kendo"},
        organization("ORG", 13, medical_access=False),
    )  # fmt: skip
    assert tuple(failing) == eligibility.PAIR_RULES
    assert set(failing) <= set(eligibility.MESSAGES)


def test_rules_that_hold_do_not_count() -> None:
    assert _reasons({"japanese_level": "N2"}, {"min_japanese_level": "N2"}) == []
    assert _reasons({"can_drive": True}, {"driving_required": True}) == []
    assert _reasons({}, {"requested_countries": ["US"], "country_required": True}) == []
    assert _reasons({"citizenship": "GB"}, {"requested_countries": ["US"]}) == []


def test_count_eligible_pairs_counts_shortlisted_people_and_open_posts() -> None:
    dataset = Dataset.model_validate(
        {
            "format": "jet-match/dataset@1",
            "organizations": [organization("ORG", 13)],
            "openings": [
                opening("A", "ORG"),
                opening("B", "ORG", driving_required=True),
                opening("C", "ORG", status="cancelled"),
            ],
            "participants": [
                participant("P-1", can_drive=True),
                participant("P-2"),
                participant("P-3", status="withdrawn"),
                participant("P-4", position="CIR"),
            ],
        }
    )
    # P-1: A and B; P-2: A only; P-3 withdrawn; P-4 has no CIR post; C is cancelled.
    assert count_eligible_pairs(dataset) == 3
