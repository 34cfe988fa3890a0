"""What an instance remembers for later solves of the same records, through its methods."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from solver_builders import opening, org, person, problem

from jet_match.solver import Problem, prepare
from jet_match.solver.problem import ParticipantStatus


def three_by_three() -> Problem:
    """Three people, three one-slot openings, every pair eligible."""
    return problem(
        [org("G1")],
        [opening(f"O{k}") for k in range(3)],
        [person(f"P{k}") for k in range(3)],
    )


class TestSideColumns:
    def test_nothing_is_remembered_at_first(self) -> None:
        assert prepare(three_by_three()).remembered_side_columns().tolist() == []

    def test_remembered_pairs_come_back(self) -> None:
        inst = prepare(three_by_three())
        inst.remember_side_columns(np.array([1, 4, 8]))
        assert inst.remembered_side_columns().tolist() == [1, 4, 8]

    def test_a_re_solve_instance_keeps_the_pairs_still_eligible(self) -> None:
        records = three_by_three()
        base = prepare(records)
        remembered = np.array([0, 4, 8])  # (P0, O0), (P1, O1), (P2, O2)
        base.remember_side_columns(remembered)
        people = list(records.participants)
        people[1] = replace(people[1], status=ParticipantStatus.WITHDRAWN)
        changed = prepare(replace(records, participants=tuple(people)), base=base)
        t = changed.tables
        kept = changed.remembered_side_columns()
        names = {
            (t.participant_ids[changed.pair_p[k]], t.opening_ids[changed.pair_o[k]]) for k in kept
        }
        assert names == {("P0", "O0"), ("P2", "O2")}
