"""A wide proof step narrowed by the LP with mod-2 cuts, before its MIP.

A step of the proof (`descent.prove`) asks a MIP over every pair a plan worth the target
may use: with couples and caps at national scale, ~135 k pairs and 11-14 s, most of it
HiGHS's root (a cold LP, then its own cuts). Here the LP master is copied with its basis,
takes the step's pairs it lacks, and is tightened by rounds of {0,1/2} cuts (`cuts.py`),
each re-solved from the last basis, until its bound falls below the target or stops
falling. Its bound B and reduced costs then keep only the step's pairs whose loss (minus
the reduced cost) is at most B - goal: every plan worth the goal or more uses only those
(the reduced-cost argument of `bound.py`, with the LP's own duals; the cuts hold for
every plan, so the LP with them is still a relaxation). The step's question, its cutoff
and how its answer is taken do not change (`sub_mip.proof_step`); only its pairs do.

National, 3 % couples and a 45 % cap, generator seed 1: 9 rounds of sparse cuts
(`cuts.MAX_CUT_COEFFICIENTS`), 2.3-2.9 s, take the bound from 733,995 to 733,978.33,
below the target 733,980, and a plan near the cut LP's solution is the optimum, 733,975
(`descent._answered_by_cuts`): no MIP. When the step still needs its MIP, the LP's row
prices also force rows in it (`CutLP.tightness`). 1,500
participants, 40 % in couples: the step's 141 k pairs become a few hundred at most
(22-231; benchmarks/README.md). The first such step's rounds and MIP run ahead, on a
second thread, while the search looks for plans near the LP (`CutsAhead`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import highspy
import numpy as np

from jet_match.solver.policy import IntArray
from jet_match.solver.side.bound import BOUND_TOLERANCE
from jet_match.solver.side.cut_lp import CutLP, CutRows, PricedSolve
from jet_match.solver.side.cuts import Cuts, mod2_cuts
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import MIP_NEEDS_S

#: Proof steps this wide are narrowed first (narrower ones are the MIP's in a second).
CUT_PROOF_COLUMNS = 80_000
#: The descent's last step (its target a unit above the best plan: it finds a better plan
#: or proves the best one optimal, which presolve's probe seldom does) is narrowed from
#: this width: national, 3 % couples and a cap, generator seed 3: 52,813 pairs, its MIP
#: 6.6 s alone; narrowed to 36,567 pairs, its MIP 2.3 s (benchmarks/README.md).
LAST_STEP_CUT_COLUMNS = 40_000
#: Plans near the cut LP's solution are looked for (`descent._answered_by_cuts`) only when
#: the step keeps this many pairs or more: over fewer, its MIP answers in a fraction of a
#: second, and near a very fractional LP (1,500 participants, 40 % in couples) those
#: plans' MIPs took 14 s where the step's MIP over its 22-231 kept pairs took 0.1 s.
PLANS_NEAR_CUTS_COLUMNS = 10_000
MAX_CUT_ROUNDS = 30
#: Rounds in a row that may leave the bound where it was before the rounds stop.
STALLED_ROUNDS = 4
_DUAL, _PRIMAL = 1, 4  # HiGHS's `simplex_strategy`


def narrowed_by_cuts(
    search: SearchState, master: MasterLP, keep: IntArray, target: int, goal: int
) -> CutLP | None:
    """The LP over the master's pairs and `keep` (every usable position a plan worth
    `target` may use), with rounds of mod-2 cuts until its bound falls below the target
    or stops falling; if a later round's LP is not solved (HiGHS stops short of its
    optimum, the deadline or a stop request), the last round solved answers. None when
    no round is: the step then asks its MIP over all of `keep`."""
    priced = _cut_rounds(search, master.clone(), keep, target, search.report_now)
    return None if priced is None else priced.for_goal(keep, goal)


#: What the thread of `CutsAhead` does after the rounds: given the step's narrowing at its
#: goal (None: no round solved), that goal and a stop signal, ask the step's MIP. Called
#: exactly once, also when the rounds failed or were stopped (the signal is then true at
#: once, and it should return at once).
AfterRounds = Callable[[CutLP | None, int, Callable[[], bool]], object]


def settled_goal(bound: float, target: int, goal: int, unit: int) -> int:
    """A step's goal once its LP with cuts is solved: the target itself when that LP's
    bound rounds down to it (no plan is worth more, and a plan a unit below would not be
    optimal before the target is refuted), else `goal`. At the target, the step keeps only
    the pairs without loss and every priced row is forced (`CutLP.tightness`): national,
    3 % couples and a cap, generator seed 9: the step's MIP, which finds the optimum at
    737,765, took 11-13 s at the goal a unit below, about 4 s at the target
    (benchmarks/README.md)."""
    if target - BOUND_TOLERANCE <= bound < target + unit - BOUND_TOLERANCE:
        return target
    return goal


class CutsAhead:
    """A wide step's rounds of cuts, and then its MIP, run on a second thread ahead of it.

    The search knows the first step of its proof that will be narrowed by cuts as soon as
    the LP is solved (its target does not depend on the plans found next); while the plans
    near the LP are looked for (their MIPs run in the search's child process, or in HiGHS,
    which leaves Python's lock), this thread runs that step's rounds on its own copy of
    the master, then `after` (the step's MIP at the goal it expects, in a second child
    process). The step takes the answers, the same as it would have computed (the same
    copy, the same rounds, the same MIP; no clock in them but the deadline). A step that
    never comes (a plan reaches the bound first, or the descent takes another target)
    stops them: the rounds at the end of the LP solve running, the MIP at once. National,
    3 % couples and a cap: the rounds' 1.2-1.8 s and the MIP's 3-5 s ran beside the plans'
    MIPs and the first steps (benchmarks/README.md).
    """

    def __init__(
        self,
        search: SearchState,
        master: MasterLP,
        keep: IntArray,
        target: int,
        goal: int,
        after: AfterRounds | None = None,
        on_stop: Callable[[], None] | None = None,
    ):
        self.keep, self.target, self.goal = keep, target, goal
        self._unit = search.unit
        self._after = after
        self._on_stop = on_stop  # ends what `after` runs at once (its child process)
        self._cancel = threading.Event()
        self._rounds_done = threading.Event()
        self._finished = threading.Event()
        self._may_ask = threading.Event()  # cleared by `hold`
        self._may_ask.set()
        self._narrowing_taken = False
        self._priced: PricedSolve | None = None
        self._narrowed: CutLP | None = None  # at `goal`
        self._answer: object = None
        self._error: BaseException | None = None
        lp = master.clone()  # here: the master is not read from two threads
        self._highs = lp.highs  # its LP solves, which `stop` interrupts
        self._thread = threading.Thread(
            target=self._run, args=(search, lp), name="cuts-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, search: SearchState, lp: MasterLP) -> None:
        try:
            # No heartbeat from this thread: the reporter is the search's thread's.
            self._priced = _cut_rounds(search, lp, self.keep, self.target, self._cancel.is_set)
            if self._priced is not None:
                self.goal = settled_goal(self._priced.bound, self.target, self.goal, self._unit)
                self._narrowed = self._priced.for_goal(self.keep, self.goal)
        except BaseException as error:  # re-raised where the step takes the answer
            self._error = error
        finally:
            self._rounds_done.set()
        # Set again by `release`, `take`, `answer` and `stop` (a stop is seen even where a
        # `hold` came after it).
        while not self._may_ask.wait(timeout=0.1) and not self._cancel.is_set():
            pass
        try:
            if self._after is not None:  # once, whatever happened (it may hold a process)
                self._answer = self._after(self._narrowed, self.goal, self._stopped)
        except BaseException as error:
            self._error = self._error or error
        finally:
            self._finished.set()

    def hold(self) -> None:
        """The MIP after the rounds waits until `release` (or `take`, `answer`, `stop`):
        a higher step narrowed by the rounds (`narrowing`) asks its own MIP first, and
        when it finds the plan, this one is not needed. Both at once, each slowed the
        other on two cores: national, 3 % couples and a cap, generator seed 8, the higher
        step's MIP took 12.5 s beside it, 9.4 s alone (benchmarks/README.md). No effect
        once the MIP has started, or once stopped."""
        if not self._cancel.is_set():
            self._may_ask.clear()

    def release(self) -> None:
        """The MIP after the rounds may start (see `hold`)."""
        self._may_ask.set()

    def narrowing(
        self, search: SearchState, keep: IntArray, target: int, goal: int
    ) -> tuple[CutLP, int] | None:
        """The rounds' last LP narrowing a higher step's pairs `keep` (a subset of this
        step's) at the step's goal, settled (`settled_goal`), and that goal, once the
        rounds are done (waits for them); None when they were stopped, solved nothing, or
        ran at another count."""
        if self._cancel.is_set():
            return None
        began = time.perf_counter()
        self._wait(search, self._rounds_done)
        add_stat(search.stats, "mod2_wait_s", time.perf_counter() - began)
        priced = self._priced
        if self._error is not None or priced is None or self._cancel.is_set():
            return None
        if priced.lp.placed_min != search.placed_bound:
            return None
        goal = settled_goal(priced.bound, target, goal, self._unit)
        return priced.for_goal(keep, goal), goal

    def _stopped(self) -> bool:
        """`after`'s stop signal: stopped by the search, or the rounds failed."""
        return self._cancel.is_set() or self._error is not None

    def goal_after_rounds(self, search: SearchState) -> int:
        """The step's goal once the rounds are done (`settled_goal`); waits for them."""
        if not self._cancel.is_set():
            self._wait(search, self._rounds_done)
        return self.goal

    def take(
        self, search: SearchState, keep: IntArray, target: int, goal: int
    ) -> tuple[bool, CutLP | None]:
        """(True, the narrowing or None) when the rounds ran for this step (once); else
        (False, None): the step runs its own. An error of the rounds is raised here,
        whenever they failed."""
        asked_here = target == self.target and np.array_equal(keep, self.keep)
        if self._cancel.is_set() or self._narrowing_taken or not asked_here:
            return False, None
        began = time.perf_counter()
        self.release()
        self._wait(search, self._rounds_done)
        add_stat(search.stats, "mod2_wait_s", time.perf_counter() - began)
        self._narrowing_taken = True
        if self._error is not None:
            raise self._error
        add_stat(search.stats, "mod2_ahead", 1.0)
        if self._priced is None or goal == self.goal:
            return True, self._narrowed
        return True, self._priced.for_goal(keep, goal)

    def answer(self, search: SearchState) -> object:
        """What `after` returned, once the narrowing was taken (None otherwise, or when it
        did not run); waits for it."""
        if not self._narrowing_taken or self._cancel.is_set():
            return None
        self.release()
        self._wait(search, self._finished)
        self._thread.join()
        self._cancel.set()  # taken: not again
        if self._error is not None:
            raise self._error
        return self._answer

    def stop(self) -> None:
        """Stop the rounds and the MIP; `close` waits for the thread, which no longer
        works by then: the rounds' LP solve running is interrupted (HiGHS's simplex
        interrupt callback, subscribed only now: HiGHS calls it at every iteration, ~13 us
        each through Python), and `on_stop` ends the MIP's child process (whose answer
        nobody reads now; asked to stop, it answered only at the parent's next look, up
        to a second later, and at HiGHS's next check). National, 3 % couples and a cap,
        generator seed 10: a search waited 1.0-1.4 s at its end for a step ahead it had
        not taken (benchmarks/README.md)."""
        self._may_ask.set()  # `after` runs, sees the stop and returns
        if self._cancel.is_set():
            return
        self._cancel.set()
        self._highs.cbSimplexInterrupt.subscribe(_interrupt)
        if self._on_stop is not None:
            self._on_stop()

    def close(self) -> None:
        """`stop`, and wait for the thread."""
        self.stop()
        self._thread.join()

    def _wait(self, search: SearchState, done: threading.Event) -> None:
        while not done.wait(timeout=0.5):
            if search.report_now():  # the heartbeat goes on while the thread works
                self.stop()


def _interrupt(event: Any) -> None:
    event.interrupt()


def _cut_rounds(
    search: SearchState, lp: MasterLP, keep: IntArray, target: int, stop: Callable[[], bool]
) -> PricedSolve | None:
    """`narrowed_by_cuts`'s rounds on `lp` (a copy of the master), until `stop` says so."""
    began = time.perf_counter()
    side, pairs = search.side, search.pairs
    was_optimal = lp.optimal
    lp.add(keep, side.profit[pairs.index].astype(np.float64))
    rows = CutRows.of(lp)
    highs = lp.highs
    rounds, best, stalled = 0, np.inf, 0
    priced: PricedSolve | None = None
    batches: list[tuple[Cuts, int]] = []
    while not search.out_of_time() and not stop():
        left = search.deadline.remaining()
        if left < MIP_NEEDS_S:
            break
        highs.setOptionValue("time_limit", left)
        # The step's new pairs leave an optimal basis primal feasible: the primal simplex
        # finishes it (national: 33 iterations, 0.11 s; the dual, 9,795 and 1.3 s). Each
        # round of cuts then leaves it dual feasible: the dual simplex.
        first = rounds == 0 and was_optimal
        highs.setOptionValue("simplex_strategy", _PRIMAL if first else _DUAL)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        now = rows.priced(lp)
        if now is None:
            break
        priced = replace(now, batches=tuple(batches))
        stalled = stalled + 1 if now.bound > best - BOUND_TOLERANCE else 0
        best = min(best, now.bound)
        done = now.bound < target - BOUND_TOLERANCE or stalled > STALLED_ROUNDS
        if done or rounds == MAX_CUT_ROUNDS:
            break
        x_columns = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        cuts = mod2_cuts(rows.matrix, rows.upper, rows.owner_row, x_columns, rows.skip)
        if len(cuts) == 0:
            break
        batches.append((cuts, highs.getNumRow()))
        rows.add(highs, cuts)
        add_stat(search.stats, "mod2_cuts", float(len(cuts)))
        rounds += 1
        # `priced` stays: its bound and kept pairs hold whatever rows come after it, and
        # are the answer if HiGHS does not reach the next optimum or time runs out.
    add_stat(search.stats, "mod2_rounds", float(rounds))
    add_stat(search.stats, "mod2_s", time.perf_counter() - began)
    return priced
