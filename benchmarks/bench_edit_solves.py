"""Successive re-solves after record edits, in-process, each timed and explained (issue 17).

python benchmarks/bench_edit_solves.py DATASET.json [--repeat 8] [--seed 7] [--edits 3]
    [--withdrawals]

Solves the dataset from scratch, then `--repeat` times: edits `--edits` placed
participants (experience +1 year, driving licence toggled) and the opening of another
placement (experience preferred and driving required toggled), as `bench_resolve.py`
does through the API, and re-solves with the previous plan as `previous_plan` and the
previous instance as `prepare(..., base=)`, as the worker does (with `--withdrawals`,
every other step withdraws a placed participant instead). Prints each re-solve's
prepare and solve seconds, the candidate pairs it remembers for the next, the engine's
path (flow rounds; for the side engine its LP, neighbourhood and proof seconds) and,
beside them, the bare OR-Tools min-cost flow over the same pairs (`bench_solve.bare_flow`,
in a process of its own). This process's allocator is set as a worker's solver process
sets its own (`bench_solve.as_a_solver_process`): without it, the rare path's indexing of
6.4 M pairs took 1.13 s in page faults instead of 0.145 s. Compare two versions with
`PYTHONPATH=<checkout>/src`: the edits are the same for the same seed.

The API's own figures (queue, load and save around the same solve) are
`bench_resolve.py`'s; this one isolates the solver so that a rare path (an edit after
which the flow's plan splits a couple) can be reproduced and timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bench_solve import as_a_solver_process, child

from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Assignment, ParticipantStatus, Problem, Result, prepare, solve


def _edited(
    problem: Problem, plan: tuple[Assignment, ...], rng: random.Random, edits: int
) -> Problem:
    chosen = rng.sample(plan, edits + 1)
    people = {a.participant for a in chosen[:edits]}
    opening = chosen[-1].opening
    return replace(
        problem,
        participants=tuple(
            replace(
                p,
                teaching_experience_years=p.teaching_experience_years + 1,
                can_drive=not p.can_drive,
            )
            if p.external_id in people
            else p
            for p in problem.participants
        ),
        openings=tuple(
            replace(
                o,
                prefers_experience=not o.prefers_experience,
                driving_required=not o.driving_required,
            )
            if o.external_id == opening
            else o
            for o in problem.openings
        ),
        previous_plan=plan,
    )


def _withdrawn(problem: Problem, plan: tuple[Assignment, ...], rng: random.Random) -> Problem:
    leaving = rng.choice(plan).participant
    return replace(
        problem,
        participants=tuple(
            replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == leaving else p
            for p in problem.participants
        ),
        previous_plan=plan,
    )


def _path(result: Result) -> str:
    stats = result.stats
    parts = [f"flow rounds {stats.get('relaxation_rounds', 0):.0f}"]
    if "relaxation_mip_s" in stats:
        parts.append(
            f"{stats.get('relaxation_mip_steps', 0):.0f} MIPs near the relaxation's value "
            f"{stats['relaxation_mip_s']:.2f}s ({stats.get('relaxation_mip_columns', 0):.0f} "
            "pairs at its value)"
        )
    if stats.get("lp_warm_start"):
        parts.append("LP warm-started")
    if "lp_s" in stats:
        parts.append(f"LP to {stats['lp_s']:.2f}s")
    parts += [
        f"{key} {value:.2f}s" for key, value in stats.items() if key.startswith("neighbourhood")
    ]
    if "proof_s" in stats:
        parts.append(f"proofs {stats['proof_s']:.2f}s")
    if stats.get("lp_plans"):
        parts.append("LP plan taken")
    return ", ".join(parts)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--withdrawals", action="store_true")
    args = parser.parse_args()
    bare_s = child("bare-once", str(args.dataset))["seconds"]
    print(f"baseline bare min-cost flow (OR-Tools, same pairs): {bare_s:.2f}s", flush=True)
    as_a_solver_process()
    problem = problem_from_dataset(read_dataset_file(args.dataset))
    started = time.perf_counter()
    instance = prepare(problem)
    result = solve(instance, time_limit_s=args.time_limit)
    scratch_s = time.perf_counter() - started
    print(f"from scratch: {scratch_s:.2f}s {result.status.value} ({_path(result)})")
    plan = tuple(Assignment(p.participant, p.opening) for p in result.placements)
    rng = random.Random(args.seed)
    totals = []
    for step in range(args.repeat):
        withdrawal = args.withdrawals and step % 2 == 1
        problem = (
            _withdrawn(problem, plan, rng)
            if withdrawal
            else _edited(problem, plan, rng, args.edits)
        )
        began = time.perf_counter()
        instance = prepare(problem, base=instance)
        prepared_s = time.perf_counter() - began
        result = solve(instance, time_limit_s=args.time_limit)
        total = time.perf_counter() - began
        totals.append(total)
        plan = tuple(Assignment(p.participant, p.opening) for p in result.placements)
        remembered = instance.candidate_mask()
        print(
            f"{'withdrawal' if withdrawal else 'edits'} {step + 1}: prepare {prepared_s:.3f}s, "
            f"solve {total - prepared_s:.3f}s, {result.status.value} {result.engine}, moved "
            f"{result.objective.moved}, remembered {0 if remembered is None else remembered.sum()} "
            f"({_path(result)})",
            flush=True,
        )
    print(
        f"median prepare + solve: {statistics.median(totals):.3f}s "
        f"(range {min(totals):.2f}-{max(totals):.2f}s, {sum(totals):.2f}s in all), "
        f"bare flow {bare_s:.2f}s"
    )


if __name__ == "__main__":
    main()
