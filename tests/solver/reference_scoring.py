"""docs/scoring.md, read plainly: eligibility and score of one pair of a dataset.

An independent check of the solver's vectorised policy. It reads the JSON dataset
(`jet-match/dataset@1` as plain dicts with string values) and states each rule and term
of docs/scoring.md sections 2 and 3 in straightforward Python, one pair at a time. It
imports nothing from `jet_match`: its region table, its ordinals and its weights are
typed from the document, so that a mistake in the solver's tables or codes cannot be
copied here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Record = Mapping[str, Any]

#: Default weights, from the tables of docs/scoring.md section 3 and section 4.
DEFAULT_WEIGHTS: dict[str, int] = {
    "preference_1": 100,
    "preference_2": 80,
    "preference_3": 60,
    "same_region": 20,
    "area_any": 15,
    "area_match": 30,
    "area_adjacent": 10,
    "school_match": 20,
    "school_flexible": 10,
    "requested_country": 40,
    "sister_region": 25,
    "experience": 15,
    "japanese_per_level": 5,
    "japanese_cap": 20,
    "disruption": 50,
}

#: "Hokkaido 1; Tohoku 2-7; Kanto 8-14; Chubu 15-23; Kinki 24-30; Chugoku 31-35;
#: Shikoku 36-39; Kyushu-Okinawa 40-47 (JIS prefecture codes)."
REGION: dict[int, str] = {1: "Hokkaido"}
REGION.update(dict.fromkeys(range(2, 8), "Tohoku"))
REGION.update(dict.fromkeys(range(8, 15), "Kanto"))
REGION.update(dict.fromkeys(range(15, 24), "Chubu"))
REGION.update(dict.fromkeys(range(24, 31), "Kinki"))
REGION.update(dict.fromkeys(range(31, 36), "Chugoku"))
REGION.update(dict.fromkeys(range(36, 40), "Shikoku"))
REGION.update(dict.fromkeys(range(40, 48), "Kyushu-Okinawa"))

#: "none < N5 < ... < N1"
JAPANESE_ORDER = ["none", "N5", "N4", "N3", "N2", "N1"]
#: "one step away (urban - semi-urban - rural - remote)"
AREA_ORDER = ["urban", "semi_urban", "rural", "remote"]

#: The rule names of docs/scoring.md section 2, in the order of its table.
RULE_ORDER = (
    "same_position",
    "participant_not_withdrawn",
    "japanese_level",
    "driving",
    "medical_access",
    "required_country",
    "sport",
    "opening_open",
    "not_forbidden",
)
#: The terms of the published breakdown, in the order of docs/scoring.md section 3.
TERM_ORDER = (
    "location",
    "area",
    "school",
    "requested_country",
    "sister_region",
    "experience",
    "japanese",
)


def weights_of(dataset: Record) -> dict[str, int]:
    """The dataset's weights: its policy's overrides over the defaults."""
    policy = dataset.get("policy") or {}
    return {**DEFAULT_WEIGHTS, **(policy.get("weights") or {})}


def failed_rules(
    participant: Record, opening: Record, organization: Record, forbidden: bool = False
) -> list[str]:
    """The rules of section 2 the pair breaks, in the table's order (empty: eligible)."""
    failed = []
    if participant["position"] != opening["position"]:
        failed.append("same_position")
    if participant["status"] == "withdrawn":
        failed.append("participant_not_withdrawn")
    if JAPANESE_ORDER.index(participant["japanese_level"]) < JAPANESE_ORDER.index(
        opening["min_japanese_level"]
    ):
        failed.append("japanese_level")
    if opening["driving_required"] and not participant["can_drive"]:
        failed.append("driving")
    if participant["needs_medical_access"] and not organization["medical_access"]:
        failed.append("medical_access")
    if opening["country_required"] and (
        participant["citizenship"] not in opening["requested_countries"]
    ):
        failed.append("required_country")
    if opening.get("sport") is not None and participant.get("sport") != opening["sport"]:
        failed.append("sport")
    if opening["status"] != "open":
        failed.append("opening_open")
    if forbidden:
        failed.append("not_forbidden")
    return failed


def location(participant: Record, organization: Record, w: Mapping[str, int]) -> int:
    """1st / 2nd / 3rd choice, else the region of one of the choices, else 0."""
    choices = list(participant["preferred_prefectures"])
    prefecture = organization["prefecture"]
    if len(choices) >= 1 and choices[0] == prefecture:
        return w["preference_1"]
    if len(choices) >= 2 and choices[1] == prefecture:
        return w["preference_2"]
    if len(choices) >= 3 and choices[2] == prefecture:
        return w["preference_3"]
    if any(REGION[choice] == REGION[prefecture] for choice in choices):
        return w["same_region"]
    return 0


def area(participant: Record, organization: Record, w: Mapping[str, int]) -> int:
    """No preference; the same area type; one step away; else 0."""
    preference = participant["area_preference"]
    area_type = organization["area_type"]
    if preference == "any":
        return w["area_any"]
    if preference == area_type:
        return w["area_match"]
    if abs(AREA_ORDER.index(preference) - AREA_ORDER.index(area_type)) == 1:
        return w["area_adjacent"]
    return 0


def school(participant: Record, opening: Record, w: Mapping[str, int]) -> int:
    """Office posts 0; the preferred level; no preference or a mixed opening; else 0."""
    preference = participant["school_level_preference"]
    level = opening["school_level"]
    if level == "office":
        return 0
    if preference == level:
        return w["school_match"]
    if preference == "any" or level == "mixed":
        return w["school_flexible"]
    return 0


def requested_country(participant: Record, opening: Record, w: Mapping[str, int]) -> int:
    """A citizen of a country the opening requested."""
    return (
        w["requested_country"]
        if participant["citizenship"] in opening["requested_countries"]
        else 0
    )


def sister_region(participant: Record, organization: Record, w: Mapping[str, int]) -> int:
    """The participant's country or home region is a sister region of the organization."""
    sisters = organization["sister_regions"]
    home = participant.get("home_region")
    if participant["citizenship"] in sisters or (home is not None and home in sisters):
        return w["sister_region"]
    return 0


def experience(participant: Record, opening: Record, w: Mapping[str, int]) -> int:
    """The opening prefers experience and the participant taught 2 years or more."""
    if opening["prefers_experience"] and participant["teaching_experience_years"] >= 2:
        return w["experience"]
    return 0


def japanese(participant: Record, opening: Record, w: Mapping[str, int]) -> int:
    """Points per JLPT level above the opening's minimum, at most the cap."""
    above = JAPANESE_ORDER.index(participant["japanese_level"]) - JAPANESE_ORDER.index(
        opening["min_japanese_level"]
    )
    return min(w["japanese_per_level"] * above, w["japanese_cap"])


def breakdown(
    participant: Record, opening: Record, organization: Record, w: Mapping[str, int]
) -> dict[str, int]:
    """Points of each term of section 3 for an eligible pair."""
    return {
        "location": location(participant, organization, w),
        "area": area(participant, organization, w),
        "school": school(participant, opening, w),
        "requested_country": requested_country(participant, opening, w),
        "sister_region": sister_region(participant, organization, w),
        "experience": experience(participant, opening, w),
        "japanese": japanese(participant, opening, w),
    }


def pairs(dataset: Record) -> Iterator[tuple[str, str, list[str], dict[str, int] | None]]:
    """Every (participant, opening) of the dataset: the rules it breaks and, when it breaks
    none, its breakdown."""
    w = weights_of(dataset)
    organizations = {org["external_id"]: org for org in dataset["organizations"]}
    forbidden = {(f["participant"], f["opening"]) for f in dataset.get("forbidden") or []}
    for participant in dataset["participants"]:
        for opening in dataset["openings"]:
            organization = organizations[opening["organization"]]
            key = (participant["external_id"], opening["external_id"])
            failed = failed_rules(participant, opening, organization, key in forbidden)
            points = None if failed else breakdown(participant, opening, organization, w)
            yield key[0], key[1], failed, points


def placed_first_then_score(dataset: Record) -> tuple[int, int]:
    """The lexicographic optimum (placements, then total score) of a dataset without
    couples, caps, pins or previous plan, over the shortlisted participants and open
    slots: an assignment problem, solved by scipy's `linear_sum_assignment` on the scores
    of this module, each placement worth more than any total score."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    people = [p for p in dataset["participants"] if p["status"] == "shortlisted"]
    slots = [o for o in dataset["openings"] for _ in range(o["slots"])]
    if not people or not slots:
        return 0, 0
    organizations = {org["external_id"]: org for org in dataset["organizations"]}
    forbidden = {(f["participant"], f["opening"]) for f in dataset.get("forbidden") or []}
    w = weights_of(dataset)
    score = np.zeros((len(people), len(slots)), dtype=np.int64)
    usable = np.zeros((len(people), len(slots)), dtype=bool)
    for i, p in enumerate(people):
        for j, o in enumerate(slots):
            organization = organizations[o["organization"]]
            forbid = (p["external_id"], o["external_id"]) in forbidden
            if not failed_rules(p, o, organization, forbid):
                usable[i, j] = True
                score[i, j] = sum(breakdown(p, o, organization, w).values())
    big = int(np.abs(score).sum()) + 1  # one placement outweighs any difference in score
    profit = np.where(usable, big + score, 0)
    rows, cols = linear_sum_assignment(profit, maximize=True)
    chosen = usable[rows, cols]
    return int(chosen.sum()), int(score[rows, cols][chosen].sum())
