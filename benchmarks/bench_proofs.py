"""Issue 17: proven optimal (gap 0) with couples and country caps, beside a bare flow.

    python benchmarks/bench_proofs.py /tmp/jet-bench/national_3pct_cap45.json --repeat 3
    python benchmarks/bench_proofs.py /tmp/jet-bench/national.json --repeat 3
    python benchmarks/bench_proofs.py /tmp/jet-bench/national_3pct_cap45.json --without-cuts

Each repeat runs, interleaved and each in a fresh child process, our solve (read the
dataset, `solve(problem, time_limit_s=LIMIT)`, target gap 0: search until proven optimal
or the limit) and a bare OR-Tools `solve_max_flow_with_min_cost` over every eligible pair
of the same dataset (`bench_solve.bare_flow`: arcs built beforehand, not timed; couples
and caps ignored). Printed: our status, time, gap, what the certificate proves (the
bound recomputed from its prices by the solver), peak RSS; the bare flow's time; then
medians, the ratio and the 3x target. With `--without-cuts`, each repeat also runs our
solve with the proof's mod-2 cuts turned off (`cut_proof.py`: no step is wide enough for
them), interleaved, as the baseline of that change.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_solve import median, peak_mb

from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Result, solve
from jet_match.solver.side import search as side_search

HERE = Path(__file__).resolve()
SOLVE_BENCH = HERE.with_name("bench_solve.py")


def ours_once(path: Path, limit: float, *, cuts: bool = True) -> None:
    """One solve in this process; its figures as a JSON line."""
    if not cuts:
        side_search.CUT_PROOF_COLUMNS = sys.maxsize  # type: ignore[misc]
    started = time.perf_counter()
    problem = problem_from_dataset(read_dataset_file(path))
    result = solve(problem, time_limit_s=limit - (time.perf_counter() - started))
    print(json.dumps(figures(result, time.perf_counter() - started)))


def figures(result: Result, seconds: float) -> dict[str, Any]:
    """A solve's figures, as a child process prints them on its last line."""
    certificate = result.certificate
    return {
        "status": result.status.value,
        "seconds": seconds,
        "placed": result.objective.placed,
        "net": result.objective.net,
        "bound": [result.bound.placed, result.bound.score] if result.bound else None,
        "gap": result.gap,
        "certified": [certificate.placed_bound, certificate.score_bound] if certificate else None,
        "peak_mb": peak_mb(),
        "stats": {k: round(v, 2) for k, v in result.stats.items()},
    }


def child(command: list[str]) -> dict[str, Any]:
    proc = subprocess.run(command, capture_output=True, check=True, text=True)
    last: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--without-cuts", action="store_true")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-cuts", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        ours_once(args.path, args.limit, cuts=not args.no_cuts)
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# proofs: load average {load} on {os.cpu_count()} cores", flush=True)
    ours, bare, proven, peaks, uncut = [], [], [], [], []
    command = [sys.executable, str(HERE), str(args.path), "--limit", str(args.limit), "--once"]
    for _ in range(args.repeat):
        if args.without_cuts:
            before = child([*command, "--no-cuts"])
            uncut.append(before["seconds"])
            print(
                f"without cuts {before['status']} {before['seconds']:.1f}s net {before['net']} "
                f"bound {before['bound']}",
                flush=True,
            )
        run = child(command)
        flow = child([sys.executable, str(SOLVE_BENCH), "bare-once", str(args.path)])
        ours.append(run["seconds"])
        bare.append(flow["seconds"])
        peaks.append(run["peak_mb"])
        proven.append(run["status"] == "optimal")
        print(
            f"ours {run['status']} {run['seconds']:.1f}s placed {run['placed']} net {run['net']} "
            f"bound {run['bound']} gap {100 * (run['gap'] or 0):.4f}% certificate proves "
            f"{run['certified']} peak {run['peak_mb']:.0f} MB | bare flow {flow['seconds']:.2f}s "
            f"placed {flow['placed']} profit {flow['profit']}",
            flush=True,
        )
        print("  stats", json.dumps(run["stats"]), flush=True)
    ratio = median(ours) / median(bare)
    print(
        f"median ours {median(ours):.1f}s ({sum(proven)}/{args.repeat} proven optimal), bare "
        f"flow {median(bare):.2f}s, ratio {ratio:.2f} (target <= 3 and proven: "
        f"{'met' if ratio <= 3 and all(proven) else 'not met'}), peak {max(peaks):.0f} MB"
    )
    if uncut:
        print(f"median without cuts {median(uncut):.1f}s, ratio {median(uncut) / median(bare):.2f}")


if __name__ == "__main__":
    main()
