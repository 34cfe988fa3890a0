"""Names people read for the codes records carry (statuses, roles, positions ...).

Each is marked with `N_` so `make messages` extracts it; templates translate them with
`_()`: `{{ _(status_names[round.status.value]) }}`. They are template globals.
"""

from __future__ import annotations

from jet_match.web.i18n import N_

status_names = {
    "draft": N_("Draft"),
    "solved": N_("Solved"),
    "published": N_("Published"),
    "amended": N_("Amended"),
    "closed": N_("Closed"),
}
run_status_names = {
    "queued": N_("Queued"),
    "running": N_("Running"),
    "succeeded": N_("Succeeded"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "interrupted": N_("Interrupted"),
}
role_names = {
    "coordinator": N_("Coordinator"),
    "host_org": N_("Host organization"),
    "career_fair": N_("Career fair"),
}
school_level_names = {
    "elementary": N_("Elementary school"),
    "junior_high": N_("Junior high school"),
    "senior_high": N_("Senior high school"),
    "mixed": N_("Mixed"),
    "office": N_("Office"),
}
japanese_level_names = {
    "none": N_("None"),
    "N5": "N5",
    "N4": "N4",
    "N3": "N3",
    "N2": "N2",
    "N1": "N1",
}
opening_status_names = {"open": N_("Open"), "cancelled": N_("Cancelled")}
position_names = {
    "ALT": N_("ALT (Assistant Language Teacher)"),
    "CIR": N_("CIR (Coordinator for International Relations)"),
    "SEA": N_("SEA (Sports Exchange Advisor)"),
}

event_names = {
    "round.published": N_("placements are published to my organization"),
    "round.amended": N_("my organization's published placements change"),
    "placement.vacated": N_("a placement is vacated"),
    "run.finished": N_("a run finishes"),
    "run.failed": N_("a run fails"),
    "offer.made": N_("an offer is made"),
    "offer.accepted": N_("an offer is accepted"),
    "offer.declined": N_("an offer is declined"),
    "offer.expired": N_("an offer expires"),
    "opening.changed": N_("a host organization changes an opening"),
}

withdrawal_reason_names = {
    "personal": N_("Personal reasons"),
    "health": N_("Health"),
    "family": N_("Family"),
    "other_offer": N_("Took another offer"),
    "visa": N_("Visa"),
    "other": N_("Other"),
}

solver_status_names = {
    "optimal": N_("Optimal (proven)"),
    "feasible": N_("Feasible (gap not closed)"),
    "infeasible": N_("No plan exists"),
    "timeout": N_("No plan within the time limit"),
}

GLOBALS = {
    "solver_status_names": solver_status_names,
    "status_names": status_names,
    "run_status_names": run_status_names,
    "role_names": role_names,
    "school_level_names": school_level_names,
    "japanese_level_names": japanese_level_names,
    "opening_status_names": opening_status_names,
    "position_names": position_names,
    "event_names": event_names,
}
