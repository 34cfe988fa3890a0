"""Benchmarks of DESIGN.md section 6 (run from the repo root; see benchmarks/README.md).

python benchmarks/bench_solve.py flow DATASET.json --repeat 3   # (a) end to end vs bare flow
python benchmarks/bench_solve.py side DATASET.json               # (b) couples + cap, 60 s
python benchmarks/bench_solve.py resolve DATASET.json --repeat 5 # (e) one withdrawal
python benchmarks/bench_solve.py matching DATASET.json           # (d) deferred acceptance
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import orjson
from ortools.graph.python import min_cost_flow

from jet_match.dataset.validation import read_dataset_file
from jet_match.services.solving import problem_from_dataset
from jet_match.solver import Assignment, ParticipantStatus, check_plan, prepare, solve


def bare_flow(path: Path) -> tuple[float, int, int]:
    """OR-Tools min-cost flow over every eligible pair, arcs prepared beforehand (not timed)."""
    inst = prepare(problem_from_dataset(read_dataset_file(path)))
    t = inst.tables
    n, m = t.n_participants, t.n_openings
    people = np.unique(inst.pair_p)
    tails = np.concatenate([np.full(len(people), n + m), inst.pair_p, n + np.arange(m)])
    heads = np.concatenate([people, n + inst.pair_o.astype(np.int64), np.full(m, n + m + 1)])
    caps = np.concatenate([np.ones(len(people) + len(inst.pair_p), np.int64), t.o_slots])
    costs = np.concatenate([np.zeros(len(people), np.int64), -inst.profit(), np.zeros(m, np.int64)])
    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    flow.set_node_supply(n + m, len(people))
    flow.set_node_supply(n + m + 1, -len(people))
    assert flow.solve_max_flow_with_min_cost() == flow.OPTIMAL
    elapsed = time.perf_counter() - started
    return elapsed, int(flow.maximum_flow()), -int(flow.optimal_cost())


def end_to_end(path: Path) -> tuple[float, int, dict[str, object]]:
    """`jet-match solve` as a process: wall time, peak RSS (KB), result objective."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        proc = subprocess.run(
            [
                "/usr/bin/time",
                "-f",
                "%M",
                str(Path(sys.executable).with_name("jet-match")),
                "solve",
                str(path),
                "--out",
                str(out),
                "--json",
            ],
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak = int(proc.stderr.decode().strip().splitlines()[-1])
        return elapsed, peak, orjson.loads(out.read_bytes())["objective"]


def cmd_flow(path: Path, repeat: int) -> None:
    ours, bare, peaks = [], [], []
    for _ in range(repeat):
        elapsed, peak, objective = end_to_end(path)
        ours.append(elapsed)
        peaks.append(peak)
        b_elapsed, b_flow, b_cost = bare_flow(path)
        bare.append(b_elapsed)
        print(
            f"end-to-end {elapsed:.2f}s peak {peak / 1024:.0f} MB {objective} | bare flow {b_elapsed:.2f}s placed {b_flow} profit {b_cost}"  # noqa: E501
        )
    print(
        f"median end-to-end {statistics.median(ours):.2f}s, bare flow {statistics.median(bare):.2f}s, ratio {statistics.median(ours) / statistics.median(bare):.2f}, peak {max(peaks) / 1024:.0f} MB"  # noqa: E501
    )


def cmd_side(path: Path, share: float, limit: float) -> None:
    problem = problem_from_dataset(
        read_dataset_file(path), max_country_share_per_prefecture=share, override_cap=True
    )
    couples = sum(p.partner is not None for p in problem.participants) // 2
    started = time.perf_counter()
    result = solve(problem, time_limit_s=limit)
    elapsed = time.perf_counter() - started
    plan = [Assignment(p.participant, p.opening) for p in result.placements]
    violations = check_plan(problem, plan)
    print(
        f"couples {couples}, cap {share}: {result.status} in {elapsed:.1f}s, objective {result.objective}, bound {result.bound}, gap {result.gap}, violations {len(violations)}, stats {dict(result.stats)}"  # noqa: E501
    )


def cmd_resolve(path: Path, repeat: int) -> None:
    problem = problem_from_dataset(read_dataset_file(path))
    base = prepare(problem)
    first = solve(base)
    plan = tuple(Assignment(p.participant, p.opening) for p in first.placements)
    with_plan = replace(problem, previous_plan=plan)
    times, fulls = [], []
    for k in range(repeat):
        gone = first.placements[(k * 997) % len(first.placements)].participant
        people = tuple(
            replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == gone else p
            for p in with_plan.participants
        )
        changed = replace(with_plan, participants=people)
        started = time.perf_counter()
        result = solve(prepare(changed, base=base))
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        full = solve(changed)
        full_elapsed = time.perf_counter() - started
        assert result.objective == full.objective
        times.append(elapsed)
        fulls.append(full_elapsed)
        print(
            f"withdrawal of one: incremental {elapsed:.2f}s, from scratch {full_elapsed:.2f}s, {result.status}, moved {result.objective.moved}, placed {result.objective.placed}"  # noqa: E501
        )
    print(
        f"median incremental {statistics.median(times):.2f}s, from scratch {statistics.median(fulls):.2f}s"  # noqa: E501
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["flow", "side", "resolve"])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.45)
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()
    if args.what == "flow":
        cmd_flow(args.dataset, args.repeat)
    elif args.what == "side":
        cmd_side(args.dataset, args.share, args.limit)
    else:
        cmd_resolve(args.dataset, args.repeat)


if __name__ == "__main__":
    main()
