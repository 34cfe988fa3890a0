"""The time a search has left when no proof fits in a MIP, spent or not (issue 17).

    python benchmarks/bench_time_left.py --repeat 1 --limit 30

The instance: the worker tests' round, 1,500 participants (40 % of them in couples),
250 organizations, 500 openings, seed 3, under the dataset's country cap and under a
30 % cap. Each run solves it in a fresh child process, interleaved: `ours` as shipped;
`before`, the same search with `search._spend_the_rest` a no-op (it stops once the next
proof step would hold more than `MAX_SUB_MIP_COLUMNS` pairs, as it did before). Printed:
status, seconds, placed, net, the bound and the gap; then the medians side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench_proofs import child, figures
from bench_solve import median

from jet_match.dataset.generator import generate_dataset
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import solve
from jet_match.solver.side import search

HERE = Path(__file__).resolve()
CAPS = {"dataset's cap": None, "30 % cap": 0.3}


def once(cap: float | None, limit: float, before: bool) -> None:
    """One solve in this process; its figures as a JSON line."""
    if before:
        search._spend_the_rest = lambda *_: None  # type: ignore[assignment]
    dataset = generate_dataset(
        participants=1500, organizations=250, openings=500, seed=3, couple_share=0.4
    )
    problem = problem_from_dataset(
        dataset, max_country_share_per_prefecture=cap, override_cap=cap is not None
    )
    started = time.perf_counter()
    result = solve(problem, time_limit_s=limit)
    print(json.dumps(figures(result, time.perf_counter() - started)))


def _child(cap: float | None, limit: float, before: bool) -> dict[str, Any]:
    command = [sys.executable, str(HERE), "--once", "--limit", str(limit)]
    command += ["--cap", str(cap)] if cap is not None else []
    command += ["--before"] if before else []
    return child(command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--before", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        once(args.cap, args.limit, args.before)
        return
    for name, cap in CAPS.items():
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "before": []}
        for _ in range(args.repeat):
            for label in runs:
                run = _child(cap, args.limit, label == "before")
                runs[label].append(run)
                print(
                    f"{name:14} {label:6} {run['status']:8} {run['seconds']:5.1f}s placed "
                    f"{run['placed']} net {run['net']} bound {run['bound']} "
                    f"gap {100 * (run['gap'] or 0):.3f}%",
                    flush=True,
                )
        print(
            f"{name:14} median ours placed {median([r['placed'] for r in runs['ours']]):.0f} "
            f"net {median([r['net'] for r in runs['ours']]):.0f} "
            f"gap {100 * median([r['gap'] or 0 for r in runs['ours']]):.3f}% "
            f"in {median([r['seconds'] for r in runs['ours']]):.1f}s | before placed "
            f"{median([r['placed'] for r in runs['before']]):.0f} "
            f"net {median([r['net'] for r in runs['before']]):.0f} "
            f"gap {100 * median([r['gap'] or 0 for r in runs['before']]):.3f}% "
            f"in {median([r['seconds'] for r in runs['before']]):.1f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
