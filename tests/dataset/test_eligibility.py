"""The attribute rules of eligibility, one at a time."""

from __future__ import annotations

from typing import Any

import pytest
from dataset_builders import opening, organization, participant

from jet_match.dataset.eligibility import (
    IneligibilityReason,
    count_eligible_pairs,
    ineligibility_reasons,
)
from jet_match.dataset.format import Dataset, Opening, Organization, Participant


def _reasons(
    person: dict[str, Any], post: dict[str, Any], org: dict[str, Any] | None = None
) -> list[IneligibilityReason]:
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
        ({"position": "CIR"}, {}, None, IneligibilityReason.POSITION),
        (
            {"japanese_level": "N3"},
            {"min_japanese_level": "N2"},
            None,
            IneligibilityReason.JAPANESE_LEVEL,
        ),
        ({"can_drive": False}, {"driving_required": True}, None, IneligibilityReason.DRIVING),
        (
            {"needs_medical_access": True},
            {},
            organization("ORG", 13, medical_access=False),
            IneligibilityReason.MEDICAL_ACCESS,
        ),
        (
            {"citizenship": "GB"},
            {"requested_countries": ["US"], "country_required": True},
            None,
            IneligibilityReason.COUNTRY_REQUIRED,
        ),
        ({"sport": "tennis"}, {"sport": "rugby"}, None, IneligibilityReason.SPORT),
    ],
)
def test_each_rule_alone(
    person: dict[str, Any],
    post: dict[str, Any],
    org: dict[str, Any] | None,
    reason: IneligibilityReason,
) -> None:
    assert _reasons(person, post, org) == [reason]


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
