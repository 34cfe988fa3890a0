"""The flow engine's certification rounds: each round adds each participant's most
violated pairs, and a participant whose pairs stay violated round after round (a re-solve
after edits displaces someone whose every option is taken) gets twice as many each time,
so that its pairs enter in a few rounds rather than eight at a time."""

from __future__ import annotations

import numpy as np
import pytest
from test_engines_exact import bare_flow, crowded

from jet_match.solver import Status, flow, prepare, solve
from jet_match.solver.flow import _most_violated


def test_each_participant_keeps_its_quota_of_most_violated_pairs() -> None:
    inst = prepare(crowded(3, people=40, organizations=8, openings=20))
    first, second = (int(p) for p in np.unique(inst.pair_p)[:2])
    of_first, of_second = inst.pairs_of(np.asarray([first])), inst.pairs_of(np.asarray([second]))
    violated = np.concatenate([of_first, of_second])
    reduced = -np.arange(1, len(violated) + 1, dtype=np.int64)  # later pairs more violated
    quota = np.zeros(inst.tables.n_participants, dtype=np.int64)
    quota[first], quota[second] = 1, 3
    kept = violated[_most_violated(inst, violated, reduced, quota)]
    owned_by = inst.pair_p[kept]
    assert (owned_by == first).sum() == 1
    assert (owned_by == second).sum() == 3
    # The most negative of each participant's pairs: its last ones here.
    assert set(kept.tolist()) == {int(of_first[-1]), *of_second[-3:].tolist()}


def _rounds(monkeypatch: pytest.MonkeyPatch, doublings: int) -> tuple[int, tuple[int, int]]:
    monkeypatch.setattr(flow, "_ADD_PER_PARTICIPANT", 1)
    monkeypatch.setattr(flow, "_MAX_ROUNDS", 1000)
    monkeypatch.setattr(flow, "_MAX_DOUBLINGS", doublings)
    inst = prepare(crowded(11, people=300, organizations=40, openings=90), top_k=1)
    result = solve(inst)
    assert result.engine == "flow"
    assert result.status == Status.OPTIMAL
    objective = (result.objective.placed, result.objective.net)
    assert objective == bare_flow(inst)
    return int(result.stats["rounds"]), objective


def test_a_participant_violated_round_after_round_gets_twice_the_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_at_a_time, optimum = _rounds(monkeypatch, doublings=0)
    doubling, same = _rounds(monkeypatch, doublings=10)
    assert same == optimum
    assert doubling < one_at_a_time
