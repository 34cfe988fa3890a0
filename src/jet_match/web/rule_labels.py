"""Names people read for the codes of a placement: hard rules, score terms, statuses.

The explanation, the rule check of a move and a sheet's preview name rules by their code
(`japanese_level`, `over_capacity` ...) and scores by term (`location`, `area` ...); the
pages translate them through these tables: `page.t.gettext(rule_names[code])`. A code
without an entry is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jet_match.web.i18n import N_, Translator

rule_names = {
    "same_position": N_("the opening is for another position"),
    "participant_not_withdrawn": N_("the participant has withdrawn"),
    "japanese_level": N_("the participant's Japanese is below the opening's minimum"),
    "driving": N_("the opening requires driving and the participant cannot drive"),
    "medical_access": N_(
        "the participant needs specialist medical care the organization cannot reach"
    ),
    "required_country": N_("the opening only takes citizens of its requested countries"),
    "sport": N_("the opening requires a sport the participant does not play"),
    "opening_open": N_("the opening is cancelled"),
    "not_forbidden": N_("a coordinator forbade this pair"),
    "ineligible": N_("the participant is not eligible for the opening"),
    "over_capacity": N_("the opening has no free place"),
    "couple_apart": N_("a couple would be placed apart"),
    "couple_split": N_("only one half of a couple would be placed"),
    "country_cap": N_("too many participants of one country in the prefecture"),
    "placed_twice": N_("the participant would be placed twice"),
    "pin_not_kept": N_("a pinned placement would not be kept"),
    "not_in_run": N_("the round does not place this participant"),
    "out_of_scope": N_("the round does not cover this opening"),
    "unknown_record": N_("an unknown record"),
}

term_names = {
    "location": N_("Preferred prefecture"),
    "area": N_("Area preference"),
    "school": N_("School level preference"),
    "requested_country": N_("Requested country"),
    "sister_region": N_("Sister region"),
    "experience": N_("Teaching experience"),
    "japanese": N_("Japanese"),
}

participant_status_names = {
    "shortlisted": N_("Shortlisted"),
    "alternate": N_("Alternate"),
    "withdrawn": N_("Withdrawn"),
}
source_names = {
    "run": N_("placed by a run"),
    "adjustment": N_("placed by a coordinator"),
    "vacancy": N_("placed into a vacancy"),
}


# --- Why a participant is unplaced --------------------------------------------------------
#
# The solver states each reason as an English sentence with its figures
# (`solver/metrics.py`: `unplaced_of`, `no_eligible_opening`). The pages read the sentence
# back into its kind and figures and say it again in the user's language; a sentence of
# no known kind is shown as it is (tests/web/test_rule_labels.py checks every kind).

_FREE = r"(?:1 eligible opening has a free slot|(?P<free>\d+) eligible openings have free slots)"
_NOT_IN_PLAN = re.compile(
    rf"^{_FREE}: not placed in this plan \(e\.g\. unassigned by hand or not solved yet\); "
    r"taking one would add a placement(?: \(together with partner (?P<partner>[^)]+)\))?$"
)
_ALL_FULL = re.compile(r"^all (?P<count>\d+) eligible openings? (?:are|is) full, taken by ")
_PARTNER = re.compile(r"^placed only together with partner (?P<partner>\S+); no pair of openings")
_COUNTRY_CAP = re.compile(
    rf"^{_FREE} but (?:their prefectures are|its prefecture is) at the country cap for "
    r"(?P<country>\S+)$"
)
_NO_POSITION = re.compile(r"^no eligible opening: the run has no (?P<position>\S+) opening$")
_NONE_ELIGIBLE = re.compile(
    r"^no eligible opening among the (?P<count>\d+) (?P<position>\S+) openings? of this run: "
)
_RULE_COUNT = re.compile(r"(?P<count>\d+) by (?P<rule>[a-z_]+) \(")

unplaced_reason_texts = {
    "not_in_plan": N_(
        "%(free)s eligible opening(s) with a free place: not placed in this plan (unassigned "
        "by hand or not solved yet); taking one would add a placement."
    ),
    "not_in_plan_couple": N_(
        "%(free)s eligible opening(s) with a free place: not placed in this plan (unassigned "
        "by hand or not solved yet); together with the partner %(partner)s, taking one would "
        "add a placement."
    ),
    "all_full": N_(
        "All %(count)s eligible openings are full, taken by participants the objective ranks "
        "first (more placements, then a higher total score)."
    ),
    "partner": N_(
        "Placed only together with the partner %(partner)s; no pair of openings kept the "
        "couple together at a better objective."
    ),
    "country_cap": N_(
        "%(free)s eligible opening(s) with a free place, but in prefectures at the country "
        "cap for %(country)s."
    ),
    "no_position": N_("No eligible opening: the run has no %(position)s opening."),
    "none_eligible": N_(
        "No eligible opening among the %(count)s %(position)s openings of this run: %(rules)s."
    ),
    "rule_count": N_("%(rule)s (%(count)s)"),
}


def unplaced_reason(t: Translator, reason: str) -> str:
    """One of the solver's reasons for leaving a participant unplaced, in `t`'s language."""
    say = t.gettext
    texts = unplaced_reason_texts
    if found := _NOT_IN_PLAN.match(reason):
        free = t.number(int(found["free"] or 1))
        if found["partner"]:
            return say(texts["not_in_plan_couple"], free=free, partner=found["partner"])
        return say(texts["not_in_plan"], free=free)
    if found := _ALL_FULL.match(reason):
        return say(texts["all_full"], count=t.number(int(found["count"])))
    if found := _PARTNER.match(reason):
        return say(texts["partner"], partner=found["partner"])
    if found := _COUNTRY_CAP.match(reason):
        return say(
            texts["country_cap"], free=t.number(int(found["free"] or 1)), country=found["country"]
        )
    if found := _NO_POSITION.match(reason):
        return say(texts["no_position"], position=found["position"])
    if found := _NONE_ELIGIBLE.match(reason):
        rules = ", ".join(
            say(
                texts["rule_count"],
                count=t.number(int(part["count"])),
                rule=say(rule_names.get(part["rule"], part["rule"])),
            )
            for part in _RULE_COUNT.finditer(reason[found.end() :])
        )
        return say(
            texts["none_eligible"],
            count=t.number(int(found["count"])),
            position=found["position"],
            rules=rules,
        )
    return reason


def unplaced_reasons(t: Translator, reasons: Iterable[str]) -> list[str]:
    """Each reason in `t`'s language."""
    return [unplaced_reason(t, reason) for reason in reasons]
