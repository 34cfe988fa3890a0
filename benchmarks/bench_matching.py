"""(d) Resident-proposing deferred acceptance (the `matching` library) against our optimal
solve, on the same scores (DESIGN.md section 6; figures in benchmarks/README.md):

    python benchmarks/bench_matching.py /tmp/jet-bench/quarter_singles.json --limit 900
    python benchmarks/bench_matching.py /tmp/jet-bench/national_singles.json --limit 900

The library's game runs in a child process (`--once`), stopped after `--limit` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_solve import as_a_solver_process

from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Assignment, Instance, evaluate_plan, prepare, solve

HERE = Path(__file__).resolve()


def preferences(
    inst: Instance,
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]:
    """Strict preference lists from the published score (ties: external_id order)."""
    t = inst.tables
    p, o, score = inst.pair_p, inst.pair_o, inst.pair_score
    pid, oid = t.participant_ids, t.opening_ids

    def lists(
        owner: np.ndarray, other: np.ndarray, names: tuple[str, ...], others: tuple[str, ...]
    ) -> dict[str, list[str]]:
        order = np.lexsort((other, -score, owner))
        owner, other = owner[order], other[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        ends = np.r_[starts[1:], len(owner)]
        return {
            names[owner[a]]: [others[x] for x in other[a:b].tolist()]
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        }

    residents = lists(p, o, pid, oid)
    hospitals = lists(o, p, oid, pid)
    capacities = {h: int(t.o_slots[oid.index(h)]) for h in hospitals}
    return residents, hospitals, capacities


def matching_once(path: Path) -> None:
    """Resident-proposing deferred acceptance (`matching` library) on our scores.

    The library deep-copies its linked players recursively, which needs a deep Python
    stack at national size: the game runs in a thread with a large stack.
    """
    from matching.games import HospitalResident

    problem = problem_from_dataset(read_dataset_file(path))
    inst = prepare(problem)
    residents, hospitals, capacities = preferences(inst)
    out: dict[str, Any] = {}

    def play() -> None:
        started = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
        out["build_s"] = time.perf_counter() - started
        matched = game.solve(optimal="resident")
        out["seconds"] = time.perf_counter() - started
        out["plan"] = [
            [str(resident.name), str(hospital.name)]
            for hospital, members in matched.items()
            for resident in members
        ]

    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=play)
    worker.start()
    worker.join()
    print(json.dumps(out))


def cmd_matching(path: Path, limit: float) -> None:
    problem = problem_from_dataset(read_dataset_file(path))
    inst = prepare(problem)
    started = time.perf_counter()
    ours = solve(inst)
    our_s = time.perf_counter() - started
    try:
        proc = subprocess.run(
            [sys.executable, str(HERE), str(path), "--once"],
            capture_output=True,
            check=True,
            text=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        print(f"deferred acceptance: no matching within {limit:.0f}s; ours {our_s:.1f}s")
        return
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    plan = [Assignment(a, b) for a, b in run["plan"]]
    theirs = evaluate_plan(inst, plan)
    assert theirs.violations == ()
    for name, seconds, objective, metrics in (
        ("ours (optimal)", our_s, ours.objective, ours.metrics),
        ("deferred acceptance", run["seconds"], theirs.objective, theirs.metrics),
    ):
        print(
            f"{name}: {seconds:.1f}s, placed {objective.placed}, score {objective.score}, "
            f"mean {metrics.mean_score:.1f}, min {metrics.min_score}, "
            f"ranks {dict(metrics.rank_profile)}, area match {metrics.area_match_rate:.3f}, "
            f"blocking pairs {metrics.blocking_pairs}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        as_a_solver_process()
        matching_once(args.path)
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# matching: load average {load} on {os.cpu_count()} cores", flush=True)
    cmd_matching(args.path, args.limit)


if __name__ == "__main__":
    main()
