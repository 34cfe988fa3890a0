"""The attribute rules of eligibility (DESIGN.md section 3) for one participant and opening.

A participant may take an opening only if every rule holds. This module checks the rules
that depend on the two records alone, one pair at a time; it is what validation uses to
refuse a pin on an ineligible pair and what explanations can quote. Status rules
(withdrawn participant, cancelled opening) and forbidden pairs are about the round, not
the pair's attributes, and are checked where those are known. The solver evaluates the
same rules vectorised over all pairs.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Any

from jet_match.dataset.format import (
    Dataset,
    Opening,
    OpeningStatus,
    Organization,
    Participant,
    ParticipantStatus,
)


class IneligibilityReason(StrEnum):
    """Why a participant cannot take an opening, one value per rule of DESIGN.md section 3."""

    POSITION = "position"
    JAPANESE_LEVEL = "japanese_level"
    DRIVING = "driving"
    MEDICAL_ACCESS = "medical_access"
    COUNTRY_REQUIRED = "country_required"
    SPORT = "sport"


REASON_TEXT: dict[IneligibilityReason, str] = {
    IneligibilityReason.POSITION: "the opening is for another position",
    IneligibilityReason.JAPANESE_LEVEL: "the participant's Japanese is below the opening's minimum",
    IneligibilityReason.DRIVING: "the opening requires driving and the participant cannot drive",
    IneligibilityReason.MEDICAL_ACCESS: (
        "the participant needs specialist medical care the organization cannot reach"
    ),
    IneligibilityReason.COUNTRY_REQUIRED: (
        "the opening only takes citizens of its requested countries"
    ),
    IneligibilityReason.SPORT: "the opening requires a sport the participant does not play",
}


def ineligibility_reasons(
    participant: Participant, opening: Opening, organization: Organization
) -> list[IneligibilityReason]:
    """The attribute rules that keep `participant` out of `opening` (empty: eligible)."""
    reasons: list[IneligibilityReason] = []
    if participant.position is not opening.position:
        reasons.append(IneligibilityReason.POSITION)
    if participant.japanese_level.ordinal < opening.min_japanese_level.ordinal:
        reasons.append(IneligibilityReason.JAPANESE_LEVEL)
    if opening.driving_required and not participant.can_drive:
        reasons.append(IneligibilityReason.DRIVING)
    if participant.needs_medical_access and not organization.medical_access:
        reasons.append(IneligibilityReason.MEDICAL_ACCESS)
    if opening.country_required and participant.citizenship not in opening.requested_countries:
        reasons.append(IneligibilityReason.COUNTRY_REQUIRED)
    if opening.sport is not None and participant.sport != opening.sport:
        reasons.append(IneligibilityReason.SPORT)
    return reasons


def count_eligible_pairs(dataset: Dataset) -> int:
    """How many (shortlisted participant, open opening) pairs pass every attribute rule.

    Forbidden pairs are not subtracted. Participants and openings are grouped by the
    attributes the rules read, so this costs one check per pair of groups, not per pair.
    """
    organizations = {org.external_id: org for org in dataset.organizations}
    people: Counter[tuple[Any, ...]] = Counter()
    person_of: dict[tuple[Any, ...], Participant] = {}
    for participant in dataset.participants:
        if participant.status is not ParticipantStatus.SHORTLISTED:
            continue
        key: tuple[Any, ...] = (
            participant.position,
            participant.japanese_level,
            participant.can_drive,
            participant.needs_medical_access,
            participant.citizenship,
            participant.sport,
        )
        people[key] += 1
        person_of.setdefault(key, participant)
    posts: Counter[tuple[Any, ...]] = Counter()
    post_of: dict[tuple[Any, ...], tuple[Opening, Organization]] = {}
    for opening in dataset.openings:
        organization = organizations.get(opening.organization)
        if opening.status is not OpeningStatus.OPEN or organization is None:
            continue
        post_key: tuple[Any, ...] = (
            opening.position,
            opening.min_japanese_level,
            opening.driving_required,
            organization.medical_access,
            opening.country_required and tuple(opening.requested_countries),
            opening.sport,
        )
        posts[post_key] += 1
        post_of.setdefault(post_key, (opening, organization))
    return sum(
        people[person] * posts[post]
        for person in people
        for post in posts
        if not ineligibility_reasons(person_of[person], *post_of[post])
    )
