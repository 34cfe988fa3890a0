"""The usable pairs: the admissible pairs a plan can actually use, indexed for the engine.

A couple member's pair in an organization (same_organization) or prefecture
(same_prefecture) where the partner has no admissible pair can never be used; those
pairs are dropped. Every other admissible pair stays in play. Also here: which usable
pairs seed the LP model, and which enter it at each round of column generation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jet_match.solver.flow import rank_in_runs
from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.problem import SideProblem

FloatArray = np.typing.NDArray[np.float64]

COUPLE_GROUPS_SEEDED = 6  # organizations / prefectures seeded per couple
PAIRS_SEEDED_PER_GROUP = 3  # pairs seeded per couple member and group
PAIRS_ADDED_PER_SINGLE = 6  # pairs priced in per single participant and round
PAIRS_ADDED_PER_COUPLE_MEMBER = 40  # pairs priced in per couple member and round


@dataclass
class UsablePairs:
    """The usable pairs (indices into the pair arrays, sorted) and their structure.

    Arrays of length "pairs" are by usable position; arrays "per owner" follow `owners`.
    """

    index: IntArray
    participant: IntArray
    opening: IntArray
    cap_key: IntArray
    couple_key: IntArray  # (couple, couple group) of couple members' pairs, -1 for singles
    first_member: BoolArray  # the pair's participant is the couple's smaller index
    starts: IntArray  # first usable pair of each participant having one
    run_length: IntArray  # number of usable pairs of each of them
    owners: IntArray  # those participants
    couple_at: IntArray  # positions of couple members' pairs
    single: BoolArray  # per owner: not in a couple
    must: BoolArray  # per owner: must be placed
    couples: IntArray  # couple ids (smaller member index) having a usable pair


def usable_mask(side: SideProblem) -> BoolArray:
    """Mask of the usable pairs over the pair arrays: the admissible pairs, less the couple
    members' pairs in a group where the partner has none (only couples' pairs are read)."""
    usable = side.admissible_mask.copy()
    at, couple_key, first = _member_pairs(side, np.flatnonzero(side.couple_of >= 0))
    keep = np.isin(couple_key, np.intersect1d(couple_key[first], couple_key[~first]))
    usable[at[~keep]] = False
    return usable


def _member_pairs(side: SideProblem, members: IntArray) -> tuple[IntArray, IntArray, BoolArray]:
    """The admissible pairs of couple members (sorted indices into the pair arrays), their
    couple keys and whether the member is the smaller index."""
    at = side.admissible_pairs_of(members)
    p = side.instance.pair_p[at].astype(np.int64)
    couple = side.couple_of[p]
    return at, side.couple_key(couple, at), p == couple


def usable_pairs(side: SideProblem, usable: BoolArray) -> UsablePairs:
    """Index the usable pairs (`usable` is the mask of `usable_mask`)."""
    inst = side.instance
    index = np.flatnonzero(usable)
    member_at, member_key, member_first = _member_pairs(side, np.flatnonzero(side.couple_of >= 0))
    in_usable = usable[member_at]
    member_at = np.searchsorted(index, member_at[in_usable])
    couple_key = np.full(len(index), -1, dtype=np.int64)
    couple_key[member_at] = member_key[in_usable]
    first = np.zeros(len(index), dtype=np.bool_)
    first[member_at] = member_first[in_usable]
    p = inst.pair_p[index].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, dtype=np.int64)
    owners = p[starts]
    return UsablePairs(
        index=index,
        participant=p,
        opening=inst.pair_o[index].astype(np.int64),
        cap_key=side.cap_key_of(index),
        couple_key=couple_key,
        first_member=first,
        starts=starts,
        run_length=np.diff(np.r_[starts, len(p)]),
        owners=owners,
        couple_at=np.flatnonzero(couple_key >= 0),
        single=side.couple_of[owners] < 0,
        must=side.must_place[owners],
        couples=np.unique(side.couple_of[owners][side.couple_of[owners] >= 0]),
    )


def positions_of_plan(pairs: UsablePairs, plan: IntArray) -> BoolArray:
    """Usable positions of a plan's pairs (plan: pair index per participant, -1)."""
    mask = np.zeros(len(pairs.index), dtype=np.bool_)
    chosen = np.sort(plan[plan >= 0])
    at = np.minimum(np.searchsorted(pairs.index, chosen), max(len(pairs.index) - 1, 0))
    if len(pairs.index):
        mask[at[pairs.index[at] == chosen]] = True
    return mask


def best_per_participant(pairs: UsablePairs, positions: IntArray, value: FloatArray) -> IntArray:
    """The highest-valued positions of each participant (more for couple members)."""
    order = np.lexsort((positions, -value, pairs.participant[positions]))
    ranked = positions[order]
    rank = rank_in_runs(pairs.participant[ranked])
    limit = np.where(
        pairs.couple_key[ranked] >= 0, PAIRS_ADDED_PER_COUPLE_MEMBER, PAIRS_ADDED_PER_SINGLE
    )
    chosen: IntArray = np.sort(ranked[rank < limit])
    return chosen


def couple_candidates(side: SideProblem, pairs: UsablePairs) -> BoolArray:
    """Usable pairs of the groups where each couple fits best together (by profit)."""
    mask = np.zeros(len(pairs.index), dtype=np.bool_)
    at = np.flatnonzero(pairs.couple_key >= 0)
    if len(at) == 0:
        return mask
    profit = side.profit[pairs.index[at]]
    member_key = pairs.couple_key[at] * 2 + pairs.first_member[at]
    keys, inverse = np.unique(member_key, return_inverse=True)
    best = np.full(len(keys), -1, dtype=np.int64)
    np.maximum.at(best, inverse, profit)
    is_first = keys % 2 == 1
    common, ia, ib = np.intersect1d(keys[is_first] // 2, keys[~is_first] // 2, return_indices=True)
    joint = best[is_first][ia] + best[~is_first][ib]
    couple = common // side.n_couple_groups
    order = np.lexsort((common, -joint, couple))
    chosen_groups = common[order][rank_in_runs(couple[order]) < COUPLE_GROUPS_SEEDED]
    inside = at[np.isin(pairs.couple_key[at], chosen_groups)]
    # The best PAIRS_SEEDED_PER_GROUP pairs of each member in each chosen group.
    member = pairs.couple_key[inside] * 2 + pairs.first_member[inside]
    order = np.lexsort((inside, -side.profit[pairs.index[inside]], member))
    mask[inside[order][rank_in_runs(member[order]) < PAIRS_SEEDED_PER_GROUP]] = True
    return mask
