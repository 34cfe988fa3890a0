"""Plans at (or just below) the flow relaxation's optimum that keep couples and caps.

The flow relaxation (couples split, no caps) has several optima when scores tie; the
flow picks one, and it may split a couple that another optimum keeps together. After a
record edit the side optimum is most often there, or a few profit units below it. The
flow's potentials prove it without any LP: under them every arc of the flow network has
a reduced cost, and a plan placing as many people as the relaxation is worth the
relaxation's value less the sum of its *losses*, each >= 0 (complementary slackness):
the reduced cost of each pair it uses that the flow does not (> 0), that of each pair
of the flow it leaves (< 0, counted as its size), and likewise for participants (the
source arcs) and openings (the sink arcs). So a plan worth `target` or more loses at
most `budget` = relaxation - target: it uses only pairs whose reduced cost is at most
the budget, places every participant whose source arc costs more than the budget to
leave, fills every opening whose sink arc does, and uses no participant or opening the
flow leaves out at more than the budget.

One MIP over those pairs, cut off a unit below the target, finds such a plan or shows
there is none (the bound then drops below the target). Targets descend from the
relaxation's value as in `descent.prove` (steps 0, 1, 3, ... units), while the pairs stay
few: after a record edit at national scale 6,000-7,000 pairs and 0.01-0.05 s a step, where
the LP takes 3.5-5 s (benchmarks/README.md). What the steps prove stays proven when the
LP runs after them.
"""

from __future__ import annotations

import numpy as np

from jet_match.solver.flow import FlowOutcome
from jet_match.solver.policy import IntArray
from jet_match.solver.side.pairs import UsablePairs
from jet_match.solver.side.problem import SideProblem
from jet_match.solver.side.state import SearchState
from jet_match.solver.side.sub_mip import Tightness, proof_step

#: The MIPs near the relaxation's optimum run while their pairs are this few: a
#: re-solve's (the previous plan breaks the ties: 6-7 k pairs after a national edit), not
#: a national solve from scratch's (33-36 k pairs at the first step, 1.3-1.5 s to show
#: that no plan is there).
RELAXATION_MIP_COLUMNS = 20_000
#: Steps of the descent at most (targets down to 7 profit units below the relaxation).
RELAXATION_STEPS = 3
#: The LP starts with at most this many pairs of the relaxation's face, those of least
#: reduced cost first: national with 3 % couples and a cap has 50 k within a unit; seeded
#: with 227 k (every pair within 20 points), the LP's solves took 6.2 s instead of 4.1 s,
#: and scores that tie widely would seed it with millions.
FACE_COLUMNS = 100_000
_CHUNK = 1 << 16  # pairs priced at a time


def near_the_relaxation(
    search: SearchState, flow: FlowOutcome, placed: int, score: int
) -> IntArray:
    """Offer a plan at the relaxation's optimum or a few units below it that keeps
    couples and caps, and lower the score bound by what the steps prove (see the
    module docstring). The search has reached its bound when a plan is found there.

    Returns the usable positions of the pairs whose reduced cost is at most a unit:
    the relaxation's optimal face and its edge, where the LP's optimum mostly lies (they
    seed the LP: `search._search`); at most `FACE_COLUMNS` of them, the least reduced."""
    assert flow.potentials is not None
    side, pairs, unit = search.side, search.pairs, search.unit
    n, m = side.instance.tables.n_participants, side.instance.tables.n_openings
    deepest = ((1 << RELAXATION_STEPS) - 1) * unit  # the last step's budget
    at, cost = near_pairs(side, pairs, flow.potentials, deepest)
    search.stats["relaxation_mip_columns"] = float((cost <= 0).sum())
    within = cost <= unit
    face = least_reduced(at[within], cost[within], FACE_COLUMNS)
    search.stats["face_columns"] = float(len(face))
    leave, slot = arc_losses(flow, n, m)
    placed_by_flow = flow.assigned >= 0  # (a participant outside the network has no arc)
    step = 0
    while not search.reached() and not search.out_of_time() and step < 1 << RELAXATION_STEPS:
        target = score - step * unit
        goal = target - unit  # the same MIP finds a plan a unit below the target
        keep = at[cost <= score - target]
        slack = score - goal  # conditions at the goal: weaker than at the target
        allowed = (leave[pairs.participant[keep]] >= -slack) & (slot[pairs.opening[keep]] <= slack)
        keep = keep[allowed]
        if len(keep) > RELAXATION_MIP_COLUMNS:
            return face
        tight = Tightness(
            placed=(leave > slack) & placed_by_flow,
            full_openings=(slot < -slack) & (side.capacity > 0),
            full_caps=None,
            exact_count=True,
        )
        if proof_step(search, pairs.index[keep], placed, tight, target, goal, "relaxation_mip"):
            return face
        step = 2 * step + 1
    return face


def least_reduced(positions: IntArray, cost: IntArray, most: int) -> IntArray:
    """`positions` if they are at most `most`; else the `most` of least reduced cost (ties
    in position order), in position order."""
    if len(positions) <= most:
        return positions
    chosen = np.argsort(cost, kind="stable")[:most]
    return np.sort(positions[chosen])


def arc_losses(flow: FlowOutcome, n: int, m: int) -> tuple[IntArray, IntArray]:
    """What leaving each participant out loses (> 0 where the flow places them; < 0, what
    placing them costs) and what each free slot of an opening loses (> 0 where the flow
    fills it; < 0, what using a slot costs): minus the reduced costs of the source arcs,
    and the reduced costs of the sink arcs, under the flow's potentials."""
    assert flow.potentials is not None
    distance = flow.potentials
    source, sink = int(distance[n + m]), int(distance[n + m + 1])
    leave: IntArray = flow.placement_weight - source + distance[:n]
    slot: IntArray = distance[n : n + m] - sink
    return leave, slot


def near_pairs(
    side: SideProblem, pairs: UsablePairs, potentials: IntArray, most: float
) -> tuple[IntArray, IntArray]:
    """Usable positions whose pair's reduced cost under the potentials is at most `most`,
    and those reduced costs (d[p] - d[n + o] - profit)."""
    n = side.instance.tables.n_participants
    own, other = potentials[:n], potentials[n:]
    positions, reduced = [], []
    for first in range(0, len(pairs.index), _CHUNK):  # small temporaries: no page faults
        last = min(first + _CHUNK, len(pairs.index))
        cost = own[pairs.participant[first:last]]
        cost -= other[pairs.opening[first:last]]
        cost -= side.profit[pairs.index[first:last]]
        near = np.flatnonzero(cost <= most)
        positions.append(first + near)
        reduced.append(cost[near])
    if not positions:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(positions), np.concatenate(reduced)
