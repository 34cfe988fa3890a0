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
from fractions import Fraction
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
    run = _in_run(problem)
    pinned = {a.participant: a.opening for a in problem.pins if a.participant in run}
    # A couple: both in the run, and a constraint between them.
    partner_of = {
        p.external_id: p.partner
        for p in problem.participants
        if p.external_id in run and p.partner in run and p.partner_constraint is not None
    }

    free_slots = {o.external_id: o.slots for o in problem.openings if o.is_open}
    # An override pinned beyond capacity keeps one place beyond the opening's slots.
    beyond = {(w.participant, w.opening) for w in problem.waivers if w.beyond_capacity}
    for participant, opening in beyond:
        if pinned.get(participant) == opening:
            free_slots[opening] += 1
    for participant, opening in pinned.items():
        # The solver reports such a pin as a conflict, so no certificate reaches here.
        assert opening in free_slots, f"{participant} pinned at {opening}: not an open opening"
        free_slots[opening] -= 1
    room = _cap_room(problem, pinned, person, prefecture)

    opening_price = prices["openings"]
    cap_price = prices["caps"]
    placement = prices["placement"]
    # Prices of rows every plan meets, on their upper side: >= 0, and caps that exist.
    assert min([0.0, *opening_price.values(), *cap_price.values()]) >= 0, "a negative price"
    assert placement >= 0, "a negative placement price"
    assert all(key in room for key, price in cap_price.items() if price), "a cap that is not"
    total = -float(placement) * int(prices["placed_min"])
    total += math.fsum(free_slots.get(o, 0) * price for o, price in opening_price.items())
    total += math.fsum(room.get(key, 0) * price for key, price in cap_price.items())

    free_pairs = [(p, o, 1 if unit else c) for p, o, c in pairs if p not in pinned]
    step = int(prices.get("unit", 1))
    assert step >= 1, "no unit"
    assert all(c % step == 0 for _, _, c in free_pairs), f"a profit not a multiple of {step}"
    rows = _Rows(person, pinned, partner_of, org_of, prefecture, free_slots, room)
    penalty: dict[tuple[str, str], float] = defaultdict(float)
    for cut, (coefficients, rhs) in zip(
        prices.get("cuts", []), _cuts(prices.get("cuts", []), free_pairs, rows), strict=True
    ):
        assert rhs == cut["rhs"], f"cut {cut['id']}: its rows give rhs {rhs}"
        assert cut["price"] >= 0, f"cut {cut['id']}: a negative price"
        total += cut["price"] * rhs
        for pair, coefficient in coefficients.items():
            penalty[pair] += cut["price"] * coefficient

    # Reduced profit of each pair of each free participant.
    reduced: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for participant, opening, profit in free_pairs:
        key = f"{person[participant].citizenship}:{prefecture[opening]}"
        value = float(profit) - opening_price.get(opening, 0.0) - penalty[participant, opening]
        reduced[participant].append((opening, value - cap_price.get(key, 0.0) + placement))

    for participant, options in reduced.items():
        partner = partner_of.get(participant)
        if partner is not None and partner in pinned:
            # Must be placed, in the pinned partner's group.
            group = _group(person[participant], person[partner], org_of, prefecture)
            fits = [v for o, v in options if group(o) == group(pinned[partner])]
            total += max(fits) if fits else 0.0
        elif partner is None:
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
    bound = math.floor(total + TOLERANCE)
    return bound - bound % step


class _Rows:
    """The rows a cut may take (docs/scoring.md section 7): each one's coefficient for a
    pair and its limit, checked to be rows every plan meets."""

    def __init__(
        self,
        person: Mapping[str, Any],
        pinned: Mapping[str, str],
        partner_of: Mapping[str, str],
        org_of: Mapping[str, str],
        prefecture: Mapping[str, int],
        free_slots: Mapping[str, int],
        room: Mapping[str, int],
    ) -> None:
        self.person, self.pinned, self.partner_of = person, pinned, partner_of
        self.org_of, self.prefecture = org_of, prefecture
        self.free_slots, self.room = free_slots, room

    def coefficient(self, row: Mapping[str, Any], participant: str, opening: str) -> int:
        """The row's coefficient for the pair (an earlier cut's: `_cuts`)."""
        kind, name = row["kind"], row["id"]
        if kind == "participant":
            return int(participant == name)
        if kind == "opening":
            return int(opening == name)
        if kind == "cap":
            key = f"{self.person[participant].citizenship}:{self.prefecture[opening]}"
            return int(key == name)
        assert kind == "couple", f"a row of unknown kind {kind}"
        group = (
            f"organization:{self.org_of[opening]}"
            if row["group"].startswith("organization:")
            else f"prefecture:{self.prefecture[opening]}"
        )
        if group != row["group"]:
            return 0
        return 1 if participant == name else -1 if participant == row["partner"] else 0

    def limit(self, row: Mapping[str, Any]) -> int:
        """The row's right-hand side, after checking every plan meets the row."""
        kind, name = row["kind"], row["id"]
        if kind == "participant":
            assert name in self.person, f"no participant {name}"
            assert name not in self.pinned, f"participant {name} is pinned"
            return 1
        if kind == "opening":
            return self.free_slots.get(name, 0)
        if kind == "cap":
            assert name in self.room, f"no cap {name}"
            return self.room[name]
        assert kind == "couple", f"a row of unknown kind {kind}"
        a, b = self.person[name], self.person[row["partner"]]
        assert self.partner_of.get(name) == b.external_id, f"no couple {name}"
        assert self.partner_of.get(b.external_id) == name, f"no couple {name}"
        assert name not in self.pinned, f"couple {name}: pinned"
        assert b.external_id not in self.pinned, f"couple {name}: partner pinned"
        # Together in an organization means together in its prefecture too; the other
        # way round holds only for a couple asking for the same organization.
        kinds = {getattr(x.partner_constraint, "name", "") for x in (a, b)}
        if row["group"].startswith("organization:"):
            assert "SAME_ORGANIZATION" in kinds, f"couple {name}: not one organization"
        else:
            assert row["group"].startswith("prefecture:"), f"couple {name}: no group"
        return 0


def _cuts(
    cuts: list[Mapping[str, Any]], pairs: list[Pair], rows: _Rows
) -> list[tuple[dict[tuple[str, str], int], int]]:
    """Each cut's coefficient for every pair (where not 0) and its right-hand side, from
    its rows: floor(sum of weight x row), exactly (weights as exact fractions)."""
    # The pairs each row has a coefficient for, by the row's kind and id: a cut visits only
    # the pairs its rows touch (every other coefficient is 0), national scale included.
    touching: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for participant, opening, _ in pairs:
        cap = f"{rows.person[participant].citizenship}:{rows.prefecture[opening]}"
        for key in (("participant", participant), ("opening", opening), ("cap", cap)):
            touching[key].append((participant, opening))
    done: dict[str, tuple[dict[tuple[str, str], int], int]] = {}
    out = []
    for cut in cuts:
        weighted = []
        # Each row adds weight x its coefficient to the pairs it touches (every other
        # pair's sum is 0).
        sums: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for row in cut["rows"]:
            weight = Fraction(row["weight"])
            assert weight >= 0, f"cut {cut['id']}: a negative weight"
            weighted.append((row, weight))
            if row["kind"] == "cut":
                assert row["id"] in done, f"cut {cut['id']}: no earlier cut {row['id']}"
                for pair, coefficient in done[row["id"]][0].items():
                    sums[pair] += weight * coefficient
                continue
            if row["kind"] == "couple":
                touched = touching["participant", row["id"]]
                touched = touched + touching["participant", row.get("partner", "")]
            else:
                touched = touching[row["kind"], row["id"]]
            for participant, opening in touched:
                sums[participant, opening] += weight * rows.coefficient(row, participant, opening)
        coefficients = {
            pair: math.floor(total) for pair, total in sums.items() if math.floor(total) != 0
        }
        limit = sum(
            (w * (done[r["id"]][1] if r["kind"] == "cut" else rows.limit(r)) for r, w in weighted),
            Fraction(0),
        )
        done[cut["id"]] = (coefficients, math.floor(limit))
        out.append(done[cut["id"]])
    return out


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


def _in_run(problem: Any) -> set[str]:
    """The participants the run places: in its positions (all when none are named),
    shortlisted, or alternates it pins."""
    pinned = {a.participant for a in problem.pins}
    positions = problem.positions
    return {
        p.external_id
        for p in problem.participants
        if (positions is None or p.position in positions)
        and (
            getattr(p.status, "name", "") == "SHORTLISTED"
            or (getattr(p.status, "name", "") == "ALTERNATE" and p.external_id in pinned)
        )
    }


def _cap_room(
    problem: Any,
    pinned: Mapping[str, str],
    person: Mapping[str, Any],
    prefecture: Mapping[str, int],
) -> dict[str, int]:
    """Places left under each `<country>:<prefecture>` cap once the pins are placed: the
    cap is max(1, floor(share x the prefecture's open slots of the run's positions))."""
    share = problem.max_country_share_per_prefecture
    if share is None:
        return {}
    slots: dict[int, int] = defaultdict(int)
    for opening in problem.openings:
        if opening.is_open and (problem.positions is None or opening.position in problem.positions):
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
