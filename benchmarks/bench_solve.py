"""Solver benchmarks of DESIGN.md section 6 (run from the repo root).

Every figure in benchmarks/README.md comes from one of these commands (all seeded):

    python benchmarks/bench_solve.py datasets --out /tmp/jet-bench          # the inputs
    python benchmarks/bench_solve.py flow /tmp/jet-bench/national_singles.json --repeat 5
    python benchmarks/bench_solve.py side /tmp/jet-bench/national_3pct_cap45.json --repeat 3 \
        [--target 0] [--baseline-src /tmp/old/src]
    python benchmarks/bench_solve.py growth /tmp/jet-bench --repeat 3
    python benchmarks/bench_solve.py resolve /tmp/jet-bench/national_singles.json --repeat 5
    python benchmarks/bench_solve.py resolve /tmp/jet-bench/national_3pct_cap45.json --repeat 5
    python benchmarks/bench_solve.py documents OUT FILE... [--target 0.001]   # then, twice:
    python benchmarks/bench_solve.py same BEFORE AFTER                    # equal but timings

(d), deferred acceptance: bench_matching.py; issue 10's time limits on a busy box:
bench_deadline.py.

Timed work runs in child processes where peak memory matters (`/usr/bin/time -f %M`, or
`resource.getrusage` in a child), so that one measurement's memory does not inflate the
next. The machine is shared: see benchmarks/README.md for the conditions of each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from ortools.graph.python import min_cost_flow

from jet_match.config import get_settings
from jet_match.dataset.format import Dataset, Policy, dataset_to_json
from jet_match.dataset.generator import SCALES, ScaleName, generate_dataset, generate_scale
from jet_match.dataset.generator.tables import COUPLED_SHARE
from jet_match.dataset.validation import read_dataset_file
from jet_match.process_memory import keep_freed_memory
from jet_match.services.bridge.solving import problem_from_dataset, solve_dataset_file
from jet_match.solver import (
    Assignment,
    Instance,
    ParticipantStatus,
    Progress,
    Result,
    Status,
    check_plan,
    prepare,
    solve,
)

HERE = Path(__file__).resolve()
#: National scale multiples of the growth benchmark (c).
GROWTH = (1, 2, 5)
#: The target of (b): a proven gap of at most 0.1 % (docs/scoring.md defines the gap).
TARGET_GAP = 0.001


# --- datasets ---------------------------------------------------------------------------


def singles(dataset: Dataset) -> Dataset:
    """The same dataset with every couple split (no partners: the flow engine)."""
    people = [p.model_copy(update={"partner": None}) for p in dataset.participants]
    return dataset.model_copy(update={"participants": people})


def scaled(factor: float, *, seed: int, couple_share: float | None = None) -> Dataset:
    """The national dataset's shape at `factor` times its size."""
    size = SCALES[ScaleName.NATIONAL]
    return generate_dataset(
        participants=round(size.participants * factor),
        organizations=round(size.organizations * factor),
        openings=round(size.openings * factor),
        seed=seed,
        slot_ratio=size.slot_ratio,
        couple_share=COUPLED_SHARE if couple_share is None else couple_share,
    )


def three_percent_capped(seed: int) -> Dataset:
    """National size, 3 % of participants in couples, a 45 % country cap per prefecture:
    `national_3pct_cap45.json` (and `bench_proofs.py --seeds`'s datasets)."""
    three = scaled(1, seed=seed, couple_share=0.03)
    return three.model_copy(update={"policy": Policy(max_country_share_per_prefecture=0.45)})


def cmd_datasets(out: Path, seed: int) -> None:
    """Write every benchmark input into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    national = generate_scale("national", seed=seed)
    capped = three_percent_capped(seed)
    files = {
        "national.json": national,
        "national_singles.json": singles(national),
        "national_3pct_cap45.json": capped,
        **{f"national_x{k}_singles.json": singles(scaled(k, seed=seed)) for k in GROWTH[1:]},
        # (d) at a quarter of national size, where the `matching` library finishes.
        "quarter_singles.json": singles(scaled(0.25, seed=seed)),
    }
    for name, dataset in files.items():
        (out / name).write_bytes(dataset_to_json(dataset))
        couples = sum(p.partner is not None for p in dataset.participants) // 2
        print(f"{out / name}: {len(dataset.participants)} participants, {couples} couples")


# --- measurements -------------------------------------------------------------------------


def run_cli(path: Path, time_limit: float = 60.0) -> tuple[float, int, dict[str, Any]]:
    """`jet-match solve` as a process: wall time, peak RSS (KB), the result document."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [str(Path(sys.executable).with_name("jet-match")), "solve", str(path)]
        command += ["--out", str(out), "--json", "--time-limit", str(time_limit)]
        started = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command], capture_output=True, check=False
        )
        elapsed = time.perf_counter() - started
        if proc.returncode not in (0, 3):
            raise RuntimeError(proc.stderr.decode())
        peak = int(proc.stderr.decode().strip().splitlines()[-1])
        return elapsed, peak, orjson.loads(out.read_bytes())


def bare_arcs(inst: Instance) -> tuple[np.ndarray, ...]:
    """Arcs of a plain source -> participant -> opening -> sink network over every pair."""
    t = inst.tables
    n, m = t.n_participants, t.n_openings
    people = np.unique(inst.pair_p)
    tails = np.concatenate([np.full(len(people), n + m), inst.pair_p, n + np.arange(m)])
    heads = np.concatenate([people, n + inst.pair_o.astype(np.int64), np.full(m, n + m + 1)])
    caps = np.concatenate([np.ones(len(people) + len(inst.pair_p), np.int64), t.o_slots])
    costs = np.concatenate([np.zeros(len(people), np.int64), -inst.profit(), np.zeros(m, np.int64)])
    return tails.astype(np.int32), heads.astype(np.int32), caps, costs, people


def bare_flow(path: Path) -> tuple[float, int, int]:
    """OR-Tools `solve_max_flow_with_min_cost` over every eligible pair (arcs not timed)."""
    inst = prepare(problem_from_dataset(read_dataset_file(path)))
    tails, heads, caps, costs, people = bare_arcs(inst)
    n, m = inst.tables.n_participants, inst.tables.n_openings
    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(n + m, len(people))
    flow.set_node_supply(n + m + 1, -len(people))
    assert flow.solve_max_flow_with_min_cost() == flow.OPTIMAL
    elapsed = time.perf_counter() - started
    return elapsed, int(flow.maximum_flow()), -int(flow.optimal_cost())


def child(*args: str) -> dict[str, Any]:
    """Run one of this script's hidden sub-commands in a fresh process; its JSON line."""
    proc = subprocess.run(
        [sys.executable, str(HERE), *args], capture_output=True, check=True, text=True
    )
    last: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return last


def peak_mb() -> float:
    """This process's peak RSS in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values: list[float]) -> float:
    return float(statistics.median(values))


# --- (a) national end to end vs a bare flow -----------------------------------------------


def cmd_flow(path: Path, repeat: int) -> None:
    # `jet-match solve` sets its allocator as a solver process does; the bare flow, timed
    # here, runs under the same settings.
    as_a_solver_process()
    ours, bare, peaks = [], [], []
    for _ in range(repeat):
        elapsed, peak, document = run_cli(path)
        b_elapsed, b_placed, b_profit = bare_flow(path)
        objective = document["objective"]
        assert document["status"] == "optimal"
        assert (objective["placed"], objective["score"]) == (b_placed, b_profit)
        ours.append(elapsed)
        bare.append(b_elapsed)
        peaks.append(peak / 1024)
        print(
            f"end-to-end {elapsed:.2f}s peak {peak / 1024:.0f} MB placed {objective['placed']} "
            f"score {objective['score']} | bare flow {b_elapsed:.2f}s placed {b_placed} "
            f"profit {b_profit}"
        )
    print(
        f"median end-to-end {median(ours):.2f}s, bare flow {median(bare):.2f}s, "
        f"ratio {median(ours) / median(bare):.2f}, peak {max(peaks):.0f} MB"
    )


# --- (b) couples and a country cap --------------------------------------------------------


def side_once(path: Path, limit: float, target: float) -> None:
    """One solve in this process with `target_gap=target`; when the gap first reached
    0.1 % with placements equal to the bound (from the progress reports), and the end."""
    started = time.perf_counter()
    problem = problem_from_dataset(read_dataset_file(path))
    first: dict[str, float] = {}

    def watch(progress: Progress) -> None:
        reached = progress.gap is not None and progress.gap <= TARGET_GAP
        if reached and progress.placed == progress.bound_placed and "at" not in first:
            first["at"] = time.perf_counter() - started

    result = solve(
        problem,
        time_limit_s=limit - (time.perf_counter() - started),
        progress=watch,
        target_gap=target,
    )
    elapsed = time.perf_counter() - started
    plan = [Assignment(p.participant, p.opening) for p in result.placements]
    couples = sum(p.partner is not None for p in problem.participants) // 2
    print(
        json.dumps(
            {
                "couples": couples,
                "share": problem.max_country_share_per_prefecture,
                "status": result.status.value,
                "seconds": elapsed,
                "placed": result.objective.placed,
                "score": result.objective.score,
                "bound": [result.bound.placed, result.bound.score] if result.bound else None,
                "gap": result.gap,
                "gap_0.1%_at": first.get("at"),
                "violations": len(check_plan(problem, plan)),
                "peak_mb": peak_mb(),
                "stats": {k: round(v, 2) for k, v in result.stats.items()},
            }
        )
    )


#: (b)'s baseline: the same solve with another checkout's `src` first on the path (e.g.
#: the previous engine, `git archive <commit> src | tar -x -C DIR`); only the APIs every
#: version has are used.
BASELINE = """
import json, sys, time
from pathlib import Path
from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset, solve_dataset_file
from jet_match.solver import Assignment, check_plan, solve
started = time.perf_counter()
problem = problem_from_dataset(read_dataset_file(Path(sys.argv[1])))
result = solve(problem, time_limit_s=float(sys.argv[2]) - (time.perf_counter() - started))
seconds = time.perf_counter() - started
plan = [Assignment(p.participant, p.opening) for p in result.placements]
print(json.dumps({"status": result.status.value, "seconds": seconds,
    "placed": result.objective.placed, "score": result.objective.score,
    "bound": [result.bound.placed, result.bound.score] if result.bound else None,
    "gap": result.gap, "violations": len(check_plan(problem, plan))}))
"""


def baseline_once(source: Path, path: Path, limit: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, "-c", BASELINE, str(path), str(limit)]
    proc = subprocess.run(command, capture_output=True, check=True, text=True, env=env)
    last: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return last


def cmd_side(path: Path, repeat: int, limit: float, target: float, baseline: Path | None) -> None:
    times, reached, gaps, peaks, before = [], [], [], [], []
    for _ in range(repeat):
        run = child("side-once", str(path), "--limit", str(limit), "--target", str(target))
        print(json.dumps(run), flush=True)
        times.append(run["seconds"])
        gaps.append(run["gap"] if run["gap"] is not None else float("nan"))
        peaks.append(run["peak_mb"])
        if run["gap_0.1%_at"] is not None:
            reached.append(run["gap_0.1%_at"])
        if baseline is not None:
            old = baseline_once(baseline, path, limit)
            print("baseline", json.dumps(old), flush=True)
            before.append(old)
    at = f"{median(reached):.1f}s" if reached else "never"
    print(
        f"median: placements = bound and gap <= 0.1 % after {at} ({len(reached)}/{repeat} "
        f"runs); solve ends after {median(times):.1f}s at gap {100 * median(gaps):.4f}%; "
        f"peak {max(peaks):.0f} MB"
    )
    if before:
        print(
            f"baseline median: {median([b['seconds'] for b in before]):.1f}s, placed "
            f"{median([b['placed'] for b in before]):.0f} of bound "
            f"{median([b['bound'][0] for b in before]):.0f}, gap "
            f"{100 * median([b['gap'] for b in before]):.3f}%"
        )


# --- (c) growth ---------------------------------------------------------------------------


def cmd_growth(folder: Path, repeat: int, bare_up_to: int) -> None:
    rows = []
    for factor in GROWTH:
        name = "national_singles.json" if factor == 1 else f"national_x{factor}_singles.json"
        path = folder / name
        times, peaks, bares = [], [], []
        for _ in range(repeat):
            elapsed, peak, document = run_cli(path, time_limit=600.0)
            assert document["status"] == "optimal"
            times.append(elapsed)
            peaks.append(peak / 1024)
            if factor <= bare_up_to:
                bares.append(child("bare-once", str(path))["seconds"])
        pairs = child("pairs-once", str(path))["pairs"]
        row = (factor, pairs, median(times), max(peaks), median(bares) if bares else None)
        rows.append(row)
        bare = f"{row[4]:.2f}s" if row[4] is not None else "not run"
        print(
            f"x{factor}: {pairs:,} eligible pairs, end-to-end median {row[2]:.2f}s, "
            f"peak {row[3]:.0f} MB, bare flow {bare}",
            flush=True,
        )


def as_a_solver_process() -> None:
    """This child's allocator set as a worker's solver process sets its own
    (`JET_MATCH_KEEP_FREED_MEMORY`, on by default): our solve and the bare flow are timed as
    the service would run them (process_memory: 9-19 % off a national solve with couples
    and a cap; the bare flow the same within the noise)."""
    if get_settings().keep_freed_memory:
        keep_freed_memory()


def bare_once(path: Path) -> None:
    elapsed, placed, profit = bare_flow(path)
    print(json.dumps({"seconds": elapsed, "placed": placed, "profit": profit}))


def pairs_once(path: Path) -> None:
    inst = prepare(problem_from_dataset(read_dataset_file(path)))
    print(json.dumps({"pairs": len(inst.pair_p), "peak_mb": peak_mb()}))


# --- (e) re-solve after one withdrawal ----------------------------------------------------


def withdrawn(problem: Any, who: str) -> Any:
    people = tuple(
        replace(p, status=ParticipantStatus.WITHDRAWN) if p.external_id == who else p
        for p in problem.participants
    )
    return replace(problem, participants=people)


def cmd_resolve(path: Path, repeat: int, target: float) -> None:
    problem = problem_from_dataset(read_dataset_file(path))
    base = prepare(problem)
    started = time.perf_counter()
    first = solve(base, target_gap=target)
    print(
        f"first solve: {first.status.value} {first.engine} in {time.perf_counter() - started:.1f}s"
    )
    with_plan = replace(
        problem, previous_plan=tuple(Assignment(p.participant, p.opening) for p in first.placements)
    )
    partnered = {p.external_id for p in problem.participants if p.partner}
    times, fulls = [], []
    for k in range(repeat):
        couple_member = bool(partnered) and k % 2 == 1
        people = [p for p in first.placements if (p.participant in partnered) == couple_member]
        gone = people[(k * 997) % len(people)].participant
        changed = withdrawn(with_plan, gone)
        started = time.perf_counter()
        result = solve(prepare(changed, base=base), target_gap=target)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        full = solve(changed, target_gap=target)
        full_elapsed = time.perf_counter() - started
        if result.status == full.status == Status.OPTIMAL:
            assert result.objective == full.objective
        plan = [Assignment(p.participant, p.opening) for p in result.placements]
        assert check_plan(changed, plan) == ()
        times.append(elapsed)
        fulls.append(full_elapsed)
        print(
            f"withdrawal of one {'couple member' if couple_member else 'single'}: "
            f"incremental {elapsed:.2f}s ({_state(result)}), from scratch {full_elapsed:.2f}s "
            f"({_state(full)}), moved {result.objective.moved}, placed {result.objective.placed}"
        )
    print(f"median incremental {median(times):.2f}s, from scratch {median(fulls):.2f}s")


# --- refactorings: the same result documents before and after -----------------------------


def cmd_documents(out: Path, paths: list[Path], target: float) -> None:
    """The CLI's result document of each dataset into `out` (long limit; `target` on files
    over 1,000 participants), so that runs end by their target and not by the clock."""
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        big = len(read_dataset_file(path).participants) > 1000
        done = solve_dataset_file(
            path, out / path.name, time_limit_s=900, target_gap=target if big else 0.0
        )
        result = done.result
        print(f"{path.name}: {result.status.value} {result.objective} gap {result.gap}")


def cmd_same(before: Path, after: Path) -> None:
    """Compare the documents of two `documents` folders, ignoring `timings`."""
    for path in sorted(before.glob("*.json")):
        old, new = orjson.loads(path.read_bytes()), orjson.loads((after / path.name).read_bytes())
        old.pop("timings")
        new.pop("timings")
        verdict = "identical (except timings)" if old == new else "DIFFERENT"
        print(f"{path.name}: {verdict} {old['status']} {old['objective']}")


def _state(result: Result) -> str:
    gap = "" if result.gap is None else f" gap {100 * result.gap:.3f}%"
    return f"{result.status.value}{gap}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="what", required=True)
    datasets = sub.add_parser("datasets", help="write the benchmark datasets")
    datasets.add_argument("--out", type=Path, default=Path("/tmp/jet-bench"))
    datasets.add_argument("--seed", type=int, default=1)
    for name in ("flow", "side", "growth", "resolve"):
        command = sub.add_parser(name)
        command.add_argument("path", type=Path)
        command.add_argument("--repeat", type=int, default=3)
        command.add_argument("--limit", type=float, default=60.0)
        command.add_argument("--target", type=float, default=0.001)
        command.add_argument("--bare-up-to", type=int, default=2)
        command.add_argument("--baseline-src", type=Path, default=None)
    documents = sub.add_parser("documents", help="result documents of datasets (refactorings)")
    documents.add_argument("out", type=Path)
    documents.add_argument("paths", type=Path, nargs="+")
    documents.add_argument("--target", type=float, default=TARGET_GAP)
    same = sub.add_parser("same", help="compare two `documents` folders but for timings")
    same.add_argument("before", type=Path)
    same.add_argument("after", type=Path)
    for name in ("side-once", "bare-once", "pairs-once"):
        hidden = sub.add_parser(name)
        hidden.add_argument("path", type=Path)
        hidden.add_argument("--limit", type=float, default=60.0)
        hidden.add_argument("--target", type=float, default=0.001)
    args = parser.parse_args()
    if args.what.endswith("-once"):
        as_a_solver_process()
    else:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"# {args.what}: load average {load} on {os.cpu_count()} cores", flush=True)
    if args.what == "datasets":
        cmd_datasets(args.out, args.seed)
    elif args.what == "flow":
        cmd_flow(args.path, args.repeat)
    elif args.what == "side":
        cmd_side(args.path, args.repeat, args.limit, args.target, args.baseline_src)
    elif args.what == "growth":
        cmd_growth(args.path, args.repeat, args.bare_up_to)
    elif args.what == "resolve":
        cmd_resolve(args.path, args.repeat, args.target)
    elif args.what == "documents":
        cmd_documents(args.out, args.paths, args.target)
    elif args.what == "same":
        cmd_same(args.before, args.after)
    elif args.what == "side-once":
        side_once(args.path, args.limit, args.target)
    elif args.what == "bare-once":
        bare_once(args.path)
    else:
        pairs_once(args.path)


if __name__ == "__main__":
    main()
