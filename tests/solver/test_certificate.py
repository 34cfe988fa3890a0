"""The bound's certificate (couples and caps), checked by a second implementation.

`certificate_check.recompute` (plain Python over the problem's records) recomputes each
bound from the result document's prices; the figures must equal what the certificate
states, bound the true optimum (a HiGHS MIP over every pair, `full_mip`), and, where they
meet the plan, prove it optimal. The same input gives the same plan and certificate.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from certificate_check import Pair, _cuts, _Rows, recompute
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_engines_exact import crowded, full_mip

from jet_match.services.bridge.solving import result_document
from jet_match.services.rounds.outcome import run_outcome
from jet_match.solver import (
    Assignment,
    Instance,
    Problem,
    Result,
    Status,
    Waiver,
    prepare,
    solve,
)
from jet_match.solver.problem import ParticipantStatus, PartnerConstraint, Position
from jet_match.solver.side import cut_proof, descent
from jet_match.solver.side import sub_mip as sub_mips


def eligible_pairs(inst: Instance) -> list[Pair]:
    """Every eligible pair of the run with its profit (score, disruption bonus)."""
    t, profit = inst.tables, inst.profit()
    keep = inst.in_run[inst.pair_p]
    return [
        (t.participant_ids[int(p)], t.opening_ids[int(o)], int(c))
        for p, o, c, k in zip(inst.pair_p, inst.pair_o, profit, keep, strict=True)
        if k
    ]


def checked(
    problem: Problem, inst: Instance, certificate: dict[str, Any]
) -> tuple[int, int | None]:
    """(placements bound, score bound) recomputed from the document's certificate, after
    checking that they equal the bounds the certificate states (no score prices: None)."""
    pairs = eligible_pairs(inst)
    placements, score = certificate["placements"], certificate["score"]
    placed = recompute(problem, pairs, placements, unit=True)
    assert placed == placements["bound"]
    assert certificate["placed_bound"] == placed + certificate["pinned"]
    if score is None:
        assert certificate["score_bound"] is None
        return certificate["placed_bound"], None
    net = recompute(problem, pairs, score, unit=False)
    assert net == score["bound"]
    assert certificate["score_bound"] == net + certificate["score_offset"]
    # The score bound holds over plans placing at least placed_min; when an integer
    # program proved fewer placements than the placement prices do, placed_min is that
    # lower count (the result's bound), below the certificate's placed_bound.
    assert score["placed_min"] + certificate["pinned"] <= certificate["placed_bound"]
    return certificate["placed_bound"], certificate["score_bound"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Found by hypothesis: the placement prices prove 17, a MIP proves 15 (the optimum's).
@example(seed=35, couples=5, cap=0.3, extras=False)
@given(
    seed=st.integers(0, 2**32 - 1),
    couples=st.integers(2, 5),
    cap=st.sampled_from((None, 0.3, 0.5)),
    extras=st.booleans(),
)
def test_certificate_recomputed_plainly_bounds_the_optimum(
    seed: int, couples: int, cap: float | None, extras: bool
) -> None:
    problem = crowded(seed, 36, 10, 14, couples=couples, cap=cap, extras=extras)
    inst = prepare(problem, top_k=1)
    result = solve(inst, time_limit_s=60)
    optimum = full_mip(inst)
    assert (result.objective.placed, result.objective.net) == optimum
    document = result_document(result)
    if "certificate" not in document:
        # Only when the flow relaxation's plan keeps couples and caps (its own proof).
        assert result.status == Status.OPTIMAL
        assert result.stats["relaxation_placed"] + len(problem.pins) == optimum[0]
        return
    placed_bound, score_bound = checked(problem, inst, document["certificate"])
    score = document["certificate"]["score"]
    if score is not None:
        assert result.bound is not None
        assert score["placed_min"] + document["certificate"]["pinned"] == result.bound.placed
    assert placed_bound >= optimum[0]
    if placed_bound == optimum[0] and score_bound is not None:
        assert score_bound >= optimum[1]
    if (placed_bound, score_bound) == optimum:
        assert result.status == Status.OPTIMAL
        assert result.gap == 0


def test_certificate_alone_proves_the_plan_optimal() -> None:
    """An instance where the prices close the gap: the recomputed bound is the plan's
    objective (gap 0), which the MIP over every pair confirms."""
    problem = crowded(0, 36, 10, 14, couples=4, cap=0.3, extras=True)
    inst = prepare(problem, top_k=1)
    result = solve(inst, time_limit_s=60)
    bound = checked(problem, inst, result_document(result)["certificate"])
    assert bound == (result.objective.placed, result.objective.net) == full_mip(inst)
    assert result.status == Status.OPTIMAL
    assert result.gap == 0


def test_changed_prices_give_another_bound() -> None:
    """The check reads the prices: without them the bound is each one's best pair."""
    problem = crowded(0, 36, 10, 14, couples=4, cap=0.3, extras=False)
    inst = prepare(problem, top_k=1)
    certificate = result_document(solve(inst, time_limit_s=60))["certificate"]
    score = certificate["score"]
    stripped = {**score, "openings": {}, "caps": {}, "placement": 0.0}
    assert recompute(problem, eligible_pairs(inst), stripped, unit=False) > score["bound"]


def test_same_input_same_plan_and_certificate() -> None:
    problem = crowded(5, 36, 10, 14, couples=4, cap=0.3, extras=True)
    first = result_document(solve(prepare(problem, top_k=1), time_limit_s=60))
    again = result_document(solve(prepare(replace(problem), top_k=1), time_limit_s=60))
    assert first["placements"] == again["placements"]
    assert first.get("certificate") == again.get("certificate")
    assert "certificate" in first


def test_descending_targets_prove_an_optimum_below_the_certificate() -> None:
    """Where the optimum is below the prices' bound (847 against 795 here), the MIPs at
    descending targets prove it: the result's bound is the plan's and a MIP's over every
    pair, while the certificate states only what its prices prove."""
    problem = crowded(1, 36, 10, 14, couples=4, cap=0.3, extras=True)
    inst = prepare(problem, top_k=1)
    result = solve(inst, time_limit_s=60)
    optimum = full_mip(inst)
    assert (result.objective.placed, result.objective.net) == optimum
    assert result.bound is not None
    assert (result.bound.placed, result.bound.score) == optimum
    assert result.status == Status.OPTIMAL
    assert result.stats["proof_steps"] >= 2
    placed_bound, score_bound = checked(problem, inst, result_document(result)["certificate"])
    assert placed_bound == optimum[0]
    assert score_bound is not None
    assert score_bound > optimum[1]


class TestCutsPricedOverEveryPair:
    """A proof step too wide for a MIP is priced over every pair with mod-2 cuts
    (`solver/side/priced_cuts.py`); the certificate then carries those cuts, each as the
    rows it halves, with their prices, and the plain check derives every cut's
    coefficient for every pair from its rows, checks that every plan meets them, and
    recomputes the bound: here it is the optimum of a MIP over every pair, so the
    certificate alone proves the plan optimal."""

    @pytest.fixture(autouse=True)
    def narrow_mips(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sub_mips, "MAX_SUB_MIP_COLUMNS", 100)  # as test_side_priced_cuts

    @staticmethod
    def _solved(seed: int, couples: int) -> tuple[Problem, Instance, Result]:
        problem = crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True)
        inst = prepare(problem, top_k=1)
        return problem, inst, solve(inst, time_limit_s=60)

    @pytest.mark.parametrize(("seed", "couples"), [(6, 5), (14, 5), (22, 5), (27, 3)])
    def test_the_cuts_certify_the_optimum_of_every_pair(self, seed: int, couples: int) -> None:
        problem, inst, result = self._solved(seed, couples)
        assert result.stats["priced_rounds"] >= 1
        certificate = result_document(result)["certificate"]
        assert certificate["score"]["cuts"]
        optimum = full_mip(inst)
        assert checked(problem, inst, certificate) == optimum
        assert (result.objective.placed, result.objective.net) == optimum
        assert result.status == Status.OPTIMAL
        # A run's outcome carries the same certificate (its schema takes the cuts).
        assert run_outcome(result, {})["certificate"] == certificate

    def test_without_the_cut_prices_the_bound_is_higher(self) -> None:
        problem, inst, result = self._solved(27, 3)
        score = result_document(result)["certificate"]["score"]
        free = [cut for cut in score["cuts"] if cut["price"] > 0]
        assert free
        unpriced = {**score, "cuts": [{**cut, "price": 0.0} for cut in score["cuts"]]}
        assert recompute(problem, eligible_pairs(inst), unpriced, unit=False) > score["bound"]

    def test_a_cut_no_plan_must_meet_is_refused(self) -> None:
        problem, inst, result = self._solved(27, 3)
        score = result_document(result)["certificate"]["score"]
        pairs = eligible_pairs(inst)
        cut = score["cuts"][-1]

        def with_last(**changed: Any) -> dict[str, Any]:
            return {**score, "cuts": [*score["cuts"][:-1], {**cut, **changed}]}

        with pytest.raises(AssertionError, match="rhs"):  # a stated rhs its rows do not give
            recompute(problem, pairs, with_last(rhs=cut["rhs"] - 1), unit=False)
        negative = [{**cut["rows"][0], "weight": -0.5}, *cut["rows"][1:]]
        with pytest.raises(AssertionError, match="negative weight"):
            recompute(problem, pairs, with_last(rows=negative), unit=False)
        with pytest.raises(AssertionError, match="negative price"):
            recompute(problem, pairs, with_last(price=-1.0), unit=False)
        with pytest.raises(AssertionError, match="not a multiple"):
            recompute(problem, pairs, {**score, "unit": 7}, unit=False)

    def test_a_couple_row_must_be_a_couple_in_its_group(self) -> None:
        problem, inst, _ = self._solved(27, 3)
        pairs = eligible_pairs(inst)
        couple = next(
            p
            for p in problem.participants
            if p.partner is not None and p.partner_constraint == PartnerConstraint.SAME_PREFECTURE
        )
        single = next(p for p in problem.participants if p.partner is None)
        org = problem.organizations[0].external_id

        def one_cut(row: dict[str, Any]) -> dict[str, Any]:
            cut = {"id": "c0", "rows": [row], "rhs": 0, "price": 1.0}
            return {
                "openings": {},
                "caps": {},
                "placement": 0.0,
                "placed_min": 0,
                "bound": 0,
                "cuts": [cut],
            }

        row = {"kind": "couple", "id": couple.external_id, "weight": 0.5}
        with pytest.raises(AssertionError, match="no couple"):
            recompute(
                problem,
                pairs,
                one_cut({**row, "partner": single.external_id, "group": "prefecture:13"}),
                unit=False,
            )
        # Together in a prefecture is not together in an organization.
        with pytest.raises(AssertionError, match="not one organization"):
            recompute(
                problem,
                pairs,
                one_cut({**row, "partner": couple.partner, "group": f"organization:{org}"}),
                unit=False,
            )
        # Their prefecture row is one every plan meets: recomputed without complaint.
        recompute(
            problem,
            pairs,
            one_cut({**row, "partner": couple.partner, "group": "prefecture:13"}),
            unit=False,
        )


class TestCutsOfAProofStep:
    """A proof step narrowed by the LP with mod-2 cuts (`solver/side/cut_proof.py`; the
    threshold lowered so that every step is) whose bound falls below the step's target:
    that LP's prices and cuts, over every pair, go into the certificate when they prove
    more (`descent._certifying`). Seed 1 is `test_descending_targets_prove_an_
    optimum_below_the_certificate`'s instance, whose master prices prove 847 against the
    optimum's 795."""

    @pytest.fixture(autouse=True)
    def every_step_cut(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(descent, "CUT_PROOF_COLUMNS", 0)  # as test_side_cut_proof
        monkeypatch.setattr(descent, "PLANS_NEAR_CUTS_COLUMNS", 0)

    @pytest.mark.parametrize(("seed", "couples"), [(1, 4), (2, 4), (4, 5), (6, 3)])
    def test_the_steps_cuts_certify_the_optimum_of_every_pair(
        self, seed: int, couples: int
    ) -> None:
        problem = crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True)
        inst = prepare(problem, top_k=1)
        result = solve(inst, time_limit_s=60)
        assert "certify_s" in result.stats
        certificate = result_document(result)["certificate"]
        assert certificate["score"]["cuts"]
        optimum = full_mip(inst)
        assert checked(problem, inst, certificate) == optimum
        assert (result.objective.placed, result.objective.net) == optimum

    @pytest.mark.parametrize(("seed", "couples"), [(9, 5), (31, 4)])
    def test_a_step_whose_cuts_meet_its_target_certifies_it(
        self, seed: int, couples: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The last step's LP with cuts stops at its target (the best plan's value, no
        higher: it cannot fall below a plan); floored to the unit, that proves the
        optimum, as national generator seed 3's does (735,525; before, 735,530)."""
        steps: list[tuple[float, int]] = []

        def recorded(*args: Any) -> Any:
            narrowed = cut_proof.narrowed_by_cuts(*args)
            assert narrowed is not None
            steps.append((narrowed.bound, args[3]))
            return narrowed

        monkeypatch.setattr(descent, "narrowed_by_cuts", recorded)
        problem = crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True)
        inst = prepare(problem, top_k=1)
        result = solve(inst, time_limit_s=60)
        bound, target = steps[-1]
        assert bound == pytest.approx(target)  # met, not below
        optimum = full_mip(inst)
        assert checked(problem, inst, result_document(result)["certificate"]) == optimum
        assert (result.objective.placed, result.objective.net) == optimum

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**32 - 1), couples=st.integers(3, 5))
    def test_what_they_certify_holds_for_every_plan(self, seed: int, couples: int) -> None:
        problem = crowded(seed, 36, 10, 14, couples=couples, cap=0.3, extras=True)
        inst = prepare(problem, top_k=1)
        document = result_document(solve(inst, time_limit_s=60))
        if "certificate" not in document:
            return  # the flow relaxation's own proof (test_certificate_recomputed_...)
        placed_bound, score_bound = checked(problem, inst, document["certificate"])
        optimum = full_mip(inst)
        assert placed_bound >= optimum[0]
        if placed_bound == optimum[0] and score_bound is not None:
            assert score_bound >= optimum[1]


def test_a_couple_with_a_withdrawn_member_is_two_singles_to_the_check_too() -> None:
    """The run places only its shortlisted participants: the partner of a withdrawn
    member is a single there, and so in the check (it read the records' partners)."""
    problem = crowded(27, 36, 10, 14, couples=3, cap=0.3, extras=True)
    people = list(problem.participants)
    k = next(i for i, p in enumerate(people) if p.partner is not None)
    people[k] = replace(people[k], status=ParticipantStatus.WITHDRAWN)
    problem = replace(problem, participants=tuple(people))
    inst = prepare(problem, top_k=1)
    result = solve(inst, time_limit_s=60)
    optimum = full_mip(inst)
    assert (result.objective.placed, result.objective.net) == optimum
    placed_bound, score_bound = checked(problem, inst, result_document(result)["certificate"])
    assert placed_bound >= optimum[0]
    assert score_bound is not None
    assert score_bound >= optimum[1]


class TestTheRunsOwnSlots:
    """The slots a certificate prices are the run's (docs/scoring.md section 5): a cap
    counts the open slots of the positions the run covers, and an override pinned beyond
    capacity keeps its place beyond the opening's slots. At these seeds a check reading
    every record's slots gets another figure, so they test the check's reading too."""

    def _checked_against_the_optimum(self, problem: Problem) -> dict[str, Any]:
        inst = prepare(problem, top_k=1)
        result = solve(inst, time_limit_s=60)
        optimum = full_mip(inst)
        assert (result.objective.placed, result.objective.net) == optimum
        certificate = result_document(result)["certificate"]
        placed_bound, score_bound = checked(problem, inst, certificate)
        assert placed_bound >= optimum[0]
        assert score_bound is not None
        assert score_bound >= optimum[1]
        score: dict[str, Any] = certificate["score"]
        score["pairs"] = eligible_pairs(inst)
        return score

    @pytest.mark.parametrize("seed", [0, 4])
    def test_caps_count_the_slots_of_the_runs_positions(self, seed: int) -> None:
        problem = crowded(seed, 36, 10, 14, couples=4, cap=0.3, extras=False)
        posts = tuple(
            replace(o, position=Position.CIR) if k % 3 == 0 else o
            for k, o in enumerate(problem.openings)
        )
        problem = replace(problem, openings=posts, positions=frozenset({Position.ALT}))
        score = self._checked_against_the_optimum(problem)
        every_position = replace(problem, positions=None)
        assert recompute(every_position, score["pairs"], score, unit=False) > score["bound"]

    @pytest.mark.parametrize(("seed", "twice"), [(0, False), (7, False), (0, True)])
    def test_an_override_beyond_capacity_keeps_its_extra_place(
        self, seed: int, twice: bool
    ) -> None:
        """One more pin than the opening has slots, the last an override beyond them
        (`twice`: its waiver stated twice, still one place)."""
        problem = crowded(seed, 36, 10, 14, couples=4, cap=0.3, extras=False)
        prefecture = {g.external_id: g.prefecture for g in problem.organizations}
        full = next(o for o in problem.openings if prefecture[o.organization] in (13, 27, 26))
        singles = [p.external_id for p in problem.participants if p.partner is None]
        pinned = singles[: full.slots + 1]
        problem = replace(
            problem,
            pins=tuple(Assignment(p, full.external_id) for p in pinned),
            waivers=tuple(
                Waiver(p, full.external_id, beyond_capacity=p == pinned[-1])
                for p in [*pinned, *pinned[-1:] * twice]
            ),
        )
        score = self._checked_against_the_optimum(problem)
        assert score["openings"][full.external_id] > 0  # no place left, and priced
        without = replace(problem, waivers=())
        assert recompute(without, score["pairs"], score, unit=False) < score["bound"]


def test_prices_of_rows_no_plan_must_meet_are_refused() -> None:
    """A price on a cap the problem does not have, or of the wrong sign, would lower
    the bound below plans that exist."""
    problem = crowded(3, 36, 10, 14, couples=3, cap=None, extras=False)
    inst = prepare(problem, top_k=1)
    pairs = eligible_pairs(inst)
    free = {"openings": {}, "caps": {}, "placement": 0.0, "placed_min": 0, "bound": 0}
    countries = {p.citizenship for p in problem.participants}
    no_caps = {f"{c}:{g.prefecture}": 1e6 for c in countries for g in problem.organizations}
    with pytest.raises(AssertionError, match="a cap that is not"):
        recompute(problem, pairs, {**free, "caps": no_caps}, unit=False)
    opening = problem.openings[0].external_id
    with pytest.raises(AssertionError, match="negative price"):
        recompute(problem, pairs, {**free, "openings": {opening: -1e6}}, unit=False)
    with pytest.raises(AssertionError, match="negative placement"):
        recompute(problem, pairs, {**free, "placement": -1.0}, unit=False)
    # Without any price: each one's best pair, no less than the optimum.
    assert recompute(problem, pairs, free, unit=False) >= full_mip(inst)[1]


def test_a_halved_couple_row_takes_a_unit_off_the_partners_pairs_in_its_group() -> None:
    """floor(1/2 x (x_A(g) - x_B(g))): 0 on A's pairs in g, -1 on B's pairs in g (the
    partner's, which no other row of the cut names), 0 outside g. Worked by hand."""
    person = {
        name: SimpleNamespace(external_id=name, citizenship="US", partner_constraint=None)
        for name in ("A", "B")
    }
    prefecture = {"O1": 13, "O2": 27}
    rows = _Rows(person, {}, {"A": "B", "B": "A"}, {"O1": "G1", "O2": "G2"}, prefecture, {}, {})
    cut = {
        "id": "c1",
        "rows": [
            {"kind": "couple", "id": "A", "partner": "B", "group": "prefecture:13", "weight": 0.5}
        ],
    }
    pairs = [("A", "O1", 5), ("B", "O1", 5), ("A", "O2", 5), ("B", "O2", 5)]
    assert _cuts([cut], pairs, rows) == [({("B", "O1"): -1}, 0)]
