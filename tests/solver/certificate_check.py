"""docs/scoring.md section 7, "The certificate", read plainly: the bound its prices give.

A second implementation of the solver's Lagrangian bound (`solver/side/bound.py`), for
checking a result's certificate. It reads the problem's records (slots, pins, caps,
couples) and a list of eligible pairs with their profits, one participant at a time in
plain Python; it imports nothing from `jet_match` but takes the problem's objects as
they are, so that a mistake in the solver's tables cannot be copied here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

#: Float rounding allowance before flooring a bound (docs/scoring.md section 7).
TOLERANCE = 1e-3

Pair = tuple[str, str, int]  # participant, opening, profit


def recompute(problem: Any, pairs: Iterable[Pair], prices: Mapping[str, Any], *, unit: bool) -> int:
    """The floored bound of `prices` (a certificate's `placements` or `score` member) over
    `pairs`: every plan of the free participants placing at least `placed_min` of them
    has at most that profit (each pair worth 1 when `unit`)."""
    org_of = {o.external_id: o.organization for o in problem.openings}
    prefecture_of_org = {g.external_id: g.prefecture for g in problem.organizations}
    prefecture = {o: prefecture_of_org[g] for o, g in org_of.items()}
    person = {p.external_id: p for p in problem.participants}
    pinned = {a.participant: a.opening for a in problem.pins}

    free_slots = {o.external_id: o.slots for o in problem.openings if o.is_open}
    for opening in pinned.values():
        free_slots[opening] -= 1
    room = _cap_room(problem, pinned, person, prefecture)

    opening_price = prices["openings"]
    cap_price = prices["caps"]
    placement = prices["placement"]
    total = -float(placement) * int(prices["placed_min"])
    total += math.fsum(free_slots.get(o, 0) * price for o, price in opening_price.items())
    total += math.fsum(room.get(key, 0) * price for key, price in cap_price.items())

    # Reduced profit of each pair of each free participant.
    reduced: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for participant, opening, profit in pairs:
        if participant in pinned:
            continue
        key = f"{person[participant].citizenship}:{prefecture[opening]}"
        value = (1.0 if unit else float(profit)) - opening_price.get(opening, 0.0)
        reduced[participant].append((opening, value - cap_price.get(key, 0.0) + placement))

    for participant, options in reduced.items():
        partner = person[participant].partner
        if partner is not None and partner in pinned:
            # Must be placed, in the pinned partner's group.
            group = _group(person[participant], person[partner], org_of, prefecture)
            fits = [v for o, v in options if group(o) == group(pinned[partner])]
            total += max(fits) if fits else 0.0
        elif partner is None or partner not in person:
            total += max(0.0, max(v for _, v in options))
        elif participant < partner:
            total += _couple_best(
                options,
                reduced.get(partner, []),
                person[participant],
                person[partner],
                org_of,
                prefecture,
            )
    return math.floor(total + TOLERANCE)


def _couple_best(
    mine: list[tuple[str, float]],
    theirs: list[tuple[str, float]],
    a: Any,
    b: Any,
    org_of: Mapping[str, str],
    prefecture: Mapping[str, int],
) -> float:
    """The couple's best two pairs in one group (organization or prefecture), or 0."""
    group = _group(a, b, org_of, prefecture)
    best_a: dict[object, float] = {}
    for opening, value in mine:
        best_a[group(opening)] = max(best_a.get(group(opening), -math.inf), value)
    best = 0.0
    for opening, value in theirs:
        if group(opening) in best_a:
            best = max(best, best_a[group(opening)] + value)
    return best


def _group(a: Any, b: Any, org_of: Mapping[str, str], prefecture: Mapping[str, int]) -> Any:
    """The couple's group of an opening: its organization when either member asks for the
    same organization, else its prefecture."""
    names = {getattr(x.partner_constraint, "name", "") for x in (a, b)}
    if "SAME_ORGANIZATION" in names:
        return lambda opening: ("organization", org_of[opening])
    return lambda opening: ("prefecture", prefecture[opening])


def _cap_room(
    problem: Any,
    pinned: Mapping[str, str],
    person: Mapping[str, Any],
    prefecture: Mapping[str, int],
) -> dict[str, int]:
    """Places left under each `<country>:<prefecture>` cap once the pins are placed: the
    cap is max(1, floor(share x the prefecture's open slots))."""
    share = problem.max_country_share_per_prefecture
    if share is None:
        return {}
    slots: dict[int, int] = defaultdict(int)
    for opening in problem.openings:
        if opening.is_open:
            slots[prefecture[opening.external_id]] += opening.slots
    countries = {p.citizenship for p in problem.participants}
    room = {
        f"{c}:{code}": max(1, math.floor(share * n + 1e-9))
        for c in countries
        for code, n in slots.items()
    }
    for participant, opening in pinned.items():
        room[f"{person[participant].citizenship}:{prefecture[opening]}"] -= 1
    return room
