"""Issue 10: `jet-match solve --time-limit L` returns by L x 1.1 + 2 s, also with CPU-bound
processes beside it (figures in benchmarks/README.md):

    python benchmarks/bench_deadline.py /tmp/jet-bench/national_3pct_cap45.json [--busy 2]
        [--limits 10 30 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bench_solve import run_cli

#: The time limits tried, and the promise: a run returns by limit x 1.1 + 2 s.
DEADLINE_LIMITS = (10.0, 30.0, 60.0)

BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


def cmd_deadline(path: Path, busy: int, limits: tuple[float, ...] = DEADLINE_LIMITS) -> None:
    """`jet-match solve --time-limit L` for each limit, first with `busy` CPU-bound
    processes of our own running beside it (started before the run, bounded by L x 1.1 +
    30 s, killed after it), then without them; wall time of the whole process."""
    rows = []
    for extra in (busy, 0):
        for limit in limits:
            burners = [
                subprocess.Popen([sys.executable, "-c", BURN.format(seconds=limit * 1.1 + 30)])
                for _ in range(extra)
            ]
            try:
                load = os.getloadavg()[0]
                elapsed, _, document = run_cli(path, time_limit=limit)
            finally:
                for burner in burners:
                    burner.kill()
                    burner.wait()
            promise = limit * 1.1 + 2
            gap = document["gap"]
            row = (
                f"{extra} burners, load {load:4.1f} | limit {limit:4.0f}s | wall {elapsed:6.1f}s "
                f"(solver {document['timings']['total_s']:5.1f}s) | bound {promise:5.1f}s "
                f"{'ok' if elapsed <= promise else 'OVER'} | {document['status']:8} | placed "
                f"{document['objective']['placed']} of {(document['bound'] or {}).get('placed')} "
                f"| gap {'-' if gap is None else f'{100 * gap:.3f}%'}"
            )
            rows.append(row)
            print(row, flush=True)
    print("\n".join(["summary:", *rows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--busy", type=int, default=2)
    parser.add_argument("--limits", type=float, nargs="+", default=list(DEADLINE_LIMITS))
    args = parser.parse_args()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# deadline: load average {load} on {os.cpu_count()} cores", flush=True)
    cmd_deadline(args.path, args.busy, tuple(args.limits))


if __name__ == "__main__":
    main()
