"""The attribute rules of eligibility for one participant and opening.

A participant may take an opening only if every rule holds. The rules are stated once, in
`jet_match.eligibility` (names, messages, formulas); this module applies those about the
two records alone to one pair, which is what validation uses to refuse a pin on an
ineligible pair. Status rules (withdrawn participant, cancelled opening) and forbidden
pairs are about the round, not the pair's attributes, and are checked where those are
known. The solver evaluates the same rules vectorised over all pairs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jet_match import eligibility
from jet_match.dataset.format import (
    Dataset,
    Opening,
    OpeningStatus,
    Organization,
    Participant,
    ParticipantStatus,
)

#: Rule name -> the sentence shown when it fails (the one statement of the rules).
REASON_TEXT: dict[str, str] = eligibility.MESSAGES


def ineligibility_reasons(
    participant: Participant, opening: Opening, organization: Organization
) -> list[str]:
    """Names of the attribute rules that keep `participant` out of `opening` (empty:
    eligible), in the order of `jet_match.eligibility.RULES`."""
    holds = {
        "same_position": eligibility.same_position(participant.position, opening.position),
        "japanese_level": eligibility.japanese_level(
            participant.japanese_level.ordinal, opening.min_japanese_level.ordinal
        ),
        "driving": eligibility.driving(opening.driving_required, participant.can_drive),
        "medical_access": eligibility.medical_access(
            participant.needs_medical_access, organization.medical_access
        ),
        "required_country": eligibility.required_country(
            opening.country_required, participant.citizenship in opening.requested_countries
        ),
        "sport": eligibility.sport(opening.sport is not None, participant.sport == opening.sport),
    }
    return [name for name in eligibility.PAIR_RULES if not holds[name]]


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
