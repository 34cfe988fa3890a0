"""The proof's descent of integer targets (`prove`): MIPs over the pairs a plan worth
each target may use, under the Lagrangian bound's losses, from the bound down to the
best plan's value; a wide step narrowed first by the LP with mod-2 cuts (`cut_proof.py`,
its rounds and MIP run ahead on the second core: `cuts_ahead`), a step too wide for any
MIP by that LP priced over every pair (`priced_cuts.py`); each step's cuts certify what
they prove (`priced_cuts.Certifying`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jet_match.solver.policy import IntArray
from jet_match.solver.side import sub_mip as sub_mips
from jet_match.solver.side.bound import BOUND_TOLERANCE, LagrangianBound
from jet_match.solver.side.cut_lp import CutLP
from jet_match.solver.side.cut_proof import (
    CUT_PROOF_COLUMNS,
    LAST_STEP_CUT_COLUMNS,
    PLANS_NEAR_CUTS_COLUMNS,
    AfterRounds,
    CutsAhead,
    narrowed_by_cuts,
)
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.mip_process import MipProcess
from jet_match.solver.side.near_lp import improve
from jet_match.solver.side.priced_cuts import Certifying, PricedCuts, priced_cut_bound
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import Answer, Tightness, proof_step, step_answer

#: The proof's first step narrowed by cuts has its rounds run ahead (`CutsAhead`) when it
#: holds this many pairs: national, 135 k.
CUTS_AHEAD_COLUMNS = CUT_PROOF_COLUMNS


def cuts_ahead(
    search: SearchState, master: MasterLP, lagrange: LagrangianBound
) -> CutsAhead | None:
    """The rounds of cuts of the proof's first step that will need them, started now
    (`CutsAhead`); None when no step of at least `CUTS_AHEAD_COLUMNS` pairs is ahead.

    The descent's targets (`prove`) step down from the bound; a step is narrowed by cuts
    when it holds `CUT_PROOF_COLUMNS` pairs. The plans found next can only shorten the
    descent or move its last target, so the first such step's target is known now."""
    if search.reached() or search.out_of_time() or not math.isfinite(lagrange.bound):
        return None
    ceiling, step = _first_target(search, lagrange), 0
    while step < 1 << 20:
        target = int(ceiling - step * search.unit)
        keep = kept(lagrange, target)
        if len(keep) > sub_mips.MAX_SUB_MIP_COLUMNS:
            return None  # the descent turns to the widest MIP that fits
        if len(keep) >= CUT_PROOF_COLUMNS:
            if len(keep) < CUTS_AHEAD_COLUMNS:
                return None
            # Its goal, unless a plan found meanwhile is worth it (`prove`'s `last`).
            goal = target - search.unit
            # Started now, its start-up (~0.3 s) runs beside the rounds. (The main thread
            # starts it: a child asked to die with its parent dies with the thread that
            # started it.)
            mips = MipProcess()
            mips.start()
            after = _step_ahead(search, lagrange, keep, mips)
            return CutsAhead(search, master, keep, target, goal, after, on_stop=mips.kill)
        step = 2 * step + 1
    return None


@dataclass(frozen=True)
class _AheadStep:
    """A proof step's MIP asked ahead (`_step_ahead`), and what it assumed."""

    goal: int
    placed_min: int
    answer: Answer


def _step_ahead(
    search: SearchState, lagrange: LagrangianBound, keep: IntArray, mips: MipProcess
) -> AfterRounds:
    """The step's MIP as `prove` will ask it at its goal after the narrowing (the kept
    pairs, the probe, the tightness; every pair of the step when no round solved), in
    `mips`, a child process of its own; run by `CutsAhead` after the rounds."""
    placed_min = search.placed_bound

    def ask(narrowed: CutLP | None, goal: int, stop: Callable[[], bool]) -> _AheadStep | None:
        try:
            if stop():
                return None
            kept = keep if narrowed is None else narrowed.kept
            probe = True if narrowed is None else narrowed.bound < goal
            columns = search.pairs.index[kept]
            tight = _step_tightness(search, lagrange, goal, narrowed, placed_min)
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


def prove(
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
    by_cuts: PricedCuts | None = None  # the LP with cuts whose losses are `narrow`'s
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
        keep = kept(narrow, target)
        if len(keep) > sub_mips.MAX_SUB_MIP_COLUMNS and not priced_tried:
            priced_tried = True
            priced = _priced_by_cuts(search, master, last, ahead)
            if priced is not None and priced.bound < narrow.bound - BOUND_TOLERANCE:
                narrow, by_cuts = priced.as_bound(), priced  # the descent starts again
                ceiling, step, previous = _first_target(search, narrow), 0, None
                continue
        if len(keep) > sub_mips.MAX_SUB_MIP_COLUMNS:
            # Too wide: the widest MIP that fits, below the bound proven so far.
            target = max(target, _lowest_fitting(narrow, unit))
            if target > min(ceiling, search.score_ceiling()):
                return
            keep = kept(narrow, target)
        elif at_count and target > last:
            widest = kept(narrow, last)
            if 2 * len(keep) >= len(widest) and len(widest) <= sub_mips.MAX_SUB_MIP_COLUMNS:
                # The last step's MIP fits, at most twice this one: ask its question now.
                target, keep = last, widest
        # Plans a unit below the target are worth finding in the same MIP: when the
        # optimum is there, a wider MIP is not needed to find it.
        goal = max(target - unit, last)
        if ahead is not None and target == ahead.target:
            goal = max(ahead.goal_after_rounds(search), last)
        if ahead is not None and not target >= ahead.target >= last:
            # Its step will not come: the descent is past it, or a plan found since it
            # started ends the descent above it. Its MIP would only slow this step's.
            ahead.stop()
        last_step = target == last
        given = None
        if ahead is not None and by_cuts is None and target > ahead.target:
            # A step above the one whose cuts run ahead holds a subset of its pairs: the
            # rounds' LP bounds its plans too, and narrows it (waits for the rounds). Its
            # MIP runs before the one ahead, which waits (`CutsAhead.hold`).
            ahead.hold()
            narrowing = ahead.narrowing(search, keep, target, goal)
            if narrowing is not None:
                given, goal = narrowing
                if given.bound < target - BOUND_TOLERANCE:
                    add_stat(search.stats, "ahead_refuted", 1.0)
                    # No plan worth the target: none worth more than the LP's bound, or
                    # (below the ahead step's target) than that target, whose step then
                    # takes the rounds' answer as it would have.
                    search.tighten(max(given.bound, float(ahead.target)))
                    ceiling, step, previous = _first_target(search, narrow), 0, None
                    continue
        if _step(search, master, lagrange, ahead, keep, target, goal, last_step, by_cuts, given):
            return
        if ahead is not None:
            ahead.release()  # the next step may be its own
        step = 2 * step + 1


def _step(
    search: SearchState,
    master: MasterLP,
    lagrange: LagrangianBound,
    ahead: CutsAhead | None,
    keep: IntArray,
    target: int,
    goal: int,
    last_step: bool,
    by_cuts: PricedCuts | None,
    given: CutLP | None = None,
) -> bool:
    """One step of `prove`'s descent over the pairs `keep`: narrowed first by the LP
    with mod-2 cuts when wide (or the last step, which presolve's probe seldom refutes;
    its rounds, and the MIP after them, may have run ahead: `cuts_ahead`), then its MIP.
    When the step's pairs are those of the LP with cuts priced over every pair
    (`by_cuts`), that LP narrows it, without rounds. True when the descent ends here."""
    taken, narrowed = False, None
    if by_cuts is not None:
        narrowed = by_cuts.narrowing(keep, goal)
        return _step_answered(search, lagrange, ahead, keep, target, goal, narrowed, taken)
    if given is not None:
        narrowed = given
    elif len(keep) >= CUT_PROOF_COLUMNS or (last_step and len(keep) >= LAST_STEP_CUT_COLUMNS):
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
    if not ended and narrowed is not None and _refuted_wide(narrowed, keep, target):
        # The LP with cuts refuted a wide step with no pair left to its MIP (so no plan
        # near it was looked for): its prices over every pair have lowered the bound to
        # about its own, which a plan near its solution often reaches.
        improve(search, narrowed.lp, narrowed.x, widest=False, near=(0,))
        ended = search.reached()
    return ended


def _refuted_wide(narrowed: CutLP, keep: IntArray, target: int) -> bool:
    """A wide step (`PLANS_NEAR_CUTS_COLUMNS` pairs or more) whose LP with cuts is below
    its target and left too few pairs for `_answered_by_cuts` to look near it."""
    if narrowed.bound >= target - BOUND_TOLERANCE:
        return False
    return len(keep) >= PLANS_NEAR_CUTS_COLUMNS > len(narrowed.kept)


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
    tight = _step_tightness(search, lagrange, goal, narrowed, search.placed_bound)
    columns = search.pairs.index[keep]
    answered = _answered_ahead(search, ahead, goal) if taken else None
    return proof_step(
        search, columns, search.placed_bound, tight, target, goal, "proof", probe, answered
    )


def _certifying(search: SearchState, narrowed: CutLP | None) -> Certifying | None:
    """The certificate from the step's LP with cuts, started beside the step's MIP: its
    prices, its cuts dualised too, over every pair (`priced_cuts.certified_by_cuts`),
    when its bound may prove more than the certificate does (None otherwise, or past the
    deadline). National, 3 % couples and a cap, on earlier paths: generator seed 1,
    733,978.33, the step's LP bound, proved the optimum, 733,975 (the master's prices
    alone: 733,995); seed 3, the last step's LP met its target, 735,525, the optimum.
    Now seed 5's carries 8 cuts and proves 740,405 (`test_certificate_national.py`)."""
    if narrowed is None or search.out_of_time() or not search.proves_more(narrowed.bound):
        return None
    # Reads the LP's bookkeeping, never its HiGHS model: a copy the thread of `CutsAhead`
    # may have made, which no longer touches it once its rounds are taken.
    return Certifying(search, narrowed.lp, narrowed.batches, narrowed.y)


def _priced_by_cuts(
    search: SearchState, master: MasterLP, goal: int, ahead: CutsAhead | None
) -> PricedCuts | None:
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
    search.priced = (search.placed_bound, priced.as_bound())
    if not search.reached():
        # Its solution is often a few swaps from a plan at its bound, which that bound
        # proves optimal: seed 5, a MIP near it (width 0) instead of a step's MIP over
        # the 44,544 pairs without loss, which took 0.1 s or 9 s by HiGHS's luck.
        improve(search, priced.lp, priced.x, widest=False, near=(0,))
    return priced


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
    reaches it) and a plan near its solution (`near_lp.improve`, width 0 only: national, 0.15 s
    where width 1 took 5 s, longer than the step's MIP over the kept pairs) reaches the
    goal. Tried only when the step's MIP would still be wide (`PLANS_NEAR_CUTS_COLUMNS`).
    True when answered: the plan is then worth the bound, a unit below the target."""
    if narrowed.bound >= target - BOUND_TOLERANCE or len(narrowed.kept) < PLANS_NEAR_CUTS_COLUMNS:
        return False
    improve(search, narrowed.lp, narrowed.x, widest=False, near=(0,))
    if search.best_value < (search.placed_bound, goal):
        return False
    add_stat(search.stats, "mod2_proofs", 1.0)
    # Proven: no plan reaches the target (the bound drops a unit below it, to the plan's
    # value, so the search has reached its bound).
    search.take_proof_step(None, narrowed.bound, True, target)
    return True


def kept(lagrange: LagrangianBound, target: int) -> IntArray:
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
    most = sub_mips.MAX_SUB_MIP_COLUMNS
    if len(lagrange.loss) <= most:
        return -(2**62)
    # keep(target) fits while L(y) - target + tolerance stays below this loss.
    first_out = float(np.partition(lagrange.loss, most)[most])
    return unit * (math.floor((lagrange.bound + BOUND_TOLERANCE - first_out) / unit) + 1)


def _step_tightness(
    search: SearchState,
    lagrange: LagrangianBound,
    goal: int,
    narrowed: CutLP | None,
    placed_min: int,
) -> Tightness | None:
    """What every plan worth `goal` or more must do, for a step's MIP: by the Lagrangian's
    prices (`_tightness`) and, once the step is narrowed at that count, by the row prices
    of its LP with cuts too (`CutLP.tightness`: its bound is the tighter, often the goal
    itself, which leaves such a plan no room in any priced row)."""
    tight = _tightness(search, lagrange, lagrange.bound - goal)
    if tight is None or narrowed is None or narrowed.lp.placed_min != placed_min:
        return tight
    return tight.joined(narrowed.tightness(goal))


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
