"""A national certificate checked by the plain implementation (`certificate_check.py`).

The national dataset with 3 % of participants in couples and a 45 % country cap,
generator seed 5 (`benchmarks/bench_proofs.py --seeds`): 6.4 M eligible pairs, the
hardest of the six seeds. Its certificate carries the 8 cuts of the proof's LP with cuts,
whose bound proves the optimum (740,405); the plain check derives every cut over every
pair it touches and recomputes both bounds from the prices alone. Once, in the slow
tests: 25-45 s to solve and 2-3 min to check. (Seeds 3, then 1, were used while each
participant's best pairs broke ties by `argpartition`, then by opening. With cuts of
any density, seed 1's certificate stopped 10 points above its optimum, its last bound
coming from a MIP, which no certificate carries; with cuts over at most 500 pairs, every
seed's certificate proves its optimum.)
"""

from __future__ import annotations

import pytest
from test_certificate import checked

from jet_match.dataset.format import Policy
from jet_match.dataset.generator import SCALES, ScaleName, generate_dataset
from jet_match.services.bridge.solving import problem_from_dataset, result_document
from jet_match.solver import Status, prepare, solve

pytestmark = pytest.mark.slow


def test_a_national_certificate_alone_proves_the_optimum() -> None:
    size = SCALES[ScaleName.NATIONAL]
    dataset = generate_dataset(
        participants=size.participants,
        organizations=size.organizations,
        openings=size.openings,
        seed=5,
        slot_ratio=size.slot_ratio,
        couple_share=0.03,
    )
    dataset = dataset.model_copy(update={"policy": Policy(max_country_share_per_prefecture=0.45)})
    problem = problem_from_dataset(dataset)
    inst = prepare(problem)
    # The solve stops once proven (25-45 s on a 2-core box); the limit is for a busy one.
    result = solve(inst, time_limit_s=300)
    assert result.status == Status.OPTIMAL
    certificate = result_document(result)["certificate"]
    assert certificate["score"]["cuts"]
    # The check recomputes each bound from the prices and asserts it is the stated one.
    bound = checked(problem, inst, certificate)
    assert bound == (result.objective.placed, result.objective.net)  # (5507, 740405)
