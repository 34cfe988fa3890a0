"""Server-side time of the demand report at national scale (docs/development.md).

python benchmarks/bench_development.py DATASET.json [--repeat 10] [--time-limit 30]

Imports the dataset (`jet-match fixtures generate --scale national --seed 1`) into a fresh
SQLite database, serves it with one worker (bench_api.service), solves a round through
the API, then times `GET /api/v1/development/demand?programme_year=2026` through the real
HTTP stack: the first read (which prepares the round's problem, as the round report's
first read does) and the median and worst of `repeat` reads after it. Also checks that
the report's count of applicants with no eligible opening equals the round report's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import httpx
from api_harness import create_round, service, start_run, wait_run

ROUND = "R-DEMAND"
URL = "/api/v1/development/demand?programme_year=2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=30)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    with service(args.dataset, None, 0.05) as svc:
        api = httpx.Client(
            base_url=svc.base, headers={"Authorization": f"Bearer {svc.coordinator}"}, timeout=300
        )
        create_round(api, ROUND, args.time_limit)
        run = wait_run(api, start_run(api, ROUND))
        print(f"run {run['id']}: {run['status']}, placed {run['progress']['placed']}", flush=True)
        start = time.perf_counter()
        first = api.get(URL)
        first.raise_for_status()
        print(f"first read (prepares the round): {(time.perf_counter() - start) * 1000:.0f} ms")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            api.get(URL).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
        print(f"demand report: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
        report = api.get(f"/api/v1/rounds/{ROUND}/report").json()
        lacking = sum(
            1
            for u in report["unplaced"]
            if any(r.startswith("no eligible opening") for r in u["reasons"])
        )
        lacks = first.json()["totals"]["unplaced_no_eligible_opening"]
        print(
            f"unplaced for want of an eligible opening: demand {lacks}, round report {lacking};"
            f" cells {len(first.json()['cells'])}"
        )


if __name__ == "__main__":
    main()
