"""`solve_side`: the search of the side-constrained engine (see the package docstring).

The flow relaxation first (its placements bound every plan's; its plan, repaired, is the
first plan); then rounds of column generation on the LP master, each followed by
sub-MIPs near the LP solution and, with time left, a MIP that proves or improves the
best plan; when no plan reaches the placements bound, that bound is lowered by proof.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jet_match.solver.deadline import Deadline
from jet_match.solver.flow import best_pair_profits, solve_certified
from jet_match.solver.policy import BoolArray, IntArray
from jet_match.solver.side.basis import SavedBasis, restore_basis, saved_basis
from jet_match.solver.side.bound import (
    BOUND_TOLERANCE,
    PRICE_TOLERANCE,
    LagrangianBound,
    lagrangian_bound,
)
from jet_match.solver.side.certificate import SideCertificate, cut_prices
from jet_match.solver.side.cut_proof import (
    CUT_PROOF_COLUMNS,
    LAST_STEP_CUT_COLUMNS,
    PLANS_NEAR_CUTS_COLUMNS,
    CutLP,
    CutsAhead,
    narrowed_by_cuts,
)
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.mip_process import MipProcess
from jet_match.solver.side.pairs import (
    FloatArray,
    UsablePairs,
    best_per_participant,
    couple_candidates,
    positions_of_plan,
    usable_mask,
    usable_pairs,
)
from jet_match.solver.side.priced_cuts import Certifying, priced_cut_bound
from jet_match.solver.side.problem import SideOutcome, SideProblem
from jet_match.solver.side.relaxation_optimum import near_the_relaxation
from jet_match.solver.side.repair import repair
from jet_match.solver.side.state import Reporter, SearchState, add_stat
from jet_match.solver.side.sub_mip import (
    MAX_SUB_MIP_COLUMNS,
    MIP_NEEDS_S,
    Answer,
    Tightness,
    proof_step,
    step_answer,
    sub_mip,
)

_WIDEST_NEEDS_S = 20.0  # time left to try a MIP over every pair of the LP model
_NEAR = (0, 1)  # neighbourhoods near the LP: fractional + openings; + caps
_WIDEST = 2  # the neighbourhood of every pair of the LP model
#: The proof's first step narrowed by cuts has its rounds run ahead (`CutsAhead`) when it
#: holds this many pairs: national, 135 k.
CUTS_AHEAD_COLUMNS = CUT_PROOF_COLUMNS


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
    relaxation = solve_certified(inst, usable, side.capacity, side.profit, seed_mask, deadline)
    inst.remember_candidates(relaxation.candidates)
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
    pairs = usable_pairs(side, usable)
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
        ahead = _cuts_ahead(search, master, lagrange)
        try:
            _improve(search, master, x, widest=False)
            if search.best_value[0] < search.placed_bound:
                # No plan at the count near the LP: the proof's descent asks for one near
                # the bound (cut-off MIPs, seconds) before the widest MIP (no cutoff, a
                # minute).
                _prove(search, master, lagrange, ahead)
            widest_ran = False
            if search.best_value[0] < search.placed_bound:
                widest_ran = _improve(search, master, x, widest=True)
            if search.best_value[0] >= search.placed_bound:
                _prove(search, master, lagrange, ahead)
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
    if _improve(search, master, x, widest=True, needs_s=MIP_NEEDS_S):
        add_stat(search.stats, "rest_mips", 1.0)
    if search.best_value[0] >= search.placed_bound:
        _prove(search, master, lagrange)


def _improve(
    search: SearchState,
    master: MasterLP,
    x: FloatArray,
    *,
    widest: bool,
    needs_s: float = _WIDEST_NEEDS_S,
    near: tuple[int, ...] = _NEAR,
) -> bool:
    """Plans near the LP solution: a MIP frees the participants the LP left fractional,
    those holding an opening (then also a cap) they touch, and their partners; everyone
    else keeps the LP's pair (width 0; width 1 also frees the cap groups they touch); an
    integral LP solution is offered first. `widest`: only a MIP over every pair of the LP
    model, when `needs_s` seconds are left; otherwise the widths `near`, until one finds
    a plan at the count. True when a MIP ran."""
    side, pairs = search.side, search.pairs
    inst = side.instance
    in_model = np.flatnonzero(master.in_model)
    fractional = in_model[(x[in_model] > 1e-6) & (x[in_model] < 1 - 1e-6)]
    whole = in_model[x[in_model] >= 1 - 1e-6]
    n = inst.tables.n_participants
    if len(fractional) == 0 and not widest:  # offered by the first call already
        # An integral LP solution is itself a plan, often at the bound (`offer` checks it
        # against every rule; the neighbourhoods below would free no one, and the widest
        # MIP took seconds to find it again).
        integral = np.full(n, -1, dtype=np.int64)
        integral[pairs.participant[whole]] = pairs.index[whole]
        before = search.best_value
        search.offer(integral)
        if search.best_value > before:
            add_stat(search.stats, "lp_plans", 1.0)
    ran = False
    for width in (_WIDEST,) if widest else near:
        if search.reached() or search.out_of_time():
            return ran
        free = np.zeros(n, dtype=np.bool_)
        free[pairs.participant[fractional]] = True
        touched = np.zeros(inst.tables.n_openings, dtype=np.bool_)
        touched[pairs.opening[fractional]] = True
        free[pairs.participant[whole[touched[pairs.opening[whole]]]]] = True
        if width >= 1 and side.cap_left is not None:
            keys = np.zeros(len(side.cap_left), dtype=np.bool_)
            keys[pairs.cap_key[fractional]] = True
            free[pairs.participant[whole[keys[pairs.cap_key[whole]]]]] = True
        if width == _WIDEST:
            if search.deadline.remaining() < needs_s:
                return ran
            free[:] = True
        partner = inst.partner_of
        free[partner[free & (partner >= 0)]] = True
        columns = pairs.index[in_model[free[pairs.participant[in_model]]]]
        fixed = pairs.index[whole[~free[pairs.participant[whole]]]]
        if len(columns) > MAX_SUB_MIP_COLUMNS:
            return ran
        began = time.perf_counter()
        assigned, _, _ = sub_mip(
            side, np.sort(columns), fixed, search.placed_bound, search.best, search
        )
        ran = True
        search.offer(assigned)
        add_stat(search.stats, f"neighbourhood_{width}_s", time.perf_counter() - began)
        if assigned is not None and search.best_value[0] >= search.placed_bound:
            return ran
    return ran


def _cuts_ahead(
    search: SearchState, master: MasterLP, lagrange: LagrangianBound
) -> CutsAhead | None:
    """The rounds of cuts of the proof's first step that will need them, started now
    (`CutsAhead`); None when no step of at least `CUTS_AHEAD_COLUMNS` pairs is ahead.

    The descent's targets (`_prove`) step down from the bound; a step is narrowed by cuts
    when it holds `CUT_PROOF_COLUMNS` pairs. The plans found next can only shorten the
    descent or move its last target, so the first such step's target is known now."""
    if search.reached() or search.out_of_time() or not math.isfinite(lagrange.bound):
        return None
    ceiling, step = _first_target(search, lagrange), 0
    while step < 1 << 20:
        target = int(ceiling - step * search.unit)
        keep = _kept(lagrange, target)
        if len(keep) > MAX_SUB_MIP_COLUMNS:
            return None  # the descent turns to the widest MIP that fits
        if len(keep) >= CUT_PROOF_COLUMNS:
            if len(keep) < CUTS_AHEAD_COLUMNS:
                return None
            # Its goal, unless a plan found meanwhile is worth it (`_prove`'s `last`).
            goal = target - search.unit
            after = _step_ahead(search, lagrange, keep, goal)
            return CutsAhead(search, master, keep, target, goal, after)
        step = 2 * step + 1
    return None


@dataclass(frozen=True)
class _AheadStep:
    """A proof step's MIP asked ahead (`_step_ahead`), and what it assumed."""

    goal: int
    placed_min: int
    answer: Answer


def _step_ahead(
    search: SearchState, lagrange: LagrangianBound, keep: IntArray, goal: int
) -> Callable[[CutLP | None, Callable[[], bool]], _AheadStep | None]:
    """The step's MIP as `_prove` will ask it at `goal` after the narrowing (the kept
    pairs, the probe, the tightness; every pair of the step when no round solved), in a
    child process of its own; run by `CutsAhead` after the rounds."""
    placed_min = search.placed_bound
    tight = _tightness(search, lagrange, lagrange.bound - goal)
    # Started now, its start-up (~0.3 s) runs beside the rounds. (The main thread starts
    # it: a child asked to die with its parent dies with the thread that started it.)
    mips = MipProcess()
    mips.start()

    def ask(narrowed: CutLP | None, stop: Callable[[], bool]) -> _AheadStep | None:
        try:
            if stop():
                return None
            kept = keep if narrowed is None else narrowed.kept
            probe = True if narrowed is None else narrowed.bound < goal
            columns = search.pairs.index[kept]
            answer = step_answer(search, columns, placed_min, tight, goal, probe, mips, stop)
            return _AheadStep(goal, placed_min, answer)
        finally:
            mips.close(kill=True)

    return ask


def _first_target(search: SearchState, lagrange: LagrangianBound) -> float:
    """The descent's first target: L(y) rounded down to the unit, not above what is
    proven already (an earlier LP may have proven less)."""
    unit = search.unit
    rounded = unit * math.floor((lagrange.bound + BOUND_TOLERANCE) / unit)
    return min(rounded, search.score_ceiling())


def _prove(
    search: SearchState,
    master: MasterLP,
    lagrange: LagrangianBound,
    ahead: CutsAhead | None = None,
) -> None:
    """Prove the best plan optimal, or find a better one, by MIPs over few pairs.

    Profits are multiples of the unit (`state.profit_unit`), and so is every plan's value: a
    plan worth at least `target` uses only pairs whose loss is at most L(y) - target (the
    reduced-cost argument of `bound.py`). Targets descend from the bound itself (L(y)
    rounded down to the unit): a MIP over those pairs either reaches the target (its
    plan is then optimal on the full problem; at the rounded L(y) the certificate alone
    proves it) or shows that no plan does (the bound drops to the target less a unit).
    Each step at most doubles the distance to the bound, and the first steps hold only
    the pairs at (or near) each owner's best reduced profit: small MIPs; once the last
    step (target: the best plan's value + a unit) would hold at most twice a step's
    pairs, it is taken at once. Each MIP is cut off a unit below its target, so that it
    prunes every node below that instead of searching for the best plan under it, and
    finds a plan there when the optimum is a unit below the target.
    """
    if search.reached() or search.out_of_time() or not math.isfinite(lagrange.bound):
        return
    unit = search.unit
    # The bound whose losses keep each step's pairs: the Lagrangian, or once a step is too
    # wide for a MIP, the LP with cuts priced over every pair, if it proves less.
    narrow, priced_tried = lagrange, False
    if search.priced is not None and search.priced[0] == search.placed_bound:
        priced_tried = True  # an earlier proof at this count priced it already
        search.tighten(search.priced[1].bound)
        if search.priced[1].bound < narrow.bound:
            narrow = search.priced[1]
    ceiling = _first_target(search, narrow)
    step, previous = 0, None
    while not search.reached() and not search.out_of_time():
        # Plans' values are multiples of the unit; with no plan at the count yet, the
        # descent goes on until its MIP holds every pair (or they no longer fit in one).
        at_count = search.best_value[0] >= search.placed_bound
        last = search.best_value[1] + unit if at_count else _every_pair_target(narrow, unit)
        target = int(max(ceiling - step * unit, last))
        if previous is not None and target >= previous:
            return  # the last step asked the widest question there is
        previous = target
        keep = _kept(narrow, target)
        if len(keep) > MAX_SUB_MIP_COLUMNS and not priced_tried:
            priced_tried = True
            priced = _priced_by_cuts(search, master, last, ahead)
            if priced is not None and priced.bound < narrow.bound - BOUND_TOLERANCE:
                narrow = priced  # the descent starts again from its bound
                ceiling, step, previous = _first_target(search, narrow), 0, None
                continue
        if len(keep) > MAX_SUB_MIP_COLUMNS:
            # Too wide: the widest MIP that fits, below the bound proven so far.
            target = max(target, _lowest_fitting(narrow, unit))
            if target > min(ceiling, search.score_ceiling()):
                return
            keep = _kept(narrow, target)
        elif at_count and target > last:
            widest = _kept(narrow, last)
            if 2 * len(keep) >= len(widest) and len(widest) <= MAX_SUB_MIP_COLUMNS:
                # The last step's MIP fits, at most twice this one: ask its question now.
                target, keep = last, widest
        # Plans a unit below the target are worth finding in the same MIP: when the
        # optimum is there, a wider MIP is not needed to find it.
        goal = max(target - unit, last)
        if ahead is not None and not target >= ahead.target >= last:
            # Its step will not come: the descent is past it, or a plan found since it
            # started ends the descent above it. Its MIP would only slow this step's.
            ahead.stop()
        if _step(search, master, lagrange, ahead, keep, target, goal, last_step=target == last):
            return
        step = 2 * step + 1


def _step(
    search: SearchState,
    master: MasterLP,
    lagrange: LagrangianBound,
    ahead: CutsAhead | None,
    keep: IntArray,
    target: int,
    goal: int,
    *,
    last_step: bool,
) -> bool:
    """One step of `_prove`'s descent over the pairs `keep`: narrowed first by the LP
    with mod-2 cuts when wide (or the last step, which presolve's probe seldom refutes;
    its rounds, and the MIP after them, may have run ahead: `_cuts_ahead`), then its MIP.
    True when the descent ends here."""
    taken, narrowed = False, None
    if len(keep) >= CUT_PROOF_COLUMNS or (last_step and len(keep) >= LAST_STEP_CUT_COLUMNS):
        if ahead is not None:
            taken, narrowed = ahead.take(search, keep, target, goal)
        if not taken:
            narrowed = narrowed_by_cuts(search, master, keep, target, goal)
        if search.out_of_time():
            return True
    # Started beside the step's MIP; if the step fails, the thread ends by itself.
    certifying = _certifying(search, narrowed)
    ended = _step_answered(search, lagrange, ahead, keep, target, goal, narrowed, taken)
    if certifying is not None:
        certifying.finish(search)
    return ended


def _step_answered(
    search: SearchState,
    lagrange: LagrangianBound,
    ahead: CutsAhead | None,
    keep: IntArray,
    target: int,
    goal: int,
    narrowed: CutLP | None,
    taken: bool,
) -> bool:
    """`_step` once narrowed (or not): a plan near the LP with cuts, else the step's MIP
    over the pairs kept (asked ahead when `taken`). True when the descent ends here."""
    probe = True
    if narrowed is not None:
        if _answered_by_cuts(search, narrowed, target, goal):
            if ahead is not None:
                ahead.stop()  # its MIP is not needed
            return True
        keep = narrowed.kept
        # When the LP with cuts reaches the goal, presolve alone seldom refutes the
        # step: its probe is skipped (national, 39 k pairs: 0.68 s in vain).
        probe = narrowed.bound < goal
    search.stats["proof_columns"] = float(len(keep))
    tight = _tightness(search, lagrange, lagrange.bound - goal)
    columns = search.pairs.index[keep]
    answered = _answered_ahead(search, ahead, goal) if taken else None
    return proof_step(
        search, columns, search.placed_bound, tight, target, goal, "proof", probe, answered
    )


def _certifying(search: SearchState, narrowed: CutLP | None) -> Certifying | None:
    """The certificate from the step's LP with cuts, started beside the step's MIP: its
    prices, its cuts dualised too, over every pair (`priced_cuts.certified_by_cuts`),
    when its bound may prove more than the certificate does (None otherwise, or past the
    deadline). National, 3 % couples and a cap: generator seed 1, 733,978.33, the step's
    LP bound, proves the optimum, 733,975 (the master's prices alone: 733,995); seed 3,
    the last step's LP meets its target, 735,525, the optimum (before: 735,530)."""
    if narrowed is None or search.out_of_time() or not search.proves_more(narrowed.bound):
        return None
    # Reads the LP's bookkeeping, never its HiGHS model: a copy the thread of `CutsAhead`
    # may have made, which no longer touches it once its rounds are taken.
    return Certifying(search, narrowed.lp, narrowed.batches, narrowed.y)


def _priced_by_cuts(
    search: SearchState, master: MasterLP, goal: int, ahead: CutsAhead | None
) -> LagrangianBound | None:
    """A proof step too wide for a MIP: the LP with mod-2 cuts priced over every pair
    (`priced_cuts.py`), its rounds until its bound is below `goal` (the best plan is then
    optimal) or stops falling; its bound is proven, and its losses keep fewer pairs than
    the Lagrangian's. National, 3 % couples and a cap, generator seed 5: benchmarks/README.md."""
    if ahead is not None:
        ahead.stop()  # its step's pairs were the Lagrangian's: it will not be asked
    priced = priced_cut_bound(search, master, goal, search.report_now)
    if priced is None:
        return None
    search.tighten(priced.bound)
    search.certify_score(priced.prices, priced.certified, priced.lp.placed_min)
    bound = priced.as_bound()
    search.priced = (search.placed_bound, bound)
    if not search.reached():
        # Its solution is often a few swaps from a plan at its bound, which that bound
        # proves optimal: seed 5, a MIP near it (width 0) instead of a step's MIP over
        # the 44,544 pairs without loss, which took 0.1 s or 9 s by HiGHS's luck.
        _improve(search, priced.lp, priced.x, widest=False, near=(0,))
    return bound


def _answered_ahead(search: SearchState, ahead: CutsAhead | None, goal: int) -> Answer | None:
    """The answer of the step's MIP asked ahead, when it asked this step's question (the
    same goal and count: then the same pairs, probe and tightness); else None, and the
    MIP ahead is stopped (not waited for)."""
    if ahead is None:
        return None
    if ahead.goal != goal:  # a plan found meanwhile moved the goal
        ahead.stop()
        return None
    began = time.perf_counter()
    step = ahead.answer(search)
    add_stat(search.stats, "proof_wait_s", time.perf_counter() - began)
    if not isinstance(step, _AheadStep) or step.placed_min != search.placed_bound:
        return None
    add_stat(search.stats, "proof_ahead", 1.0)
    return step.answer


def _answered_by_cuts(search: SearchState, narrowed: CutLP, target: int, goal: int) -> bool:
    """The step answered without its MIP: the LP with cuts is below the target (no plan
    reaches it) and a plan near its solution (`_improve`, width 0 only: national, 0.15 s
    where width 1 took 5 s, longer than the step's MIP over the kept pairs) reaches the
    goal. Tried only when the step's MIP would still be wide (`PLANS_NEAR_CUTS_COLUMNS`).
    True when answered: the plan is then worth the bound, a unit below the target."""
    if narrowed.bound >= target - BOUND_TOLERANCE or len(narrowed.kept) < PLANS_NEAR_CUTS_COLUMNS:
        return False
    _improve(search, narrowed.lp, narrowed.x, widest=False, near=(0,))
    if search.best_value < (search.placed_bound, goal):
        return False
    add_stat(search.stats, "mod2_proofs", 1.0)
    # Proven: no plan reaches the target (the bound drops a unit below it, to the plan's
    # value, so the search has reached its bound).
    search.take_proof_step(None, narrowed.bound, True, target)
    return True


def _kept(lagrange: LagrangianBound, target: int) -> IntArray:
    """The pairs a plan worth `target` or more may use: loss at most L(y) - target."""
    return np.flatnonzero(lagrange.loss <= lagrange.bound - target + BOUND_TOLERANCE)


def _every_pair_target(lagrange: LagrangianBound, unit: int) -> int:
    """The highest target (a multiple of the unit) whose pairs are every pair a plan can
    use (a couple member's pair in a group its partner cannot reach loses infinitely)."""
    loss = lagrange.loss
    widest = float(loss[np.isfinite(loss)].max(initial=0.0))
    return unit * math.floor((lagrange.bound + BOUND_TOLERANCE - widest) / unit)


def _lowest_fitting(lagrange: LagrangianBound, unit: int) -> int:
    """The lowest target (a multiple of the unit) whose pairs fit in one MIP."""
    if len(lagrange.loss) <= MAX_SUB_MIP_COLUMNS:
        return -(2**62)
    # keep(target) fits while L(y) - target + tolerance stays below this loss.
    first_out = float(np.partition(lagrange.loss, MAX_SUB_MIP_COLUMNS)[MAX_SUB_MIP_COLUMNS])
    return unit * (math.floor((lagrange.bound + BOUND_TOLERANCE - first_out) / unit) + 1)


def _tightness(search: SearchState, lagrange: LagrangianBound, budget: float) -> Tightness | None:
    """What every plan worth `L(y) - budget` or more must do: L(y) minus its value is the
    sum of its owners' losses (an unplaced single loses its best reduced profit) and of
    the prices times the room it leaves (openings, caps; the placement price times the
    places above `placed_min`), all >= 0, so no single term exceeds `budget`. None (taken
    as "no plan") without prices or usable pairs, which a proof's finite bound rules out."""
    side, pairs = search.side, search.pairs
    prices = lagrange.prices
    if prices is None or len(pairs.starts) == 0:
        return None
    slack = budget + BOUND_TOLERANCE
    best = np.maximum.reduceat(lagrange.reduced, pairs.starts)
    placed = np.zeros(side.instance.tables.n_participants, dtype=np.bool_)
    placed[pairs.owners[pairs.single & ~pairs.must & (best > slack)]] = True
    full_caps = prices.cap_key > slack if side.cap_left is not None else None
    return Tightness(placed, prices.opening > slack, full_caps, prices.placement > slack)


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
        keep = _kept(lagrange, more)
        if not math.isfinite(lagrange.bound) or len(keep) > MAX_SUB_MIP_COLUMNS:
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
