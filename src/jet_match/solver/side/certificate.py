"""The bound's certificate: dual prices from which anyone can recompute the bound.

Two Lagrangian bounds of the same shape (`bound.lagrangian_bound`), each given by its
prices alone, prove the lexicographic bound on the full problem (every usable pair,
couples and caps):

- **placements**: unit profits, prices on openings only. They come from a minimum cut of
  the flow relaxation (couples split, no caps; its plan places the most people): an
  opening reachable from the source in the residual network costs 1, every other opening
  0. Each participant then gains at most 1, and nothing when all their openings cost 1:
  the bound is the cut's capacity (= the relaxation's placements, by max-flow/min-cut),
  lowered further where a couple has no group that both members can reach cheaply.
- **score**: the real profits and the LP duals of the master's best round (openings, caps,
  the cardinality row `sum x >= placed_min`), or, when the proof priced the LP with mod-2
  cuts over every pair (`priced_cuts.py`) and that proves less, its duals with the cuts
  dualised too (`prices.CutPrices`: each cut named by the rows it halves, so that its
  coefficient for every pair can be derived again).

Floored (profits and placements are integers; the score to a multiple of the profits'
common divisor), they are the bounds the certificate proves. A plan reaching both is
proven optimal by the certificate alone. Bounds that the search proved otherwise (a
HiGHS MIP over the pairs the reduced-cost argument keeps) are valid but not in the
certificate; the result then says what the certificate proves.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["PricedBound", "SideCertificate", "cut_prices", "floored", "priced"]

from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE, lagrangian_bound
from jet_match.solver.side.pairs import FloatArray, UsablePairs
from jet_match.solver.side.prices import PricedBound, Prices, SideCertificate
from jet_match.solver.side.problem import SideProblem


def floored(value: float) -> int:
    """A Lagrangian bound as an integer (profits and placements are integers)."""
    return math.floor(value + BOUND_TOLERANCE)


def cut_prices(side: SideProblem, pairs: UsablePairs, relaxed: IntArray) -> PricedBound:
    """Placement prices of the minimum cut of the flow relaxation's plan (`relaxed`, the
    pair index per participant of a maximum flow over the usable pairs)."""
    inst = side.instance
    n, m = inst.tables.n_participants, inst.tables.n_openings
    holder_opening = np.where(relaxed >= 0, inst.pair_o[np.maximum(relaxed, 0)], -1)
    placed = np.flatnonzero(holder_opening >= 0)
    by_opening = placed[np.argsort(holder_opening[placed], kind="stable")]
    opening_starts = np.searchsorted(holder_opening[by_opening], np.arange(m + 1))
    owner_at = np.full(n, -1, dtype=np.int64)
    owner_at[pairs.owners] = np.arange(len(pairs.owners))
    reach_p = np.zeros(n, dtype=np.bool_)
    reach_o = np.zeros(m, dtype=np.bool_)
    frontier = pairs.owners[relaxed[pairs.owners] < 0]
    reach_p[frontier] = True
    while len(frontier):
        at = owner_at[frontier]
        positions = _ranges(pairs.starts[at], pairs.run_length[at])
        openings = np.unique(pairs.opening[positions])
        openings = openings[~reach_o[openings]]
        reach_o[openings] = True
        holders = by_opening[_ranges(opening_starts[openings], np.diff(opening_starts)[openings])]
        frontier = holders[~reach_p[holders]]
        reach_p[frontier] = True
    prices = Prices(
        opening=reach_o.astype(np.float64),
        cap_key=np.zeros(len(side.cap_left) if side.cap_left is not None else 0),
        placement=0.0,
    )
    return priced(side, pairs, np.ones(len(pairs.index)), prices, 0)


def priced(
    side: SideProblem, pairs: UsablePairs, costs: FloatArray, prices: Prices, placed_min: int
) -> PricedBound:
    """The floored Lagrangian bound of `prices`."""
    value = lagrangian_bound(side, pairs, costs, prices, placed_min).bound
    return PricedBound(prices, placed_min, floored(value))


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated ranges start..start+length-1."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    out: IntArray = np.arange(total, dtype=np.int64) + offsets
    return out
