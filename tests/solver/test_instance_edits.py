"""A re-solve after record edits reuses the previous instance (`prepare(..., base=)`):
only the edited participants (rows) and openings (columns) are recomputed, and the
engines start from what they learnt on the previous solve. The pairs must be exactly a
full prepare's and the optimum exactly a cold solve's, on random instances built to make
the engines widen their candidate sets (`test_engines_exact.crowded`)."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded

from jet_match.solver import (
    Assignment,
    Placement,
    Problem,
    Status,
    check_plan,
    policy,
    prepare,
    solve,
    splice,
)
from jet_match.solver import instance as instance_module
from jet_match.solver.instance import Instance
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


@pytest.mark.parametrize("change", ["withdrawal", "edits"])
def test_a_re_solve_carries_the_remembered_candidates_without_a_search(change: str) -> None:
    """After a withdrawal or record edits the pairs are runs of the base's, patched: its
    remembered candidate mask comes along at the new positions, and seeds exactly what
    the keys would."""
    problem = crowded(9, 40, 10, 14, couples=3, cap=0.3, extras=False)
    base = prepare(problem, top_k=2)
    first = solve(base, time_limit_s=60)
    leaving = first.placements[0].participant
    if change == "edits":
        changed = replace(_edited(problem, 4, 3), previous_plan=_plan(first.placements))
    else:
        changed = replace(
            problem,
            participants=tuple(
                replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == leaving else p
                for p in problem.participants
            ),
            previous_plan=_plan(first.placements[1:]),
        )
    warm = prepare(changed, base=base, top_k=2)
    carried = warm._cache["candidate_mask"]
    assert isinstance(carried, np.ndarray)
    assert len(carried) == len(warm.pair_p)
    seeded = warm.seed_candidates()
    del warm._cache["candidate_mask"]  # the same seed found by searching the keys
    assert np.array_equal(seeded, warm.seed_candidates())
    assert carried.any()


def test_an_edit_spliced_run_by_run_equals_one_through_a_mask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two ways `Splice` rebuilds the pairs after edits give the same arrays, top
    pairs and carried candidates included."""
    problem = crowded(11, people=200, organizations=30, openings=80)
    base = prepare(problem, top_k=2)
    first = solve(base, time_limit_s=60)
    changed = replace(_edited(problem, 11, 4), previous_plan=_plan(first.placements))
    runs = prepare(changed, base=base, top_k=2)
    monkeypatch.setattr(splice, "SPLICE_PIECES", 0)
    masked = prepare(changed, base=base, top_k=2)
    for name in ("pair_p", "pair_o", "pair_score", "pair_top"):
        assert np.array_equal(getattr(runs, name), getattr(masked, name)), name
    assert np.array_equal(runs.candidate_mask(), masked.candidate_mask())  # type: ignore[arg-type]
    assert np.array_equal(runs.seed_candidates(), masked.seed_candidates())


def _plan(placements: tuple[Placement, ...]) -> tuple[Assignment, ...]:
    return tuple(Assignment(p.participant, p.opening) for p in placements)


def _placed_and_edited(seed: int) -> tuple[Problem, Problem, str, str]:
    """A solved problem and a copy whose one placement's opening and another placement's
    participant are edited, with the first plan as the previous plan; and those two."""
    problem = crowded(seed, people=200, organizations=30, openings=80)
    first = solve(prepare(problem, top_k=2), time_limit_s=60)
    plan = tuple(Assignment(p.participant, p.opening) for p in first.placements)
    opening, person = plan[0].opening, plan[-1].participant
    changed = replace(
        problem,
        openings=tuple(
            replace(o, prefers_experience=not o.prefers_experience)
            if o.external_id == opening
            else o
            for o in problem.openings
        ),
        participants=tuple(
            replace(p, japanese_level=(p.japanese_level + 1) % 5) if p.external_id == person else p
            for p in problem.participants
        ),
        previous_plan=plan,
    )
    return problem, changed, opening, person


def _all_pairs_seeded(instance: Instance, external_id: str) -> bool:
    i = instance.tables.participant_ids.index(external_id)
    own = instance.pairs_of(np.array([i]))
    return len(own) > instance.top_k and bool(instance.seed_candidates()[own].all())


def test_people_an_edit_displaces_start_with_all_their_pairs() -> None:
    """The people placed at an edited opening, and an edited participant who was placed,
    start the engines with every pair they have (their potentials fall where the previous
    solve's candidates do not follow: national, four rounds of pricing instead of one);
    everyone else with their best pairs and the previous candidates only."""
    problem, changed, opening, person = _placed_and_edited(11)
    base = prepare(problem, top_k=2)
    solve(base, time_limit_s=60)
    warm = prepare(changed, base=base, top_k=2)
    at_opening = [a.participant for a in changed.previous_plan if a.opening == opening]
    for someone in (*at_opening, person):
        assert _all_pairs_seeded(warm, someone), someone
    others = {a.participant for a in changed.previous_plan} - {*at_opening, person}
    assert not any(_all_pairs_seeded(warm, someone) for someone in sorted(others))
    # Prepared afresh (no base to compare with), nobody's previous pair is gone here.
    cold = prepare(changed, top_k=2)
    assert cold.edits is None
    assert not _all_pairs_seeded(cold, person)


def test_an_edited_participant_not_placed_starts_with_all_their_pairs() -> None:
    """An edit to someone the previous plan left out (through the API: now able to
    drive) changes their whole row: its pairs start as candidates, not only the best."""
    problem = crowded(11, people=200, organizations=30, openings=80)
    base = prepare(problem, top_k=2)
    first = solve(base, time_limit_s=60)
    placed = {p.participant for p in first.placements}
    left_out = [
        p.external_id
        for p in problem.participants
        if p.external_id not in placed and p.status is ParticipantStatus.SHORTLISTED
    ]
    person = next(
        k
        for k in left_out
        if len(base.pairs_of(np.array([base.tables.participant_ids.index(k)]))) > 2
    )
    changed = replace(
        problem,
        participants=tuple(
            replace(p, teaching_experience_years=p.teaching_experience_years + 1)
            if p.external_id == person
            else p
            for p in problem.participants
        ),
        previous_plan=_plan(first.placements),
    )
    warm = prepare(changed, base=base, top_k=2)
    assert _all_pairs_seeded(warm, person)
    assert not _all_pairs_seeded(warm, next(k for k in left_out if k != person))


def test_a_previous_pair_gone_seeds_its_participants_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A previous placement that is no longer an eligible pair (the opening now wants more
    Japanese than its participant has) seeds all that participant's pairs, with or without
    a base; not when their pairs would exceed `DISPLACED_SHARE` of all pairs."""
    problem = crowded(12, people=200, organizations=30, openings=80)
    first = solve(prepare(problem, top_k=2), time_limit_s=60)
    plan = tuple(Assignment(p.participant, p.opening) for p in first.placements)
    levels = {p.external_id: p.japanese_level for p in problem.participants}
    gone = next(a for a in plan if levels[a.participant] < 4)
    changed = replace(
        problem,
        openings=tuple(
            replace(o, min_japanese_level=4) if o.external_id == gone.opening else o
            for o in problem.openings
        ),
        previous_plan=plan,
    )
    cold = prepare(changed, top_k=2)
    i = cold.tables.participant_ids.index(gone.participant)
    j = cold.tables.opening_ids.index(gone.opening)
    assert cold.pair_index(np.array([i]), np.array([j]))[0] == -1
    assert _all_pairs_seeded(cold, gone.participant)
    monkeypatch.setattr(instance_module, "DISPLACED_SHARE", 0.0)
    assert not _all_pairs_seeded(cold, gone.participant)


def _edited_fields(problem: Problem, seed: int, interned: bool) -> Problem:
    """A few participants, openings and an organization edited field by field; with
    `interned`, also a citizenship, sport, home region, requested country or sister
    region (codes the tables intern)."""
    rng = np.random.default_rng(seed)
    people = list(problem.participants)
    for k in rng.choice(len(people), size=3, replace=False).tolist():
        p = people[k]
        people[k] = replace(
            p,
            japanese_level=int(rng.integers(0, 5)),
            teaching_experience_years=int(rng.integers(0, 6)),
            can_drive=not p.can_drive,
            needs_medical_access=bool(rng.random() < 0.3),
            preferred_prefectures=tuple(int(x) for x in rng.permutation((13, 27, 26, 1))[:3]),
            sport=("judo" if interned and rng.random() < 0.5 else p.sport),
            home_region=("Ohio" if interned else p.home_region),
        )
    openings = list(problem.openings)
    for k in rng.choice(len(openings), size=2, replace=False).tolist():
        o = openings[k]
        openings[k] = replace(
            o,
            slots=max(1, o.slots + int(rng.integers(-1, 2))),
            min_japanese_level=int(rng.choice([0, 3])),
            driving_required=not o.driving_required,
            country_required=not o.country_required,
            prefers_experience=not o.prefers_experience,
            is_open=bool(rng.random() < 0.85),
            requested_countries=(("NZ",) if interned else o.requested_countries),
        )
    organizations = list(problem.organizations)
    moved = int(rng.integers(0, len(organizations)))
    organizations[moved] = replace(
        organizations[moved],
        prefecture=int(rng.integers(1, 48)),
        medical_access=not organizations[moved].medical_access,
        sister_regions=(("Ohio",) if interned else organizations[moved].sister_regions),
    )
    return replace(
        problem,
        participants=tuple(people),
        openings=tuple(openings),
        organizations=tuple(organizations),
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), interned=st.booleans())
def test_tables_rebuilt_row_by_row_equal_a_full_build(seed: int, interned: bool) -> None:
    """After edits the tables are the edited rows built again over the base's (or, when
    an edit changes an interned code, built in full): either way a full build's."""
    problem = crowded(seed % 1000, people=60, organizations=12, openings=20, couples=3)
    base = prepare(problem, top_k=2)
    changed = _edited_fields(problem, seed, interned)
    warm = prepare(changed, base=base, top_k=2)
    full = policy.build_tables(changed)
    for column in fields(full):
        a, b = getattr(warm.tables, column.name), getattr(full, column.name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, column.name
    for name in ("pair_p", "pair_o", "pair_score"):
        assert np.array_equal(getattr(warm, name), getattr(prepare(changed, top_k=2), name))
