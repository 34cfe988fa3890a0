"""The search's state: what prices kept for the certificate prove bounds the search too.

National, 3 % couples and a cap, generator seed 5: a proof step's prices over every pair
(`priced_cuts.Certifying`) proved 740,405 and went into the certificate, while the
search's own bound stayed at 740,430. The result then stated a bound looser than its
certificate's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from solver_builders import whole_side
from test_engines_exact import crowded

from jet_match.solver import prepare
from jet_match.solver.deadline import Deadline
from jet_match.solver.side.pairs import usable_mask, usable_pairs
from jet_match.solver.side.state import SearchState

PRICES: Any = object()  # the state keeps prices as they come


def _state(reports: list[tuple[int, int, int, float]]) -> SearchState:
    inst = prepare(crowded(1, 40, 10, 14, couples=3, cap=0.3))
    side = whole_side(inst)

    def report(placed: int, score: int, placed_bound: int, score_bound: float) -> bool:
        reports.append((placed, score, placed_bound, score_bound))
        return False

    return SearchState(
        side=side,
        pairs=usable_pairs(side, usable_mask(side)),
        deadline=Deadline(60.0),
        seed=0,
        report=report,
        target_gap=0.0,
        placed_bound=30,
        score_bound=2_000.0,
        best=np.full(inst.tables.n_participants, -1, dtype=np.int64),
        best_value=(-1, 0),
    )


def test_prices_at_the_placements_bound_lower_the_search_bound() -> None:
    reports: list[tuple[int, int, int, float]] = []
    state = _state(reports)
    unit = state.unit
    assert unit > 1  # the bound is floored to a multiple of it
    proven = 1_500 - 1_500 % unit
    state.certify_score(PRICES, proven + unit - 0.5, placed_min=30)
    assert state.score_bound == proven
    assert state.score_prices is not None
    assert (state.score_prices.prices, state.score_prices.bound) == (PRICES, proven)
    assert reports[-1][3] == proven  # the reporter hears of it


def test_prices_at_another_count_leave_the_search_bound() -> None:
    state = _state([])
    state.certify_score(PRICES, 1_000.0, placed_min=29)  # plans placing 29 or more
    assert state.score_bound == 2_000.0


def test_prices_proving_less_change_nothing() -> None:
    state = _state([])
    state.certify_score(PRICES, 1_500.0, placed_min=30)
    kept = state.score_prices
    other: Any = object()
    state.certify_score(other, 1_900.0, placed_min=30)
    assert state.score_bound == 1_500 - 1_500 % state.unit
    assert state.score_prices is kept
