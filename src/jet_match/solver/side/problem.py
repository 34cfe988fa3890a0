"""The side-constrained problem (couples and country caps over every admissible pair) and
what a solve of it returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jet_match.solver.caps import PREFECTURE_CODES
from jet_match.solver.instance import Instance, couple_group
from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.prices import SideCertificate


@dataclass
class SideProblem:
    """The side-constrained problem over every admissible pair (a mask over the pair
    arrays; `admissible_pairs_of` reads a few participants' runs of it)."""

    instance: Instance
    admissible_mask: BoolArray
    profit: IntArray
    capacity: IntArray
    cap_left: IntArray | None  # per cap key (caps.cap_key)
    must_place: BoolArray  # partners of pinned participants
    couple_of: IntArray  # smaller index of the couple, -1 for singles

    def admissible_pairs_of(self, participants: IntArray) -> IntArray:
        """The admissible pairs of the given participants (indices into the pair arrays,
        sorted when they are): their runs alone are read, not every pair's (national:
        a few hundred people against 6.4 M pairs)."""
        at = self.instance.pairs_of(participants)
        chosen: IntArray = at[self.admissible_mask[at]]
        return chosen

    def couple_group_of(self, pairs: IntArray) -> IntArray:
        """Couple group of pairs: the organization, or the prefecture (after all of those)."""
        inst = self.instance
        p, o = inst.pair_p[pairs].astype(np.int64), inst.pair_o[pairs].astype(np.int64)
        return couple_group(inst, p, o)

    def cap_key_of(self, pairs: IntArray) -> IntArray:
        """(country, prefecture) cap key of pairs."""
        inst = self.instance
        p, o = inst.pair_p[pairs].astype(np.int64), inst.pair_o[pairs].astype(np.int64)
        return inst.country_prefecture(p, o)

    @property
    def n_couple_groups(self) -> int:
        """Number of distinct couple groups (organizations, then prefectures)."""
        return couple_groups(self.instance)

    def couple_key(self, couple: IntArray, pairs: IntArray) -> IntArray:
        """One key per (couple, couple group) of couple members' pairs."""
        return couple * self.n_couple_groups + self.couple_group_of(pairs)

    def value(self, assigned: IntArray) -> tuple[int, int]:
        """(placed, profit) of a plan (pair index per participant, -1 unplaced)."""
        chosen = assigned[assigned >= 0]
        return len(chosen), int(self.profit[chosen].sum())

    def feasible(self, assigned: IntArray) -> bool:
        """The plan keeps couples together, caps, capacities and must-place participants."""
        inst = self.instance
        chosen = assigned[assigned >= 0]
        if (np.bincount(inst.pair_o[chosen], minlength=len(self.capacity)) > self.capacity).any():
            return False
        if (self.must_place & (assigned < 0)).any():
            return False
        if self.cap_left is not None:
            load = np.bincount(self.cap_key_of(chosen), minlength=len(self.cap_left))
            if (load > self.cap_left).any():
                return False
        firsts = self.first_members()
        pair_a, pair_b = assigned[firsts], assigned[inst.partner_of[firsts]]
        if ((pair_a >= 0) != (pair_b >= 0)).any():
            return False
        both = (pair_a >= 0) & (pair_b >= 0)
        return not (self.couple_group_of(pair_a[both]) != self.couple_group_of(pair_b[both])).any()

    def first_members(self) -> IntArray:
        """The smaller-index member of each couple (their partner is `partner_of`)."""
        return np.flatnonzero(self.couple_of == np.arange(len(self.couple_of)))


def couple_groups(instance: Instance) -> int:
    """Number of distinct couple groups: the organizations, then the prefecture codes (a
    couple key is the couple's smaller member index x this + the group)."""
    return len(instance.tables.organization_ids) + PREFECTURE_CODES


@dataclass
class SideOutcome:
    """The best plan (pair index per participant, -1 unplaced) and the proven bound.

    `score_bound` bounds the profit of the free participants' pairs over plans placing
    `placed_bound` of them (no plan places more).
    """

    assigned: IntArray
    placed: int
    score: int
    placed_bound: int
    score_bound: int
    stats: dict[str, float]
    feasible: bool = True
    certificate: SideCertificate | None = None  # prices proving the bound (certificate.py)

    @property
    def optimal(self) -> bool:
        """The plan reaches the bound."""
        return self.placed == self.placed_bound and self.score >= self.score_bound


def build_side(
    instance: Instance,
    admissible: BoolArray,
    capacity: IntArray,
    profit: IntArray,
    cap_left: IntArray | None,
    must_place: BoolArray,
) -> SideProblem:
    """Assemble the side-constrained problem (couples of non-pinned members, caps);
    `admissible` is a mask over the pair arrays."""
    partner = instance.partner_of
    n = instance.tables.n_participants
    index = np.arange(n)
    free = instance.pin_of < 0
    both_free = (partner >= 0) & free & free[np.maximum(partner, 0)]
    couple_of = np.where(both_free, np.minimum(index, np.maximum(partner, 0)), -1)
    return SideProblem(
        instance=instance,
        admissible_mask=admissible,
        profit=profit,
        capacity=capacity,
        cap_left=cap_left,
        must_place=must_place,
        couple_of=couple_of,
    )
