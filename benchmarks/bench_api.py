"""Benchmarks of the rounds API (run from the repo root, see benchmarks/README.md).

python benchmarks/bench_api.py reads DATASET.json [--duration 30] [--clients 50]
    API read latency at 50 concurrent clients while a national run is solving, and with
    no run, for comparison. Two load generators, each in a process of its own: 50
    clients each sending a read every second (or two), timed from when it was due
    (open loop: a slow answer delays the next request, and counts against it), and wrk
    keeping 50 connections busy without pause (closed loop: the server's capacity).
python benchmarks/bench_api.py stalls DATASET.json [--duration 30]
    The same open-loop reads (no run) against a baseline server started with
    JET_MATCH_GC_FREEZE=false and against the service as configured, side by side.
python benchmarks/bench_api.py resolve DATASET.json [--repeat 5]
    Re-solve after one withdrawal through the API, end to end: POST withdraw, POST a
    run, poll it until it has succeeded; nobody may move.

Each starts a fresh database (SQLite in a temporary directory, or --database-url), import
the dataset, and run `jet-match serve --no-worker` and one `jet-match worker` as separate
processes, exactly as a deployment would. wrk must be installed for `reads`
(apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from api_harness import (
    CLI,
    Service,
    create_round,
    free_port,
    service,
    start_run,
    wait_run,
    wait_until_serving,
)

from jet_match.statuses import Role

# --- reads while solving --------------------------------------------------------------------


_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, key: str, connections: int, duration: float) -> dict[str, float]:
    """Latency percentiles (ms), requests per second and non-2xx answers of a wrk run."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{round(duration)}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {key}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {
        f"p{pct}": float(value) * _UNIT_MS[unit] for pct, value, unit in _LATENCY.findall(output)
    }
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    figures["rps"] = float(rate.group(1)) if rate else 0.0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    figures["non_2xx"] = float(bad.group(1)) if bad else 0.0
    return figures


def open_loop(
    base: str, targets: list[tuple[str, str, str]], clients: int, rate: float, duration: float
) -> dict[str, dict[str, float]]:
    """Run `load` in a process of its own; latency figures (ms) per target and overall."""
    spec = json.dumps({"base": base, "targets": targets})
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "load",
            spec,
            "--clients",
            str(clients),
            "--rate",
            str(rate),
            "--duration",
            str(duration),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, dict[str, float]] = json.loads(output)
    return figures


def cmd_load(args: argparse.Namespace) -> None:
    """The open-loop generator: `clients` clients, each `rate` reads a second, spread over
    the targets; prints JSON figures."""
    spec = json.loads(args.spec)
    targets = [tuple(t) for t in spec["targets"]]
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    errors: dict[str, int] = dict.fromkeys(latencies, 0)

    async def client(http: httpx.AsyncClient, index: int, end: float) -> None:
        name, path, key = targets[index % len(targets)]
        interval = 1.0 / args.rate
        due = time.perf_counter() + random.uniform(0, interval)
        while due < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                answer = await http.get(path, headers={"Authorization": f"Bearer {key}"})
                failed = answer.status_code >= 400
            except httpx.HTTPError:
                failed = True
            latencies[name].append((time.perf_counter() - due) * 1000)
            errors[name] += failed
            due += interval

    async def run() -> None:
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(base_url=spec["base"], limits=limits, timeout=60) as http:
            end = time.perf_counter() + args.duration
            await asyncio.gather(*(client(http, i, end) for i in range(args.clients)))

    asyncio.run(run())
    figures = {name: _percentiles(values, errors[name]) for name, values in latencies.items()}
    figures["all"] = _percentiles(
        [v for values in latencies.values() for v in values], sum(errors.values())
    )
    print(json.dumps(figures))


def _percentiles(values: list[float], errors: int) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0.0, "errors": float(errors)}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "count": float(len(ordered)),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "errors": float(errors),
    }


class KeepSolving:
    """Keeps the worker solving: a thread starts a national run of the round whenever the
    last one has ended, until stopped, and records when each run solved, so that the share
    of a measurement window spent solving can be stated rather than assumed."""

    def __init__(self, svc: Service, round_id: str) -> None:
        self._api = svc.client()
        self._round_id = round_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.spans: list[tuple[float, float]] = []  # (solving from, to), time.time()
        self.current: str | None = None

    def __enter__(self) -> KeepSolving:
        self._thread.start()
        while self.current is None:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self.current is not None:
            self._api.post(f"{self.current}/cancel")
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            location = start_run(self._api, self._round_id, minimise_disruption=False)
            self.current = location
            solving_since: float | None = None
            while True:
                run = self._api.get(location).json()
                if solving_since is None and run["progress"].get("phase") == "solving":
                    solving_since = time.time()
                if run["status"] not in ("queued", "running"):
                    break
                time.sleep(0.2)
            if solving_since is not None:
                self.spans.append((solving_since, time.time()))

    def share(self, start: float, end: float) -> tuple[float, int]:
        """Share of [start, end] spent solving, and how many runs solved in it."""
        spans = list(self.spans)
        if self.current is not None and not self._stop.is_set():
            spans.append((spans[-1][1] if spans else start, end))  # the run still going
        overlaps = [min(end, b) - max(start, a) for a, b in spans if b > start and a < end]
        return sum(o for o in overlaps if o > 0) / (end - start), len(overlaps)


def cmd_reads(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with service(args.dataset, args.database_url, 0.2, args.processes) as svc:
        api = svc.client()
        round_id = create_round(api, "BENCH", args.first_time_limit)
        first = wait_run(api, start_run(api, round_id), poll_s=0.5)
        print(
            f"first run: {first['status']} {first['outcome']['status']} "
            f"placed {first['outcome']['objective']['placed']} in "
            f"{first['progress']['elapsed_s']}s",
            flush=True,
        )
        etag = api.get(f"/api/v1/rounds/{round_id}").headers["ETag"]
        api.post(f"/api/v1/rounds/{round_id}/publish", headers={"If-Match": etag})
        plan = api.get(f"/api/v1/rounds/{round_id}/plan?limit=1").json()["items"]
        organization = plan[0]["organization"]
        host = svc.key(Role.HOST_ORG, organization)
        fair = svc.key(Role.CAREER_FAIR)
        # Hard national runs for the background: couples and a 45 % country cap (MIP),
        # started one after another for as long as the reads are measured.
        api.patch(
            f"/api/v1/rounds/{round_id}",
            headers={"If-Match": api.get(f"/api/v1/rounds/{round_id}").headers["ETag"]},
            json={
                "policy": {
                    "time_limit_s": args.time_limit,
                    "max_country_share_per_prefecture": args.cap,
                }
            },
        )
        first_location = f"/api/v1/runs/{first['id']}"
        targets = [
            ("GET run (progress)", first_location, svc.coordinator),
            ("GET plan page", f"/api/v1/rounds/{round_id}/plan?limit=100", svc.coordinator),
            ("GET results page", "/api/v1/results?limit=100", fair),
            ("GET host placements", f"/api/v1/organizations/{organization}/placements", host),
            ("GET openings page", "/api/v1/openings?limit=100", svc.coordinator),
            ("GET health (baseline)", "/api/v1/health", svc.coordinator),
        ]

        def measure(state: str, busy: KeepSolving | None) -> None:
            for rate in args.rates:
                start = time.time()
                figures = open_loop(svc.base, targets, args.clients, rate, args.duration)
                print(
                    f"{state:8} open loop, {args.clients} clients x {rate:g}/s"
                    f"{_solving(busy, start)}",
                    flush=True,
                )
                for name, values in figures.items():
                    print(f"    {name:22} {_format_open(values)}", flush=True)
            start = time.time()
            closed = wrk(svc.base + first_location, svc.coordinator, args.clients, args.duration)
            print(
                f"{state:8} closed loop (wrk -c{args.clients}), GET run: {_format(closed)}"
                f"{_solving(busy, start)}",
                flush=True,
            )

        with KeepSolving(svc, round_id) as busy:
            while api.get(busy.current or "").json()["progress"].get("phase") != "solving":
                time.sleep(0.2)
            measure("solving", busy)
        measure("idle", None)


def _solving(busy: KeepSolving | None, start: float) -> str:
    if busy is None:
        return ": no run"
    share, runs = busy.share(start, time.time())
    return f": a national run solving {share:.0%} of the time ({runs} runs)"


def cmd_stalls(args: argparse.Namespace) -> None:
    """The same reads against two servers on one database, one after the other: the
    baseline with JET_MATCH_GC_FREEZE=false (the garbage collector walks every object the
    process loaded, about 60 ms each full collection), then the service as configured."""
    with service(args.dataset, args.database_url, 0.2) as svc:
        api = svc.client()
        round_id = create_round(api, "BENCH", args.first_time_limit)
        first = wait_run(api, start_run(api, round_id), poll_s=0.5)
        etag = api.get(f"/api/v1/rounds/{round_id}").headers["ETag"]
        api.post(f"/api/v1/rounds/{round_id}/publish", headers={"If-Match": etag})
        organization = api.get(f"/api/v1/rounds/{round_id}/plan?limit=1").json()["items"][0][
            "organization"
        ]
        host, fair = svc.key(Role.HOST_ORG, organization), svc.key(Role.CAREER_FAIR)
        targets = [
            ("GET run", f"/api/v1/runs/{first['id']}", svc.coordinator),
            ("GET plan page", f"/api/v1/rounds/{round_id}/plan?limit=100", svc.coordinator),
            ("GET results page", "/api/v1/results?limit=100", fair),
            ("GET host placements", f"/api/v1/organizations/{organization}/placements", host),
            ("GET openings page", "/api/v1/openings?limit=100", svc.coordinator),
            ("GET health", "/api/v1/health", svc.coordinator),
        ]
        port = free_port()
        env = {
            **os.environ,
            "JET_MATCH_DATABASE_URL": svc.database_url,
            "JET_MATCH_LOG_LEVEL": "WARNING",
            "JET_MATCH_GC_FREEZE": "false",
        }
        baseline_server = subprocess.Popen(
            [*CLI, "serve", "--no-worker", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
        )
        try:
            baseline = f"http://127.0.0.1:{port}"
            wait_until_serving(baseline)
            figures = {
                "baseline (GC_FREEZE=false)": open_loop(
                    baseline, targets, args.clients, args.rate, args.duration
                ),
                "jet-match (as configured)": open_loop(
                    svc.base, targets, args.clients, args.rate, args.duration
                ),
            }
        finally:
            baseline_server.terminate()
            baseline_server.wait(timeout=30)
        print(
            f"open loop, {args.clients} clients x {args.rate:g}/s, {args.duration:g}s each, no run"
        )
        names = [name for name, _, _ in targets] + ["all"]
        for name in names:
            old, new = (figures[server][name] for server in figures)
            print(
                f"    {name:20} p50 {old['p50']:6.1f} -> {new['p50']:6.1f} ms   "
                f"p99 {old['p99']:6.1f} -> {new['p99']:6.1f} ms "
                f"(x{old['p99'] / max(new['p99'], 0.1):.1f})   "
                f"max {old['max']:6.1f} -> {new['max']:6.1f} ms",
                flush=True,
            )


def _format_open(values: dict[str, float]) -> str:
    if not values.get("count"):
        return "no answers"
    return (
        f"p50 {values['p50']:7.1f} ms  p90 {values['p90']:7.1f} ms  p99 {values['p99']:7.1f} ms"
        f"  max {values['max']:7.1f} ms  ({int(values['count'])} reads, "
        f"{int(values['errors'])} errors)"
    )


def _format(figures: dict[str, float]) -> str:
    return (
        f"p50 {figures.get('p50', 0):7.1f} ms  p90 {figures.get('p90', 0):7.1f} ms  "
        f"p99 {figures.get('p99', 0):7.1f} ms  {figures['rps']:7.0f} req/s  "
        f"non-2xx {int(figures['non_2xx'])}"
    )


# --- re-solve after one withdrawal ----------------------------------------------------------


def cmd_resolve(args: argparse.Namespace) -> None:
    with service(args.dataset, args.database_url, args.poll) as svc:
        api = svc.client()
        round_id = create_round(api, "BENCH", 60, args.disruption)
        first = wait_run(api, start_run(api, round_id))
        print(
            f"first run: {first['outcome']['status']} ({first['outcome']['engine']}), placed "
            f"{first['outcome']['objective']['placed']}, worker {_worker_s(first):.2f}s",
            flush=True,
        )
        totals: list[float] = []
        moved: list[int] = []
        for k in range(args.repeat):
            plan = api.get(f"/api/v1/rounds/{round_id}/plan?limit=1", params={}).json()["items"]
            leaving = plan[0]["participant"]
            started = time.perf_counter()
            withdrawn = api.post(f"/api/v1/participants/{leaving}/withdraw")
            withdraw_s = time.perf_counter() - started
            assert withdrawn.json()["freed"], withdrawn.text
            started = time.perf_counter()
            run = wait_run(api, start_run(api, round_id, minimise_disruption=True))
            total = time.perf_counter() - started
            totals.append(total)
            outcome = run["outcome"]
            timings = outcome["timings"]
            print(
                f"{k + 1}: withdraw {withdraw_s * 1000:.0f} ms; re-solve {run['status']} "
                f"{outcome['status']} ({outcome['engine']}) end to end {total:.2f}s "
                f"[queue {_queue_s(run):.2f}s, worker {_worker_s(run):.2f}s: "
                f"load {timings.get('load_s', 0):.2f}s, "
                f"prepare {timings.get('prepare_s', 0):.2f}s, "
                f"solve {timings['total_s']:.2f}s, save {timings.get('save_s', 0):.2f}s], "
                f"moved {outcome['objective']['moved']}, changed {outcome['changed']}, "
                f"placed {outcome['objective']['placed']}",
                flush=True,
            )
            moved.append(outcome["objective"]["moved"])
        print(
            f"median end to end {statistics.median(totals):.2f}s over {len(totals)} re-solves; "
            f"moved {moved} (disruption weight {args.disruption})"
        )


def _seconds(run: dict[str, Any], start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(run[end]) - datetime.fromisoformat(run[start])).total_seconds()


def _queue_s(run: dict[str, Any]) -> float:
    return _seconds(run, "created_at", "started_at")


def _worker_s(run: dict[str, Any]) -> float:
    return _seconds(run, "started_at", "finished_at")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="Default: a temporary SQLite file.")
    commands = parser.add_subparsers(dest="command", required=True)
    reads = commands.add_parser("reads", help="Read latency while a national run solves.")
    reads.add_argument("dataset", type=Path)
    reads.add_argument("--duration", type=float, default=30.0)
    reads.add_argument("--clients", type=int, default=50)
    reads.add_argument(
        "--rates", type=float, nargs="+", default=[1.0, 1.5], help="Reads a second per client."
    )
    reads.add_argument("--first-time-limit", type=float, default=20.0)
    reads.add_argument("--time-limit", type=float, default=150.0)
    reads.add_argument("--cap", type=float, default=0.45, help="Country cap of the solving run.")
    reads.add_argument("--processes", type=int, default=1, help="uvicorn processes.")
    reads.set_defaults(run=cmd_reads)
    stalls = commands.add_parser(
        "stalls", help="Reads with and without the garbage collector's startup freeze."
    )
    stalls.add_argument("dataset", type=Path)
    stalls.add_argument("--duration", type=float, default=30.0)
    stalls.add_argument("--clients", type=int, default=50)
    stalls.add_argument("--rate", type=float, default=1.5, help="Reads a second per client.")
    stalls.add_argument("--first-time-limit", type=float, default=20.0)
    stalls.set_defaults(run=cmd_stalls)

    resolve = commands.add_parser("resolve", help="Re-solve after one withdrawal, end to end.")
    resolve.add_argument("dataset", type=Path)
    resolve.add_argument("--repeat", type=int, default=5)
    resolve.add_argument("--poll", type=float, default=0.5, help="The worker's poll interval.")
    resolve.add_argument("--disruption", type=int, default=50, help="The round's weight.")
    resolve.set_defaults(run=cmd_resolve)
    load = commands.add_parser("load", help="(internal) the open-loop load generator.")
    load.add_argument("spec")
    load.add_argument("--clients", type=int, default=50)
    load.add_argument("--rate", type=float, default=1.0)
    load.add_argument("--duration", type=float, default=30.0)
    load.set_defaults(run=cmd_load)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
