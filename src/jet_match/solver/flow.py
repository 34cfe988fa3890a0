"""The min-cost flow engine: exact when there are no couples and no country caps.

Network: source -> participant (capacity 1) -> opening (capacity 1 per eligible pair,
cost -profit) -> sink (capacity = free slots). OR-Tools' `solve_max_flow_with_min_cost`
gives the lexicographic optimum of DESIGN.md: most participants placed, then the highest
total profit (score, plus `disruption` on the pair that keeps a previous placement).

Instead of handing OR-Tools every eligible pair (millions at national scale), the flow is
solved on a candidate set (each participant's best pairs, the previous placement) and
then *certified* on all pairs: node potentials from a Bellman-Ford pass over the residual
network prove that no excluded pair has a negative reduced cost; violating pairs are
added and the flow re-solved until none is left. The result is the optimum of the full
network (the same certificate as the textbook optimality condition of min-cost flow),
usually after a few rounds, in a fraction of the time and memory. Each round's
Bellman-Ford starts from the last round's potentials, so none rises; a pair priced
non-negative then stays so unless its participant's potential fell, and after the first
full pass only those participants (and those that had a violated pair) are priced again.

The certificate covers both levels of the objective, not only the score: the residual
network is a circulation with a return arc sink -> source, and each placement is worth
`lexicographic_weight` (more than any difference in total profit) on its source arc. A
candidate set that places fewer people than the full graph can (a smaller max flow)
leaves an augmenting path through some excluded pair, i.e. a negative cycle once that
pair is added, so that pair has a negative reduced cost and joins the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from jet_match.solver.deadline import Deadline
from jet_match.solver.instance import Instance
from jet_match.solver.policy import BoolArray, IntArray

#: Pairs added per participant and certification round (the most violated first); a
#: participant with violated pairs round after round gets twice as many each time.
_ADD_PER_PARTICIPANT = 8
#: The allowance stops doubling here (8 << 10: more pairs than anyone has).
_MAX_DOUBLINGS = 10
#: After this many rounds the remaining violated pairs are all added at once.
_MAX_ROUNDS = 12
#: A re-solve of the same records (`Instance.solved_before`) adds a round's violated pairs
#: all at once while there are at most this many: its potentials start near the last
#: solve's, so they are few (national, after edits: 348-1,191 pairs of 19-76 people),
#: and the allowance per participant only spread them over more rounds (5 -> 3).
_ALL_AT_ONCE = 20_000
#: Pairs priced at once (bounds the temporaries of certification at any scale).
_CHUNK = 1 << 23
#: After the first round only the participants whose potential fell (or who had a
#: violated pair) are priced again, while their pairs are at most this share of all.
_PARTIAL_SHARE = 0.25
#: A certified solve remembers for the next solve of the same records only the candidates
#: whose reduced cost is within this many points of zero (and the plan's pairs): the
#: others need the potentials to move that far before they matter. Without it the set
#: only grew (national, 20 edits and 20 withdrawals: 111 k -> 362 k pairs); with it,
#: 47-87 k and as many certification rounds (benchmarks/README.md, "the remembered
#: candidates bounded").
REMEMBER_WITHIN = 50
#: A re-solve keeps its plan for a later round when Bellman-Ford finds potentials over
#: the pairs added within this many passes (`potentials`); else the flow is solved again
#: (national, after edits: found in 1-2 passes when the plan stands; a first certificate
#: takes 0-26).
_CHECK_SWEEPS = 8
#: Potentials and profits below this in magnitude are priced in int32 (no overflow).
_NARROW = 1 << 29


@dataclass(frozen=True)
class FlowOutcome:
    """Pair index assigned to each participant (-1: unplaced) and how it was found.

    `certified` is False when the deadline stopped the rounds before the certificate:
    the plan is then optimal over `candidates` only, and its value bounds nothing.
    """

    assigned: IntArray
    candidates: BoolArray
    rounds: int
    arcs: int
    certified: bool = True
    #: The certificate's potentials (`potentials`), when certified: every pair's reduced
    #: cost d[p] - d[n + o] - profit is >= 0 unless the plan uses it.
    potentials: IntArray | None = None
    #: What placing someone is worth on their source arc (`lexicographic_weight`).
    placement_weight: int = 0

    def to_remember(self, instance: Instance, profit: IntArray) -> BoolArray:
        """The candidates worth seeding the next solve of the same records with: the
        plan's pairs and, once certified, those within `REMEMBER_WITHIN` of a zero reduced
        cost under the certificate's potentials (all of them, uncertified)."""
        if self.potentials is None:
            return self.candidates
        n, d = instance.tables.n_participants, self.potentials
        at = np.flatnonzero(self.candidates)
        reduced = d[:n][instance.pair_p[at]] - d[n:-2][instance.pair_o[at]] - profit[at]
        kept = np.zeros(len(self.candidates), dtype=np.bool_)
        kept[at[reduced <= REMEMBER_WITHIN]] = True
        kept[self.assigned[self.assigned >= 0]] = True
        return kept


def solve_min_cost_flow(
    instance: Instance, pairs: IntArray, capacity: IntArray, profit: IntArray
) -> IntArray:
    """Lexicographic optimum (max placed, then max profit) over the given pair indices."""
    t = instance.tables
    n, m = t.n_participants, t.n_openings
    assigned = np.full(n, -1, dtype=np.int64)
    if len(pairs) == 0:
        return assigned
    source, sink = n + m, n + m + 1
    people = _participants_of(instance, pairs)
    slots = np.flatnonzero(capacity > 0)
    flow = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.full(len(people), source), instance.pair_p[pairs], n + slots])
    heads = np.concatenate(
        [people, n + instance.pair_o[pairs].astype(np.int64), np.full(len(slots), sink)]
    )
    capacities = np.concatenate(
        [np.ones(len(people), dtype=np.int64), np.ones(len(pairs), dtype=np.int64), capacity[slots]]
    )
    costs = np.concatenate(
        [
            np.zeros(len(people), dtype=np.int64),
            -profit[pairs],
            np.zeros(len(slots), dtype=np.int64),
        ]
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    supply = int(min(len(people), capacity.sum()))
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # pragma: no cover - capacities are consistent by construction
        raise RuntimeError(f"min-cost flow failed with status {status}")
    first = len(people)
    used = flow.flows(np.arange(first, first + len(pairs), dtype=np.int32)) > 0
    chosen = pairs[used]
    assigned[instance.pair_p[chosen]] = chosen
    return assigned


def best_pair_profits(instance: Instance, pairs: BoolArray, profit: IntArray) -> IntArray:
    """The highest profit of each participant having one of `pairs` (a mask; pairs are
    sorted by participant, so one reduceat pass)."""
    at = np.flatnonzero(pairs)
    if len(at) == 0:
        return np.zeros(0, dtype=np.int64)
    owner = instance.pair_p[at]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    best: IntArray = np.maximum.reduceat(profit[at], starts)
    return best


def lexicographic_weight(instance: Instance, profit: IntArray) -> int:
    """A weight per placement larger than any possible difference in total profit."""
    if len(profit) == 0:
        return 1
    starts = np.flatnonzero(np.r_[True, instance.pair_p[1:] != instance.pair_p[:-1]])
    best = np.maximum.reduceat(profit, starts).clip(0)
    return (
        int(best.sum()) + int(instance.problem.weights.disruption) * instance.disruption_base() + 1
    )


def potentials(
    instance: Instance,
    pairs: IntArray,
    assigned: IntArray,
    capacity: IntArray,
    profit: IntArray,
    placement_weight: int,
    people: IntArray,
    start: IntArray | None = None,
    sweeps: int | None = None,
) -> IntArray | None:
    """Shortest-path distances in the residual network (the optimality certificate), or
    None when they are not found within `sweeps` passes over the arcs (by default all it
    may take): then the residual network may have a negative cycle, and `assigned` may
    not be optimal over `pairs`.

    Nodes: participants 0..n-1, openings n..n+m-1, source n+m, sink n+m+1. Placing
    someone is worth `placement_weight` (the source arc), so one certificate covers both
    levels of the lexicographic objective. Bellman-Ford starts from `start` (zeros by
    default): any finite start gives valid potentials, none above the start's.
    """
    t = instance.tables
    n, m = t.n_participants, t.n_openings
    source, sink = n + m, n + m + 1
    chosen = np.zeros(len(instance.pair_p), dtype=np.bool_)
    chosen[assigned[assigned >= 0]] = True
    used = chosen[pairs]
    load = np.bincount(instance.pair_o[assigned[assigned >= 0]], minlength=m)
    placed = assigned[people] >= 0
    p_of, o_of = (
        instance.pair_p[pairs].astype(np.int64),
        n + instance.pair_o[pairs].astype(np.int64),
    )
    openings = np.arange(m)
    free = openings[load < capacity]
    busy = openings[load > 0]
    tails = np.concatenate(
        [
            np.where(placed, people, source),
            np.where(used, o_of, p_of),
            n + free,
            np.full(len(busy), sink),
            [sink],
            [source] if placed.any() else [],
        ]
    ).astype(np.int64)
    heads = np.concatenate(
        [
            np.where(placed, source, people),
            np.where(used, p_of, o_of),
            np.full(len(free), sink),
            n + busy,
            [source],
            [sink] if placed.any() else [],
        ]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            np.where(placed, placement_weight, -placement_weight),
            np.where(used, profit[pairs], -profit[pairs]),
            np.zeros(len(free) + len(busy) + 1 + int(placed.any()), dtype=np.int64),
        ]
    ).astype(np.int64)
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]]) if len(heads) else heads
    targets = heads[starts]
    distance = np.zeros(n + m + 2, dtype=np.int64) if start is None else start.copy()
    for _ in range(n + m + 3 if sweeps is None else sweeps):
        best = np.minimum.reduceat(distance[tails] + costs, starts) if len(heads) else costs
        improved = np.minimum(distance[targets], best)
        if np.array_equal(improved, distance[targets]):
            return distance
        distance[targets] = improved
    return None


def solve_certified(
    instance: Instance,
    admissible: BoolArray,
    capacity: IntArray,
    profit: IntArray,
    seed: BoolArray,
    deadline: Deadline | None = None,
) -> FlowOutcome:
    """The min-cost flow over all admissible pairs, solved on a growing candidate set.

    The first round always runs (it gives the plan); once `deadline` has expired, the
    rounds stop (before a certificate or a new round) and the last round's plan is
    returned uncertified.
    """
    candidates = seed & admissible
    n = instance.tables.n_participants
    people = _participants_having(instance, admissible)
    weight = lexicographic_weight(instance, profit)
    excluded = ~admissible
    narrow_profit = (
        profit.astype(np.int32)
        if len(profit) and int(profit.min()) > -_NARROW and int(profit.max()) < _NARROW
        else None
    )
    rounds = 0
    resolve = instance.solved_before()
    # A re-solve's first certificate starts from the last solve's potentials: Bellman-Ford
    # then lowers only those a change reaches, and the pairs far from it stay priced as
    # they were (from zeros, another optimal dual moved them: national, after edits, 2-49
    # pairs of people no edit touched violated by 5-30 points, a second round).
    distance: IntArray | None = instance.remembered_potentials() if resolve else None
    # Participants whose pairs the last pricing did not clear at the current potentials:
    # None means every participant (a full pass over the pairs).
    stale: BoolArray | None = None
    # Consecutive rounds each participant had violated pairs (its allowance doubles).
    streak = np.zeros(n, dtype=np.int64)
    assigned: IntArray | None = None
    while True:
        rounds += 1
        pairs = np.flatnonzero(candidates)
        previous = distance
        # A re-solve's later round: the pairs just added may only have been priced out by
        # the last potentials, not by every certificate of the same plan (national, after
        # edits: hundreds of pairs violated by 40-60 points where an opening's potential
        # fell). If Bellman-Ford still finds potentials, the plan stays optimal with them
        # and the flow need not be solved again.
        kept = (
            potentials(
                instance, pairs, assigned, capacity, profit, weight, people, previous, _CHECK_SWEEPS
            )
            if resolve and assigned is not None
            else None
        )
        if kept is None or assigned is None:
            assigned = solve_min_cost_flow(instance, pairs, capacity, profit)
        if deadline is not None and deadline.expired():  # no time for the certificate
            return FlowOutcome(assigned, candidates, rounds, len(pairs), certified=False)
        # Bellman-Ford from the last potentials: no potential rises, so a pair that was
        # priced non-negative stays so unless its participant's potential fell.
        if kept is None:
            kept = potentials(instance, pairs, assigned, capacity, profit, weight, people, previous)
        if kept is None:  # pragma: no cover - the flow is optimal over its pairs
            raise RuntimeError("negative cycle in the residual network")
        distance = kept
        if previous is not None and stale is not None:
            stale |= distance[:n] < previous[:n]
        positions = None
        if stale is not None:
            bounds = instance.participant_bounds()
            again = np.flatnonzero(stale)
            if int((bounds[again + 1] - bounds[again]).sum()) <= _PARTIAL_SHARE * len(profit):
                positions = instance.pairs_of(again)
        quota = (
            _ADD_PER_PARTICIPANT << np.minimum(streak, _MAX_DOUBLINGS)
            if rounds < _MAX_ROUNDS
            else None
        )
        violated, costs = _price(
            instance,
            distance,
            profit,
            (candidates, excluded),
            positions,
            quota=None if resolve else quota,
            narrow_profit=narrow_profit,
        )
        if len(violated) == 0:
            return FlowOutcome(
                assigned,
                candidates,
                rounds,
                len(pairs),
                potentials=distance,
                placement_weight=weight,
            )
        if deadline is not None and deadline.expired():
            return FlowOutcome(assigned, candidates, rounds, len(pairs), certified=False)
        # Participants with a violated pair are priced again next round (some of their
        # violated pairs may not have been added).
        stale = np.zeros(n, dtype=np.bool_)
        stale[instance.pair_p[violated]] = True
        streak = np.where(stale, streak + 1, 0)
        if quota is not None and (not resolve or len(violated) > _ALL_AT_ONCE):
            violated = violated[_most_violated(instance, violated, costs, quota)]
        candidates = candidates.copy()
        candidates[violated] = True


def _price(
    instance: Instance,
    distance: IntArray,
    profit: IntArray,
    skip: tuple[BoolArray, BoolArray],
    positions: IntArray | None,
    *,
    quota: IntArray | None,
    narrow_profit: npt.NDArray[np.int32] | None = None,
) -> tuple[IntArray, IntArray]:
    """Pairs with a negative reduced cost under the potentials (in neither `skip` mask),
    and their reduced costs: among `positions`, or over all pairs in chunks (so that the
    temporaries stay small at any scale). With `quota` (per participant), only each
    participant's `quota` most violated pairs are kept (chunk by chunk; the caller keeps
    the best overall).

    A full pass reads the participants' potentials run by run (pairs are sorted by
    participant) and, when `narrow_profit` (profit as int32) is given and the potentials
    are small enough for no sum to overflow, computes in int32: half the memory traffic.
    """
    n = instance.tables.n_participants
    if positions is not None:
        reduced = distance[:n][instance.pair_p[positions]]
        reduced -= distance[n:-2][instance.pair_o[positions]]
        reduced -= profit[positions]
        return _violated(instance, reduced, positions, skip, quota)
    narrow = narrow_profit is not None and int(np.abs(distance).max(initial=0)) < _NARROW
    own: npt.NDArray[np.signedinteger[Any]] = distance[:n]
    other: npt.NDArray[np.signedinteger[Any]] = distance[n:-2]
    cost: npt.NDArray[np.signedinteger[Any]] = profit
    if narrow and narrow_profit is not None:
        own, other, cost = own.astype(np.int32), other.astype(np.int32), narrow_profit
    bounds = instance.participant_bounds()
    parts, values = [], []
    for first in range(0, len(profit), _CHUNK):
        last = min(first + _CHUNK, len(profit))
        edges: IntArray = np.clip(bounds, first, last)
        reduced = np.repeat(own, edges[1:] - edges[:-1])
        reduced -= other[instance.pair_o[first:last]]
        reduced -= cost[first:last]
        index, value = _violated(instance, reduced, first, skip, quota)
        parts.append(index)
        values.append(value)
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(parts), np.concatenate(values)


def _violated(
    instance: Instance,
    reduced: npt.NDArray[np.signedinteger[Any]],
    positions: IntArray | int,
    skip: tuple[BoolArray, BoolArray],
    quota: IntArray | None,
) -> tuple[IntArray, IntArray]:
    """Pair indices with a negative reduced cost (not skipped) and their reduced costs;
    `positions` are the pairs of `reduced`, or the first of a run of consecutive ones."""
    at = np.flatnonzero(reduced < 0)
    index = at + positions if isinstance(positions, int) else positions[at]
    kept = ~(skip[0][index] | skip[1][index])
    at, index = at[kept], index[kept]
    if quota is not None:
        best = _most_violated(instance, index, reduced[at], quota)
        at, index = at[best], index[best]
    return index, reduced[at].astype(np.int64)


def _participants_having(instance: Instance, mask: BoolArray) -> IntArray:
    """Sorted participants having at least one pair in `mask` (one pass over each
    participant's run of pairs, no gather over all pairs)."""
    bounds = instance.participant_bounds()
    owners = np.flatnonzero(bounds[1:] > bounds[:-1])
    if len(owners) == 0:
        return np.zeros(0, dtype=np.int64)
    having = np.logical_or.reduceat(mask, bounds[owners])
    found: IntArray = owners[having].astype(np.int64)
    return found


def _participants_of(instance: Instance, pairs: IntArray) -> IntArray:
    """Sorted participants having at least one of the pairs."""
    mark = np.zeros(instance.tables.n_participants, dtype=np.bool_)
    mark[instance.pair_p[pairs]] = True
    return np.flatnonzero(mark).astype(np.int64)


def rank_in_runs(keys: npt.NDArray[np.integer[Any]]) -> IntArray:
    """Position of each element within its run of equal consecutive keys (0, 1, ...)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    rank: IntArray = np.arange(len(keys)) - np.repeat(first, np.diff(np.r_[first, len(keys)]))
    return rank


def _most_violated(
    instance: Instance, violated: IntArray, reduced: IntArray, quota: IntArray
) -> IntArray:
    """Positions (in `violated`) of each participant's `quota[participant]` most negative
    reduced-cost pairs (ties by pair index)."""
    order = np.lexsort((violated, reduced, instance.pair_p[violated]))
    owners = instance.pair_p[violated[order]]
    best: IntArray = order[rank_in_runs(owners) < quota[owners]]
    return best
