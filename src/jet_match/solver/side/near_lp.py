"""Plans near an LP solution (`improve`): MIPs over the pairs of the participants the LP
left fractional and of those beside them, everyone else at the LP's pair; or the widest,
over every pair of the LP model (`search._spend_the_rest`)."""

from __future__ import annotations

import time

import numpy as np

from jet_match.solver.side import sub_mip as sub_mips
from jet_match.solver.side.master import MasterLP
from jet_match.solver.side.pairs import FloatArray
from jet_match.solver.side.state import SearchState, add_stat
from jet_match.solver.side.sub_mip import sub_mip

WIDEST_NEEDS_S = 20.0  # time left to try a MIP over every pair of the LP model
NEAR = (0, 1)  # neighbourhoods near the LP: fractional + openings; + caps
WIDEST = 2  # the neighbourhood of every pair of the LP model


def improve(
    search: SearchState,
    master: MasterLP,
    x: FloatArray,
    *,
    widest: bool,
    needs_s: float = WIDEST_NEEDS_S,
    near: tuple[int, ...] = NEAR,
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
    for width in (WIDEST,) if widest else near:
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
        if width == WIDEST:
            if search.deadline.remaining() < needs_s:
                return ran
            free[:] = True
        partner = inst.partner_of
        free[partner[free & (partner >= 0)]] = True
        columns = pairs.index[in_model[free[pairs.participant[in_model]]]]
        fixed = pairs.index[whole[~free[pairs.participant[whole]]]]
        if len(columns) > sub_mips.MAX_SUB_MIP_COLUMNS:
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
