"""A re-solve after record edits reuses the previous instance (`prepare(..., base=)`):
only the edited participants (rows) and openings (columns) are recomputed, and the
engines start from what they learnt on the previous solve. The pairs must be exactly a
full prepare's and the optimum exactly a cold solve's, on random instances built to make
the engines widen their candidate sets (`test_engines_exact.crowded`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded

from jet_match.solver import Assignment, Problem, Status, check_plan, prepare, solve
from jet_match.solver.problem import ParticipantStatus


def _edited(problem: Problem, seed: int, edits: int) -> Problem:
    """`edits` participants and openings changed (and one organization moved)."""
    rng = np.random.default_rng(seed)
    people = list(problem.participants)
    for k in rng.choice(len(people), size=edits, replace=False).tolist():
        p = people[k]
        people[k] = replace(
            p,
            japanese_level=int(rng.integers(0, 5)),
            can_drive=not p.can_drive,
            preferred_prefectures=tuple(int(x) for x in rng.permutation((13, 27, 26, 1))[:3]),
            citizenship=str(rng.choice(("US", "GB", "NZ"))),
        )
    openings = list(problem.openings)
    for k in rng.choice(len(openings), size=min(edits, len(openings)), replace=False).tolist():
        o = openings[k]
        openings[k] = replace(
            o,
            min_japanese_level=int(rng.choice([0, 3])),
            driving_required=not o.driving_required,
            requested_countries=("NZ",) if rng.random() < 0.5 else (),
            slots=max(1, o.slots + int(rng.integers(-1, 2))),
            is_open=bool(rng.random() < 0.85),
        )
    organizations = list(problem.organizations)
    moved = int(rng.integers(0, len(organizations)))
    organizations[moved] = replace(organizations[moved], prefecture=int(rng.integers(1, 48)))
    return replace(
        problem,
        participants=tuple(people),
        openings=tuple(openings),
        organizations=tuple(organizations),
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    couples=st.sampled_from((0, 3)),
    edits=st.integers(1, 4),
)
@example(seed=1195708842, couples=0, edits=3)  # an edit makes a pinned pair ineligible
def test_a_re_solve_after_record_edits_equals_a_cold_solve(
    seed: int, couples: int, edits: int
) -> None:
    if couples:
        problem = crowded(seed, 40, 10, 14, couples=couples, cap=0.3, extras=False)
    else:
        problem = crowded(seed, people=200, organizations=30, openings=80)
    base = prepare(problem, top_k=2)
    first = solve(base, time_limit_s=60)
    changed = replace(
        _edited(problem, seed, edits),
        previous_plan=tuple(Assignment(p.participant, p.opening) for p in first.placements),
    )
    warm, cold = prepare(changed, base=base, top_k=2), prepare(changed, top_k=2)
    for name in ("pair_p", "pair_o", "pair_score"):
        assert np.array_equal(getattr(warm, name), getattr(cold, name)), name
    assert np.array_equal(warm.participant_bounds(), cold.participant_bounds())
    assert "candidate_keys" in warm._cache  # the engines start from the previous solve
    warm_result = solve(warm, time_limit_s=60)
    cold_result = solve(cold, time_limit_s=60)
    assert warm_result.status == cold_result.status
    assert warm_result.conflicts == cold_result.conflicts
    if cold_result.status is Status.INFEASIBLE:  # an edit broke a pin: both refuse it alike
        assert cold_result.conflicts
        return
    assert cold_result.status == Status.OPTIMAL
    # The same optimum (ties may place differently: compare what is optimised).
    warm_value = (warm_result.objective.placed, warm_result.objective.net)
    assert warm_value == (cold_result.objective.placed, cold_result.objective.net)
    plan = [Assignment(p.participant, p.opening) for p in warm_result.placements]
    assert check_plan(changed, plan) == ()
    again = solve(prepare(changed, base=base, top_k=2), time_limit_s=60)
    assert again.placements == warm_result.placements  # deterministic


def test_records_added_fall_back_to_a_full_prepare() -> None:
    problem = crowded(5, people=60, organizations=12, openings=20)
    base = prepare(problem, top_k=2)
    solve(base)
    grown = replace(problem, participants=problem.participants[:-1])
    warm = prepare(grown, base=base, top_k=2)
    assert "candidate_keys" not in warm._cache
    assert np.array_equal(warm.pair_p, prepare(grown, top_k=2).pair_p)


def test_a_withdrawal_carries_the_remembered_candidates_without_a_search() -> None:
    """After a withdrawal the pairs are runs copied from the base: its remembered candidate
    mask comes along at the new positions, and seeds exactly what the keys would."""
    problem = crowded(9, 40, 10, 14, couples=3, cap=0.3, extras=False)
    base = prepare(problem, top_k=2)
    first = solve(base, time_limit_s=60)
    leaving = first.placements[0].participant
    withdrawn = replace(
        problem,
        participants=tuple(
            replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == leaving else p
            for p in problem.participants
        ),
        previous_plan=tuple(Assignment(p.participant, p.opening) for p in first.placements[1:]),
    )
    warm = prepare(withdrawn, base=base, top_k=2)
    carried = warm._cache["candidate_mask"]
    assert isinstance(carried, np.ndarray)
    assert len(carried) == len(warm.pair_p)
    seeded = warm.seed_candidates()
    del warm._cache["candidate_mask"]  # the same seed found by searching the keys
    assert np.array_equal(seeded, warm.seed_candidates())
    assert carried.any()
