"""`solve_side`: the search of the side-constrained engine (see the package docstring).

The flow relaxation first (its placements bound every plan's; its plan, repaired, is the
first plan); then rounds of column generation on the LP master, each followed by
sub-MIPs near the LP solution (`near_lp.py`) and, with time left, the proof's descent
(`descent.py`), which proves the best plan optimal or improves it; when no plan reaches
the placements bound, that bound is lowered by proof.
"""

from __future__ import annotations

import math
import time
from functools import partial

import numpy as np

from jet_match.solver.deadline import Deadline
from jet_match.solver.flow import best_pair_profits, solve_certified
from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side import sub_mip as sub_mips
from jet_match.solver.side.basis import SavedBasis, restore_basis, saved_basis
from jet_match.solver.side.beside import Beside
from jet_match.solver.side.bound import (
    BOUND_TOLERANCE,
    PRICE_TOLERANCE,
    LagrangianBound,
    lagrangian_bound,
)
from jet_match.solver.side.certificate import SideCertificate, cut_prices
from jet_match.solver.side.descent import cuts_ahead, kept, prove
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.near_lp import improve
from jet_match.solver.side.pairs import (
    FloatArray,
    UsablePairs,
    best_per_participant,
    couple_candidates,
    positions_of_plan,
    usable_mask,
    usable_pairs,
)
from jet_match.solver.side.problem import SideOutcome, SideProblem
from jet_match.solver.side.relaxation_optimum import near_the_relaxation
from jet_match.solver.side.repair import repair
from jet_match.solver.side.state import Reporter, SearchState, add_stat
from jet_match.solver.side.sub_mip import MIP_NEEDS_S, sub_mip


def solve_side(
    side: SideProblem,
    *,
    deadline: Deadline,
    seed: int,
    report: Reporter | None,
    target_gap: float = 0.0,
) -> SideOutcome:
    """Solve couples and caps; see the package docstring for the method."""
    inst = side.instance
    started = time.perf_counter()
    usable = usable_mask(side)
    # Each participant's best pairs, their previous pair, and what an earlier solve of
    # the same records needed (so that a re-solve after a withdrawal certifies at once).
    seed_mask = usable & inst.seed_candidates()
    # A first solve of these records goes on past its relaxation (a re-solve's, after a
    # withdrawal, mostly ends there): its pairs are indexed beside the flow.
    indexed = (
        None
        if inst.solved_before()
        else Beside("usable-pairs", partial(usable_pairs, side, usable))
    )
    relaxation = solve_certified(inst, usable, side.capacity, side.profit, seed_mask, deadline)
    inst.remember_candidates(relaxation.to_remember(inst, side.profit), relaxation.potentials)
    relaxed = relaxation.assigned
    relax_placed, relax_score = side.value(relaxed)
    stats: dict[str, float] = {
        "relaxation_placed": float(relax_placed),
        "relaxation_score": float(relax_score),
        "relaxation_rounds": float(relaxation.rounds),
        "relaxation_s": time.perf_counter() - started,
    }
    relaxed_keeps_rules = side.feasible(relaxed)
    if relaxation.certified and relaxed_keeps_rules:
        return SideOutcome(relaxed, relax_placed, relax_score, relax_placed, relax_score, stats)
    if deadline.expired():
        return _first_plan_only(side, usable, relaxation.certified, relaxed, stats, deadline)
    pairs = usable_pairs(side, usable) if indexed is None else indexed.result()
    search = SearchState(
        side=side,
        pairs=pairs,
        deadline=deadline,
        seed=seed,
        report=report,
        target_gap=target_gap,
        # Stopped before its certificate, the relaxation bounds nothing: fall back on
        # what no plan can exceed (everyone with a usable pair placed, at their best).
        placed_bound=relax_placed if relaxation.certified else _most_placeable(side, pairs),
        score_bound=float(relax_score) if relaxation.certified else math.inf,
        best=relaxed,
        best_value=(relax_placed, relax_score) if relaxed_keeps_rules else (-1, 0),
        stats=stats,
    )
    face = np.zeros(0, dtype=np.int64)  # pairs within a unit of the relaxation's optimum
    try:
        if relaxation.potentials is not None:  # certified, and its plan breaks a rule
            face = near_the_relaxation(search, relaxation, relax_placed, relax_score)
            if search.reached():
                # Worth the bound the flow's certificate and the steps prove: optimal.
                placed, score = search.best_value
                ceiling = int(search.score_ceiling())
                return SideOutcome(search.best, placed, score, placed, ceiling, stats)
        costs = side.profit[pairs.index].astype(np.float64)
        began = time.perf_counter()
        if relaxation.certified:
            search.placement_prices = cut_prices(side, pairs, relaxed)
        stats["cut_s"] = time.perf_counter() - began
        if not relaxed_keeps_rules:
            start = repair(side, relaxed, deadline)
            search.offer(start)
            if search.best_value[0] < 0:
                search.best = start  # it breaks a rule, but its pairs seed the LP
        search.notify()
        stats["repair_s"] = time.perf_counter() - started
        if not search.out_of_time():
            _search(search, costs, seed_mask, face, started)
    finally:
        search.mips.close()
    return _finish(search, costs, started)


def penalty_of(side: SideProblem) -> float:
    """Cost of each place the LP misses of the cardinality row: more than any profit."""
    return 10.0 * (float(side.profit.max(initial=0)) + 1.0)


def _search(
    search: SearchState, costs: FloatArray, seed_mask: BoolArray, face: IntArray, started: float
) -> None:
    """Column generation rounds, plans near each LP solution, proofs (see the package).

    The LP starts from the seeds, the pairs of the first plan and of an earlier solve's LP,
    and `face` (usable positions within a unit of the flow relaxation's optimum, under
    its potentials): national, 3 % couples and a cap, 2 rounds of column generation
    instead of 5 (benchmarks/README.md)."""
    side, pairs, stats = search.side, search.pairs, search.stats
    inst = side.instance
    penalty = penalty_of(side)
    seeds = (
        seed_mask[pairs.index]
        | couple_candidates(side, pairs)
        | positions_of_plan(pairs, search.best)
        | positions_of_plan(pairs, inst.remembered_side_columns())
    )
    seeds[face] = True
    master = MasterLP(side, pairs, search.placed_bound, penalty, search.seed, stats)
    master.add(np.flatnonzero(seeds), costs)
    stats["master_s"] = time.perf_counter() - started
    warm = inst.remembered_side_basis()  # an earlier solve's final basis
    while not search.reached() and not search.out_of_time():
        if isinstance(warm, SavedBasis):
            if restore_basis(master, warm):
                stats["lp_warm_start"] = 1.0
            warm = None
        lagrange, x = _generate_columns(search, master, costs, score=True)
        search.stats["lp_s"] = time.perf_counter() - started
        if x is None:
            break
        if master.slack > 0.5:
            # The LP does not reach placed_bound: no plan near it will either.
            if not master.converged:
                break
            if _bound_placements(search, master, costs, penalty):
                continue
        ahead = cuts_ahead(search, master, lagrange)
        try:
            improve(search, master, x, widest=False)
            if search.best_value[0] < search.placed_bound:
                # No plan at the count near the LP: the proof's descent asks for one near
                # the bound (cut-off MIPs, seconds) before the widest MIP (no cutoff, a
                # minute).
                prove(search, master, lagrange, ahead)
            widest_ran = False
            if search.best_value[0] < search.placed_bound:
                widest_ran = improve(search, master, x, widest=True)
            if search.best_value[0] >= search.placed_bound:
                prove(search, master, lagrange, ahead)
                if not widest_ran:
                    _spend_the_rest(search, master, x, lagrange)
                break
        finally:
            if ahead is not None:
                began = time.perf_counter()
                ahead.close()
                add_stat(stats, "ahead_close_s", time.perf_counter() - began)
        # No plan places placed_bound people yet: bound the placements by proof.
        moved = _bound_placements(search, master, costs, penalty)
        if not moved and search.best_value[0] < search.placed_bound:
            if not widest_ran:
                _spend_the_rest(search, master, x, lagrange)
            break
    stats["columns"] = float(master.in_model.sum())
    stats["couple_rows"] = float(len(master.couple_keys))
    # The LP model's pairs seed the next solve of the same records.
    inst.remember_side_columns(pairs.index[master.in_model])
    basis = saved_basis(master)
    if basis is not None:
        inst.remember_side_basis(basis)


def _first_plan_only(
    side: SideProblem,
    usable: BoolArray,
    certified: bool,
    relaxed: IntArray,
    stats: dict[str, float],
    deadline: Deadline,
) -> SideOutcome:
    """Out of time after the relaxation: its plan repaired, with the bound it proves (or,
    uncertified, what no plan exceeds: everyone with a usable pair, at their best)."""
    start = relaxed if side.feasible(relaxed) else repair(side, relaxed, deadline)
    placed, score = side.value(start)
    if certified:
        placed_bound, score_bound = side.value(relaxed)
    else:
        best = best_pair_profits(side.instance, usable, side.profit)
        placed_bound = min(len(best), int(side.capacity.clip(0).sum()))
        score_bound = int(best.clip(0).sum())
    feasible = side.feasible(start)
    return SideOutcome(
        start, placed, score, placed_bound, max(score_bound, score), stats, feasible=feasible
    )


def _most_placeable(side: SideProblem, pairs: UsablePairs) -> int:
    """A bound on the placements of any plan: participants with a usable pair, at most
    the free slots."""
    return int(min(len(pairs.owners), int(side.capacity.clip(0).sum())))


def _finish(search: SearchState, costs: FloatArray, started: float) -> SideOutcome:
    side, pairs = search.side, search.pairs
    search.stats["total_s"] = time.perf_counter() - started
    placed, score = side.value(search.best)
    ceiling = search.score_ceiling()
    if not math.isfinite(ceiling):
        ceiling = float(np.maximum.reduceat(costs, pairs.starts).clip(0).sum()) if len(costs) else 0
    return SideOutcome(
        assigned=search.best,
        placed=placed,
        score=score,
        placed_bound=search.placed_bound,
        score_bound=int(max(ceiling, score) if placed >= search.placed_bound else ceiling),
        stats=search.stats,
        feasible=search.best_value[0] >= 0,
        certificate=SideCertificate(search.placement_prices, search.score_prices),
    )


def _generate_columns(
    search: SearchState, master: MasterLP, costs: FloatArray, *, score: bool
) -> tuple[LagrangianBound, FloatArray | None]:
    """Column generation until the Lagrangian bound meets the LP value (or time runs out).

    With `score`, each round's Lagrangian bound tightens the search's score bound; it stops
    early once the bound is within a tenth of the target gap of the LP value.
    """
    side, pairs = search.side, search.pairs
    best = LagrangianBound(math.inf, costs, np.zeros(len(costs)))
    x: FloatArray | None = None
    master.converged = False
    while not search.out_of_time():
        solved = master.solve(search.deadline)
        if solved is None:
            break
        prices, duals, x_columns = solved
        x = np.zeros(len(pairs.participant))
        x[master.order()] = x_columns
        current = lagrangian_bound(side, pairs, costs, prices, master.placed_min)
        if current.bound < best.bound:
            best = current
        if score:
            search.tighten(best.bound)
            search.certify_score(current.prices, current.bound, master.placed_min)
        add_stat(search.stats, "lp_rounds", 1.0)
        lp_value = float(master.highs.getInfo().objective_function_value)
        slack = best.bound - lp_value
        if slack < 1.0 - BOUND_TOLERANCE:
            master.converged = True
            break
        if score and slack <= 0.1 * search.target_gap * abs(best.bound):
            break
        lp_reduced = current.reduced - duals
        positive = np.flatnonzero((lp_reduced > PRICE_TOLERANCE) & ~master.in_model)
        if len(positive) == 0:
            master.converged = True
            break
        master.add(best_per_participant(pairs, positive, lp_reduced[positive]), costs)
    return best, x


def _spend_the_rest(
    search: SearchState, master: MasterLP, x: FloatArray, lagrange: LagrangianBound
) -> None:
    """The search has no step left that fits in a MIP (the next proof would hold more
    than `MAX_SUB_MIP_COLUMNS` pairs, or no more placements are proven or ruled out), yet
    time remains: the widest MIP over every pair of the LP model gets all of it, started
    from the best plan, then the proof is asked again at the new plan's value.

    The time was the coordinator's to give: 1,500 participants, 40 % of them in couples,
    30 s: the search stopped at 12 s with 8 placements missing (1,381 of a proven 1,389);
    this MIP found 1,389 placed, a profit unit below the optimum (benchmarks/README.md)."""
    if search.reached() or search.out_of_time():
        return
    if improve(search, master, x, widest=True, needs_s=MIP_NEEDS_S):
        add_stat(search.stats, "rest_mips", 1.0)
    if search.best_value[0] >= search.placed_bound:
        prove(search, master, lagrange)


def _bound_placements(
    search: SearchState, master: MasterLP, costs: FloatArray, penalty: float
) -> bool:
    """Lower `placed_bound` towards the best plan's placements, by proof.

    First the LP of the cardinality problem (column generation with unit costs, no
    cardinality row) gives a Lagrangian bound on every plan's placements. If that still
    leaves room above the best plan, a MIP over the pairs whose Lagrangian loss leaves
    room for one more placement asks for a plan placing more than the best one: none
    means the best plan's count is the maximum; one becomes the new best plan. Returns
    True when placed_bound moved (the search then goes on at the new count).
    """
    add_stat(search.stats, "placement_rounds", 1.0)
    side, pairs = search.side, search.pairs
    before = search.placed_bound
    ones = np.ones(len(pairs.participant))
    master.set_costs(ones, 0.0, -np.inf)
    lagrange, _ = _generate_columns(search, master, ones, score=False)
    search.certify_placements(lagrange)
    if math.isfinite(lagrange.bound):
        proven = max(math.floor(lagrange.bound + BOUND_TOLERANCE), search.best_value[0], 0)
        search.placed_bound = min(search.placed_bound, proven)
    while search.best_value[0] < search.placed_bound and not search.out_of_time():
        more = search.best_value[0] + 1
        keep = kept(lagrange, more)
        if not math.isfinite(lagrange.bound) or len(keep) > sub_mips.MAX_SUB_MIP_COLUMNS:
            break
        assigned, _, proven_optimal = sub_mip(
            side, pairs.index[keep], np.zeros(0, dtype=np.int64), more, None, search
        )
        if assigned is None:
            if proven_optimal:  # no plan places `more` people
                search.placed_bound = search.best_value[0]
            break
        search.offer(assigned)
    moved = search.placed_bound < before
    if moved:
        search.score_bound = math.inf
        search.score_prices = None  # they assumed the old count
        search.notify()
    master.set_costs(costs, penalty, float(search.placed_bound))
    return moved
