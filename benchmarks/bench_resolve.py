"""Re-solves through the HTTP API at national scale (issue 17), beside their baselines.

python benchmarks/bench_resolve.py DATASET.json [--repeat 7] [--edits 3] [--pause 0]
    [--database-url postgresql+psycopg://...]

Serves the dataset as deployed (`jet-match serve --no-worker` and one `jet-match worker`,
see `bench_api.service`), solves a round once (from scratch: the first baseline), then
times, end to end from the POST of the run to the client seeing it succeeded:
- `--repeat` re-solves after one withdrawal (a placed participant withdraws first);
- `--repeat` re-solves after record edits (`--edits` placed participants: experience
  +1 year and driving licence toggled; and the opening of another placement: experience
  preferred and driving required toggled).
`--pause S` waits S seconds before each change (a coordinator reading the result while
the worker prepares the review reads); by default the changes and re-solves come back
to back. Each line splits the worker's time: pickup (queued -> claimed), load, prepare, solve,
save. The second baseline is a bare OR-Tools min-cost flow over the same eligible pairs
(`bench_solve.bare_flow`, in a process of its own, arcs not timed).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from api_harness import create_round, service, start_run, wait_run
from bench_solve import child

#: The client reads the run this often while waiting (the figure includes up to this).
READ_EVERY_S = 0.02


def _seconds(run: dict[str, Any], start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(run[end]) - datetime.fromisoformat(run[start])).total_seconds()


def _resolve(api: httpx.Client, round_id: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    run = wait_run(api, start_run(api, round_id, minimise_disruption=True), READ_EVERY_S)
    total = time.perf_counter() - started
    assert run["status"] == "succeeded", run
    return total, run


def _line(kind: str, k: int, before_s: float, total: float, run: dict[str, Any]) -> str:
    outcome = run["outcome"]
    timings = outcome["timings"]
    objective = outcome["objective"]
    return (
        f"{kind} {k + 1}: records {before_s * 1000:.0f} ms; re-solve {outcome['status']} "
        f"({outcome['engine']}) end to end {total:.2f}s [pickup "
        f"{_seconds(run, 'created_at', 'started_at'):.2f}s, load {timings.get('load_s', 0):.2f}s, "
        f"prepare {timings.get('prepare_s', 0):.2f}s, solve {timings['total_s']:.2f}s, "
        f"save {timings.get('save_s', 0):.2f}s], moved {objective['moved']}, "
        f"placed {objective['placed']}"
    )


def _patch(api: httpx.Client, path: str, change: Any) -> None:
    """Read a record and change it with its ETag (as a coordinator's form does)."""
    read = api.get(path)
    read.raise_for_status()
    body = read.json()
    written = api.patch(path, json=change(body), headers={"If-Match": read.headers["ETag"]})
    written.raise_for_status()


def _edit(api: httpx.Client, round_id: str, rng: random.Random, edits: int) -> None:
    plan = api.get(f"/api/v1/rounds/{round_id}/plan", params={"limit": 200}).json()["items"]
    chosen = rng.sample(plan, edits + 1)
    for item in chosen[:edits]:
        _patch(
            api,
            f"/api/v1/participants/{item['participant']}",
            lambda p: {
                "teaching_experience_years": p["teaching_experience_years"] + 1,
                "can_drive": not p["can_drive"],
            },
        )
    _patch(
        api,
        f"/api/v1/openings/{chosen[-1]['opening']}",
        lambda o: {
            "prefers_experience": not o["prefers_experience"],
            "driving_required": not o["driving_required"],
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--database-url", default=None, help="Default: a temporary SQLite file.")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--edits", type=int, default=3, help="Participants edited per re-solve.")
    parser.add_argument("--bare-repeat", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.2, help="The worker's poll interval.")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="Seconds between a re-solve's end and the next change (a coordinator reading "
        "the result; the worker prepares the review reads meanwhile). Default 0: back to back.",
    )
    args = parser.parse_args()
    print(f"# resolve: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    bare = [
        child("bare-once", str(args.dataset))["seconds"] for _ in range(max(1, args.bare_repeat))
    ]
    bare_s = statistics.median(bare)
    print(f"baseline bare min-cost flow (OR-Tools, same pairs): median {bare_s:.2f}s")
    rng = random.Random(17)
    with service(args.dataset, args.database_url, args.poll) as svc:
        api = svc.client()
        round_id = create_round(api, "BENCH", 60, 50)
        started = time.perf_counter()
        first = wait_run(api, start_run(api, round_id), READ_EVERY_S)
        scratch = time.perf_counter() - started
        print(_line("baseline from-scratch run", -1, 0.0, scratch, first), flush=True)
        figures: dict[str, list[float]] = {"withdrawal": [], "edits": []}
        for k in range(args.repeat):
            for kind in ("withdrawal", "edits"):
                time.sleep(args.pause)
                started = time.perf_counter()
                if kind == "withdrawal":
                    plan = api.get(f"/api/v1/rounds/{round_id}/plan", params={"limit": 50}).json()
                    leaving = rng.choice(plan["items"])["participant"]
                    withdrawn = api.post(f"/api/v1/participants/{leaving}/withdraw")
                    assert withdrawn.json()["freed"], withdrawn.text
                else:
                    _edit(api, round_id, rng, args.edits)
                records_s = time.perf_counter() - started
                total, run = _resolve(api, round_id)
                figures[kind].append(total)
                print(_line(kind, k, records_s, total, run), flush=True)
    print(f"# load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for kind, totals in figures.items():
        print(
            f"median end to end after {kind}: {statistics.median(totals):.2f}s "
            f"(range {min(totals):.2f}-{max(totals):.2f}s) vs from scratch {scratch:.2f}s, "
            f"bare flow {bare_s:.2f}s"
        )


if __name__ == "__main__":
    main()
