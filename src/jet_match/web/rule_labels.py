"""Names people read for the codes of a placement: hard rules, score terms, statuses.

The explanation, the rule check of a move and a sheet's preview name rules by their code
(`japanese_level`, `over_capacity` ...) and scores by term (`location`, `area` ...); the
pages translate them through these tables: `page.t.gettext(rule_names[code])`. A code
without an entry is shown as it is.
"""

from __future__ import annotations

from jet_match.web.i18n import N_

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
