"""The side-constrained engine: couples and country caps, with a bound proven on ALL pairs.

The objective is lexicographic (most placements, then the highest profit), and so is
the bound: `placed_bound` (no plan places more) and `score_bound` (no plan placing
`placed_bound` people has a higher profit). Both are proven on every admissible pair,
not only on the pairs a model happened to hold:

1. **Usable pairs.** A couple member's pair in an organization (same_organization) or
   prefecture (same_prefecture) where the partner has no admissible pair can never be
   used; those pairs are dropped. Every other admissible pair stays in play.
2. **Placements.** The min-cost flow over the usable pairs (couples split, no caps) is
   a relaxation: its placements bound every plan's. When its plan keeps the couples and
   the caps it is optimal and the engine stops there. Otherwise, under the flow's
   potentials a plan placing as many people loses, against the relaxation's value, the
   reduced costs of what it changes; MIPs over the few pairs whose reduced cost fits a
   target's budget (targets 0, 1, 3, 7 profit units below the relaxation, while they hold
   at most 20 k pairs: a re-solve's, not a national solve's from scratch) find the
   optimum there or lower the score bound (`relaxation_optimum.py`).
3. **Score.** The LP relaxation of the full problem with a cardinality row
   `sum x >= placed_bound` (soft: a slack column pays a penalty per missing place) is
   solved by column generation on ONE HiGHS model (dual simplex). It starts from each
   participant's best pairs, the couples' candidates, the first plan's pairs, an earlier
   solve's columns, and every pair within a profit unit of the flow relaxation's optimum under
   its potentials (its optimal face, where the LP's optimum mostly lies: national, 3 %
   couples and a cap, 2 rounds instead of 5; at most 100 k of them, the least reduced).
   New pairs enter with `addCols` and new couple rows with `addRows`, each re-solve
   starting from the last basis. After every solve the duals price all usable pairs
   (numpy), and give a Lagrangian bound on the full problem: openings, caps and the
   cardinality row are dualised, each single keeps its best pair and each couple its best
   pair of pairs in one group. The bound is valid at every round, converged or not.
   Profits are the costs (no big-M weight per placement: the cardinality row carries the
   first level of the objective), which keeps the LP well scaled and fast.
4. **Plans.** An integral LP solution is itself a plan (checked against every rule,
   since the LP holds only the couple rows and binding caps its columns need), often at
   the bound. Otherwise a sub-MIP frees the participants the LP left fractional, those
   holding an opening (then a cap) they touch, and their partners, and keeps everyone
   else where the LP put them; with time left, MIPs over every pair that could still reach
   a target (by the reduced-cost argument of `bound.py`), cut off at it, either improve
   the best plan or prove it optimal (targets descend from the bound; values are
   multiples of the profits' common divisor, `state.profit_unit`). When no plan near
   the LP places `placed_bound` people, that same descent looks for the first one (its
   cut-off MIPs find the optimum near the bound in seconds) before a MIP over every pair
   of the LP model, without a cutoff, is tried. When the next proof step would not fit
   in one MIP (`MAX_SUB_MIP_COLUMNS`) and time remains, that widest MIP gets the rest of
   it, started from the best plan, rather than the search stopping early. A step over
   80 k pairs or more is narrowed first (`cut_proof.py`): a copy of the LP master takes
   its pairs and rounds of mod-2 cuts (`cuts.py`; a cut over more than 500 pairs is left
   out: dense cuts slowed every solve and moved the bound little); the pairs the cut
   LP's reduced costs rule out leave the step, and when its bound falls below the target
   while a plan near its solution reaches the goal, the step needs no MIP (national, 3 %
   couples and a cap: the step's 135 k pairs become 39 k, its MIP 11-14 s -> 3.7-4.0 s).
   Otherwise the step's MIP also forces every row that LP prices above its bound less
   the goal (no plan worth the goal leaves room in it: `CutLP.tightness`); when the LP
   meets the goal, that is every priced row (generator seed 3's last step: 8-10 s ->
   about 1 s).
   The first step that will be narrowed is known as soon as the LP is solved: its rounds
   of cuts, then its MIP (in a second child process), run on a second thread while the
   plans near the LP are looked for (`cut_proof.CutsAhead`), and the step takes their
   answers, the same it would compute (the MIP's only when a plan found meanwhile has not
   moved the step's goal). The steps above it hold a subset of its pairs, so its LP with
   cuts bounds them too: they wait for its rounds, and a step that LP puts below its
   target asks no MIP (the descent goes on from that bound, never below the step ahead),
   the others are narrowed by it. When that LP's bound rounds down to a step's target,
   the step's goal is the target itself: only pairs without loss, every priced row
   forced (`cut_proof.settled_goal`; generator seed 9: 29 s -> 19 s). A wide step that
   LP refutes with no pair left to its MIP looks for a plan near it: its prices over
   every pair have lowered the bound about to its own (generator seed 7: 12 s -> 8 s).
   A step too wide for any MIP (`MAX_SUB_MIP_COLUMNS`) is not the end: the LP with cuts
   is priced over every usable pair (`priced_cuts.py`; a cut's coefficient for any pair
   follows from its rows), its bound is proven, a plan near its solution is looked for,
   and the descent starts again with its losses (national,
   3 % couples and a cap, generator seed 5: the bound 150 points above the best plan
   falls to the optimum in about 6 s); the descent's later steps are narrowed by that LP
   itself, its losses and row prices (`PricedCuts.narrowing`), without rounds of their
   own. Either LP with cuts, at its prices and with its
   cuts dualised, bounds every plan over every pair (a Lagrangian bound again, each cut
   named by the rows it halves): where that proves more, it is the certificate's
   (`certificate.py`), which then often proves the plan optimal by itself. A step's LP
   with cuts that only meets its target (the last step's: it cannot fall below the best
   plan) proves that plan optimal once floored to the unit; its prices are computed on
   a thread beside the step's MIP (`priced_cuts.Certifying`).
5. **Placements, again.** When no plan reaches `placed_bound`, the same column
   generation with unit costs bounds the placements (the LP of the cardinality problem,
   Lagrangian again); if that leaves room above the best plan, a MIP over the pairs the
   same argument cannot rule out looks for a plan placing one more. `placed_bound` is
   lowered to what is proven, and the search goes on at that count.

The reduced-cost argument that makes those MIPs exact is in `bound.py`.

One concern a file: `problem.py` (the side problem, its plans' value and feasibility),
`pairs.py` (the usable pairs, seeds and priced-in columns), `bound.py` (the Lagrangian
bound), `master.py` (the HiGHS LP), `sub_mip.py` (HiGHS MIPs over chosen pairs),
`cuts.py` ({0,1/2} cuts), `cut_lp.py` (the LP with cuts read back from HiGHS: its rows,
a priced solve, what a step keeps of it), `cut_proof.py` (a wide proof step narrowed by
the LP with cuts), `priced_cuts.py` (the LP with cuts priced over every pair), `repair.py` (the
first plan), `relaxation_optimum.py` (plans at or just below the flow relaxation's
optimum, keeping couples and caps), `basis.py` (the LP's basis kept for the next
solve), `state.py` (the search's state), `search.py` (`solve_side`: the relaxation,
the LP's column generation, the placements bound), `near_lp.py` (plans near an LP
solution), `descent.py` (the proof's descent of targets), `highs.py` (creating quiet
HiGHS models), `beside.py` (pure work on a second thread: a first solve's usable pairs
are indexed beside the flow relaxation).
"""

from jet_match.solver.side.problem import SideOutcome, SideProblem, build_side
from jet_match.solver.side.search import solve_side
from jet_match.solver.side.state import Reporter

__all__ = ["Reporter", "SideOutcome", "SideProblem", "build_side", "solve_side"]
