"""The Lagrangian bound on the full problem, valid for any dual prices.

Openings, caps and the cardinality row (`sum x >= placed_min`) are dualised (and cuts, when
the prices carry them: `prices.CutPrices`, each cut's price times its coefficient taken
from each pair's profit, times its right-hand side added to the bound); each single
then keeps its best pair (or nothing), and each couple its best pair of pairs in one
shared group (or nothing). The bound holds for every plan over every usable pair, so it
is valid at every round of column generation, converged or not.

Reduced-cost argument: for duals y, any plan placing `placed_min` people is worth at most
L(y) minus the *loss* of each choice (how far below its participant's or couple's best
reduced cost it is; >= 0). A plan better than the incumbent therefore uses only pairs
whose loss is at most L(y) - incumbent - 1 (profits are integers), so a MIP over those
pairs alone is exact for the full problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jet_match.solver.side.pairs import FloatArray, UsablePairs
from jet_match.solver.side.prices import Prices
from jet_match.solver.side.problem import SideProblem

__all__ = ["BOUND_TOLERANCE", "PRICE_TOLERANCE", "LagrangianBound", "Prices", "lagrangian_bound"]

PRICE_TOLERANCE = 1e-6
BOUND_TOLERANCE = 1e-3  # float rounding allowance before flooring a bound


@dataclass
class LagrangianBound:
    bound: float
    reduced: FloatArray  # per usable pair: cost - opening - cap key + placement prices
    loss: FloatArray  # per usable pair: how far below its owner's best choice
    prices: Prices | None = None  # the prices it was computed from


def lagrangian_bound(
    side: SideProblem,
    pairs: UsablePairs,
    costs: FloatArray,
    prices: Prices,
    placed_min: int,
    *,
    losses: bool = True,
) -> LagrangianBound:
    """L(y) = priced capacities - placement price x placed_min + each owner's best choice.

    Singles choose their best pair or nothing (a must-place participant, their best
    pair); couples choose their best pair of pairs in one shared group, or nothing.
    Without `losses` (the bound alone, for a certificate), `loss` is left empty: two
    arrays per pair fewer (national: 100 MB).
    """
    # In place where it can be (national: 6.4 M pairs, 51 MB an array), the same
    # operations in the same order as `costs - opening + placement - cap key`.
    reduced = prices.opening[pairs.opening]
    np.subtract(costs, reduced, out=reduced)
    reduced += prices.placement
    if side.cap_left is not None:
        reduced -= prices.cap_key[pairs.cap_key]
    cuts = prices.cuts
    if cuts is not None:
        reduced[cuts.at] -= cuts.penalty
    if len(reduced) == 0:
        return LagrangianBound(0.0, reduced, reduced, prices)
    best = np.maximum.reduceat(reduced, pairs.starts)
    own_best = np.where(pairs.must, best, np.maximum(best, 0.0))
    total = float(own_best[pairs.single].sum())
    loss = np.zeros(0)
    if losses:
        loss = np.repeat(own_best, pairs.run_length)
        loss -= reduced
    at = pairs.couple_at
    if len(at):
        # Best reduced cost per (couple group, member), then per couple over shared groups.
        member_key = pairs.couple_key[at] * 2 + pairs.first_member[at]
        keys, inverse = np.unique(member_key, return_inverse=True)
        group_best = np.full(len(keys), -np.inf)
        np.maximum.at(group_best, inverse, reduced[at])
        is_first = keys % 2 == 1
        groups_a, groups_b = keys[is_first] // 2, keys[~is_first] // 2
        common, ia, ib = np.intersect1d(groups_a, groups_b, return_indices=True)
        joint = group_best[is_first][ia] + group_best[~is_first][ib]
        couple_at = np.searchsorted(pairs.couples, common // side.n_couple_groups)
        couple_best = np.zeros(len(pairs.couples))
        np.maximum.at(couple_best, couple_at, joint)
        total += float(couple_best.sum())
    if len(at) and losses:
        # Loss of a member's pair: the couple's best minus the pair with the partner's best.
        partner_key = pairs.couple_key[at] * 2 + (~pairs.first_member[at])
        partner_at = np.minimum(np.searchsorted(keys, partner_key), len(keys) - 1)
        partner_best = np.where(keys[partner_at] == partner_key, group_best[partner_at], -np.inf)
        owner_couple = np.searchsorted(pairs.couples, pairs.couple_key[at] // side.n_couple_groups)
        loss[at] = couple_best[owner_couple] - (reduced[at] + partner_best)
    bound = total + float(prices.opening @ side.capacity) - prices.placement * placed_min
    if side.cap_left is not None:
        bound += float(prices.cap_key @ side.cap_left)
    if cuts is not None:
        bound += float(cuts.price @ cuts.rhs)
    return LagrangianBound(bound, reduced, loss, prices)
