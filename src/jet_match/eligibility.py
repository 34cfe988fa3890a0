"""The hard rules of eligibility (docs/scoring.md section 2): one name, one message and one
formula each, stated once for the whole project.

The solver evaluates them over every participant x opening pair at once
(`jet_match.solver.policy`), dataset validation for one pinned pair
(`jet_match.dataset.eligibility`); both call the formulas below with the facts each rule
reads, as numpy arrays or as plain values. Pure: imports numpy only, so that the solver
stays a pure library and neither the solver nor the dataset package imports the other.

The names are those the service already emits (explanations' `failed_rules`, unplaced
participants' `excluded_by`, plan violations), in the order they are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Facts = Any  # a numpy array or a plain value (bool, int, str)
Holds = npt.NDArray[np.bool_]  # 0-d for plain values


def _holds(value: Any) -> Holds:
    return np.asarray(value, dtype=np.bool_)


@dataclass(frozen=True, slots=True)
class Rule:
    """A hard rule: its name, the sentence shown when it fails, and what it is about
    (`pair`: the two records' attributes; `round`: statuses and coordinators' decisions)."""

    name: str
    message: str
    about: Literal["pair", "round"]


def same_position(participant_position: Facts, opening_position: Facts) -> Holds:
    """The opening is for the participant's position (ALT, CIR, SEA)."""
    return _holds(np.equal(participant_position, opening_position))


def participant_not_withdrawn(withdrawn: Facts) -> Holds:
    """The participant has not withdrawn."""
    return _holds(np.logical_not(withdrawn))


def japanese_level(participant_level: Facts, minimum_level: Facts) -> Holds:
    """The participant's JLPT ordinal is at least the opening's minimum."""
    return _holds(np.greater_equal(participant_level, minimum_level))


def driving(driving_required: Facts, can_drive: Facts) -> Holds:
    """An opening that requires driving gets a participant who can drive."""
    return _holds(np.logical_or(np.logical_not(driving_required), can_drive))


def medical_access(needs_medical_access: Facts, medical_access_within_reach: Facts) -> Holds:
    """A participant who needs specialist care goes where it is within reach."""
    return _holds(np.logical_or(np.logical_not(needs_medical_access), medical_access_within_reach))


def required_country(country_required: Facts, citizen_of_a_requested_country: Facts) -> Holds:
    """An opening that requires its requested countries gets a citizen of one of them."""
    return _holds(np.logical_or(np.logical_not(country_required), citizen_of_a_requested_country))


def sport(opening_names_a_sport: Facts, same_sport: Facts) -> Holds:
    """An opening that names a sport gets a participant of that sport."""
    return _holds(np.logical_or(np.logical_not(opening_names_a_sport), same_sport))


def opening_open(is_open: Facts) -> Holds:
    """The opening is open (not cancelled)."""
    return _holds(np.logical_and(is_open, True))


def not_forbidden(forbidden: Facts) -> Holds:
    """A coordinator has not forbidden the pair."""
    return _holds(np.logical_not(forbidden))


#: Every rule, in the order reasons are reported.
RULES: tuple[Rule, ...] = (
    Rule("same_position", "the opening is for another position", "pair"),
    Rule("participant_not_withdrawn", "the participant has withdrawn", "round"),
    Rule("japanese_level", "the participant's Japanese is below the opening's minimum", "pair"),
    Rule("driving", "the opening requires driving and the participant cannot drive", "pair"),
    Rule(
        "medical_access",
        "the participant needs specialist medical care the organization cannot reach",
        "pair",
    ),
    Rule("required_country", "the opening only takes citizens of its requested countries", "pair"),
    Rule("sport", "the opening requires a sport the participant does not play", "pair"),
    Rule("opening_open", "the opening is cancelled", "round"),
    Rule("not_forbidden", "a coordinator forbade this pair", "round"),
)
#: Rule name -> the sentence shown when it fails.
MESSAGES: dict[str, str] = {rule.name: rule.message for rule in RULES}
#: The rules about the two records alone (what a pin on an ineligible pair breaks).
PAIR_RULES: tuple[str, ...] = tuple(rule.name for rule in RULES if rule.about == "pair")
#: How an unplaced participant with no eligible opening is told why: each opening of the
#: run of their position is counted once, under the first rule of this order it breaks
#: (their own state, then the opening's and the coordinators', then the pair's
#: attributes in the order of the rules). Openings of other positions are not counted.
COUNTING_ORDER: tuple[str, ...] = (
    "participant_not_withdrawn",
    "opening_open",
    "not_forbidden",
    "japanese_level",
    "driving",
    "medical_access",
    "required_country",
    "sport",
)
