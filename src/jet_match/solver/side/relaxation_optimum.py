"""Another optimum of the flow relaxation, one that keeps couples and caps.

The flow relaxation (couples split, no caps) has several optima when scores tie; the
flow picks one, and it may split a couple that another optimum keeps together. Such a
plan is optimal for the side problem too, proven by the flow's own certificate. By
complementary slackness every optimum of the relaxation uses only pairs whose reduced
cost under the flow's potentials is not positive, so one MIP over those pairs, cut off
at the relaxation's value, finds one or shows there is none: after a record edit at
national scale 6,000 pairs and 0.13 s, where the LP took 3.5 s (benchmarks/README.md).
"""

from __future__ import annotations

import numpy as np

from jet_match.solver.policy import IntArray
from jet_match.solver.side.state import SearchState
from jet_match.solver.side.sub_mip import sub_mip

#: The MIP looking for a plan at the relaxation's optimum runs when its pairs are this few:
#: a re-solve's (the previous plan breaks the ties: 6 k pairs, 0.13 s after a national
#: edit), not a national solve from scratch's (33-36 k pairs, 1.3-1.5 s to show that no
#: such plan exists).
RELAXATION_MIP_COLUMNS = 20_000
_CHUNK = 1 << 16  # pairs priced at a time for that MIP


def at_the_relaxation(
    search: SearchState, potentials: IntArray, placed: int, score: int
) -> IntArray | None:
    """A plan worth the flow relaxation's optimum that keeps couples and caps, if there is
    one: every optimum of the relaxation uses only pairs whose reduced cost under the
    flow's potentials is not positive (complementary slackness), so one MIP over those
    pairs, cut off at the relaxation's value, finds such a plan or shows there is none."""
    side, pairs = search.side, search.pairs
    own, other = potentials, potentials[side.instance.tables.n_participants :]
    kept = []
    for first in range(0, len(pairs.index), _CHUNK):  # small temporaries: no page faults
        last = min(first + _CHUNK, len(pairs.index))
        reduced = own[pairs.participant[first:last]]
        reduced -= other[pairs.opening[first:last]]
        reduced -= side.profit[pairs.index[first:last]]
        kept.append(first + np.flatnonzero(reduced <= 0))
    columns = pairs.index[np.concatenate(kept)] if kept else pairs.index[:0]
    search.stats["relaxation_mip_columns"] = float(len(columns))
    if len(columns) > RELAXATION_MIP_COLUMNS:
        return None
    assigned, _, _ = sub_mip(
        side,
        np.sort(columns),
        np.zeros(0, dtype=np.int64),
        placed,
        None,
        search,
        cutoff=score - 0.5,
    )
    return assigned
