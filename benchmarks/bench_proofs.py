"""Issue 17: proven optimal (gap 0) with couples and country caps, beside a bare flow.

    python benchmarks/bench_proofs.py /tmp/jet-bench/national_3pct_cap45.json --repeat 3
    python benchmarks/bench_proofs.py /tmp/jet-bench/national.json --repeat 3
    python benchmarks/bench_proofs.py /tmp/jet-bench/national_3pct_cap45.json --without-cuts
    python benchmarks/bench_proofs.py --seeds 1-6 --limit 60 [--baseline-src /tmp/base/src]

Each repeat runs, interleaved and each in a fresh child process, our solve (read the
dataset, `solve(problem, time_limit_s=LIMIT)`, target gap 0: search until proven optimal
or the limit) and a bare OR-Tools `solve_max_flow_with_min_cost` over every eligible pair
of the same dataset (`bench_solve.bare_flow`: arcs built beforehand, not timed; couples
and caps ignored), each child's allocator set as a worker's solver process sets its own
(`process_memory.keep_freed_memory`, unless `JET_MATCH_KEEP_FREED_MEMORY=false`).
Printed: our status, time, gap, what the certificate proves (the bound recomputed from
its prices by the solver), peak RSS, the plan's digest (`plan`:
two machines' runs of one dataset must print the same); the bare flow's time; then
medians, the ratio and the 3x target. With `--without-cuts`, each repeat also runs our
solve with the proof's mod-2 cuts turned off (`cut_proof.py`: no step is wide enough for
them), interleaved, as the baseline of that change.

With `--seeds`, the national 3 % couples + 45 % cap dataset is generated afresh for each
generator seed (`bench_solve.three_percent_capped`, as `bench_solve.py datasets` does for
seed 1; kept under `--out`), and each seed runs once: ours and the baseline's
(`--baseline-src`: another tree's `src`, in the same child process command), in turn
first (ours first at odd seeds: the solve that follows the previous seed's bare flow ran
3-5 % slower over six seeds, 2026-12-06), then the bare flow. One line per seed, then
how many were proven (and how many of those the certificate proves alone: its bounds
are the plan's) and the median ratio: one dataset's luck (which optimal vertex the LP
lands on, where HiGHS finds the plan) is not the engine's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_solve import as_a_solver_process, median, peak_mb, three_percent_capped

from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import Result, side, solve
from jet_match.solver.side import search as side_search

HERE = Path(__file__).resolve()
SOLVE_BENCH = HERE.with_name("bench_solve.py")


def ours_once(path: Path, limit: float, *, cuts: bool = True) -> None:
    """One solve in this process (its allocator set as a worker's solver process sets
    its own); its figures as a JSON line."""
    as_a_solver_process()
    if not cuts:
        # The descent reads it (`side_search` in trees before the descent had a module).
        getattr(side, "descent", side_search).CUT_PROOF_COLUMNS = sys.maxsize
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
        "plan": plan_digest(result),
    }


def plan_digest(result: Result) -> str:
    """The plan's placements, as the first 12 hex digits of an MD5 over the sorted
    (participant, opening) pairs: the same dataset must give the same plan on every
    machine (docs/scoring.md, "Runs are deterministic"), which this lets two runs compare."""
    pairs = sorted((placement.participant, placement.opening) for placement in result.placements)
    return hashlib.md5(json.dumps(pairs).encode()).hexdigest()[:12]


def child(command: list[str], source: Path | None = None) -> dict[str, Any]:
    """Run `command`; its last line, as JSON. `source`: a tree's `src` to import instead."""
    env = None if source is None else {**os.environ, "PYTHONPATH": str(source)}
    proc = subprocess.run(command, capture_output=True, check=True, text=True, env=env)
    last: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return last


def seeded_dataset(seed: int, out: Path) -> Path:
    """The national 3 % couples + 45 % cap dataset of generator seed `seed` (written once)."""
    path = out / f"national_3pct_cap45_seed{seed}.json"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        path.write_bytes(dataset_to_json(three_percent_capped(seed)))
    return path


def seed_range(text: str) -> list[int]:
    """Generator seeds written "1-6" or "1,3,5"."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(part) for part in text.split(",")]


def by_seed(seeds: list[int], out: Path, limit: float, baseline: Path | None) -> None:
    """Each seed's dataset once: ours and the baseline's in turn first, then the bare flow
    (see the docstring)."""
    rows: dict[str, list[tuple[bool, float, bool]]] = {"ours": [], "baseline": []}
    for seed in seeds:
        path = seeded_dataset(seed, out)
        command = [sys.executable, str(HERE), str(path), "--limit", str(limit), "--once"]
        sources: dict[str, Path | None] = {"ours": None}
        if baseline is not None:
            sources["baseline"] = baseline
        order = list(sources) if seed % 2 else list(reversed(sources))
        ran = {name: child(command, sources[name]) for name in order}
        runs = {name: ran[name] for name in sources}  # printed ours first
        flow = child([sys.executable, str(SOLVE_BENCH), "bare-once", str(path)])
        line = [f"seed {seed}: bare flow {flow['seconds']:.2f}s"]
        for name, run in runs.items():
            ratio = run["seconds"] / flow["seconds"]
            alone = run["certified"] == [run["placed"], run["net"]]
            rows[name].append((run["status"] == "optimal", ratio, alone))
            line.append(
                f"{name} {run['status']} {run['seconds']:.1f}s (ratio {ratio:.2f}) net "
                f"{run['net']} bound {run['bound']} certificate {run['certified']} "
                f"plan {run['plan']}"
            )
        print(" | ".join(line), flush=True)
    for name, results in rows.items():
        if results:
            proven = sum(ok for ok, _, _ in results)
            ratios = [ratio for _, ratio, _ in results]
            within = sum(ok and ratio <= 3 for ok, ratio, _ in results)
            alone = sum(by_certificate for _, _, by_certificate in results)
            print(
                f"{name}: {proven}/{len(results)} proven optimal ({alone} by the certificate "
                f"alone), {within} within 3x the bare flow; median ratio {median(ratios):.2f} "
                f"(range {min(ratios):.2f}-{max(ratios):.2f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path, nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--without-cuts", action="store_true")
    parser.add_argument("--seeds", type=seed_range, help='generator seeds: "1-6" or "1,3"')
    parser.add_argument("--out", type=Path, default=Path("/tmp/jet-bench"))
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-cuts", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        ours_once(args.path, args.limit, cuts=not args.no_cuts)
        return
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# proofs: load average {load} on {os.cpu_count()} cores", flush=True)
    if args.seeds:
        by_seed(args.seeds, args.out, args.limit, args.baseline_src)
        return
    if args.path is None:
        parser.error("a dataset path, or --seeds")
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
            f"placed {flow['placed']} profit {flow['profit']} | plan {run['plan']}",
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
