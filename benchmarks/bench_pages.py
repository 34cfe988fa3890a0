"""Server-side time of the workspace's round pages at national scale (benchmarks/README.md).

python benchmarks/bench_pages.py DATASET.json [--repeat 15] [--time-limit 30]

Imports the dataset (`jet-match fixtures generate --scale national --seed 1`) into a fresh
SQLite database, serves it with `jet-match serve --no-worker` and one `jet-match worker`
(bench_api.service, as a deployment would), solves a round through the API, creates a
coordinator account and signs in at /app/login, then times each page through the real
HTTP stack (uvicorn, session, CSRF, templates): the plan page with several filters, its
CSV download, the round page, a participant's page, an opening's page and the bulk page.
Prints the median and the worst of `repeat` requests, timed by the client on loopback
(the server's time plus well under a millisecond), beside two baselines measured in the
same minute: the login page (no database work: what the machine's load alone costs) and
the API's first page of the plan (the same query without a template). Refuses to print
page figures unless the run succeeded (a plan of unplaced people would flatter them).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

import httpx
from api_harness import create_round, service, start_run, wait_run
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import make_engine
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.security import accounts
from jet_match.statuses import Role

EMAIL = "bench.coordinator@example.jp"
PASSWORD = "a long benchmark password"
ROUND = "R-PAGES"


def _coordinator(database_url: str) -> None:
    engine = make_engine(Settings(database_url=database_url))
    with Session(engine) as session:
        accounts.create_user(
            session=session,
            caller=COMMAND_LINE,
            email=EMAIL,
            role=Role.COORDINATOR,
            organization=None,
            password=PASSWORD,
            locale="ja",
        )
    engine.dispose()


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, headers={"Accept-Language": "ja"})
    login = client.get("/app/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token is not None
    answer = client.post(
        "/app/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code in (200, 303), answer.status_code
    return client


def _time(client: httpx.Client, url: str, repeat: int) -> tuple[float, float]:
    client.get(url).raise_for_status()  # warm: templates, prepared problems
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--time-limit", type=float, default=120)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    with service(args.dataset, None, 0.05) as svc:
        api = httpx.Client(
            base_url=svc.base, headers={"Authorization": f"Bearer {svc.coordinator}"}, timeout=120
        )
        create_round(api, ROUND, args.time_limit)
        run = wait_run(api, start_run(api, ROUND))
        print(
            f"run {run['id']}: {run['status']}, placed {run['progress']['placed']}"
            f" {run.get('error') or ''}",
            flush=True,
        )
        if run["status"] != "succeeded":
            raise SystemExit("the national run did not succeed: no page figures on an empty plan")
        first = api.get(f"/api/v1/rounds/{ROUND}/plan", params={"limit": 1}).json()["items"][0]
        _coordinator(svc.database_url)
        client = _signed_in(svc.base)
        page = f"/app/rounds/{ROUND}"
        anonymous = httpx.Client(base_url=svc.base, timeout=120)
        baselines = [
            ("baseline: login page (no database)", anonymous, "/app/login"),
            ("baseline: API plan, first 50 (JSON)", api, f"/api/v1/rounds/{ROUND}/plan?limit=50"),
        ]
        cases = [
            ("plan, first page", f"{page}/plan"),
            ("plan, name search", f"{page}/plan?q=smith"),
            ("plan, prefecture 13 + ALT", f"{page}/plan?prefecture=13&position=ALT"),
            ("plan, 2nd choice sorted by score desc", f"{page}/plan?choice=second&sort=-score"),
            ("plan, unplaced", f"{page}/plan?unplaced=1"),
            ("plan, sorted by organization, page 50", f"{page}/plan?sort=organization&offset=2500"),
            ("plan, CSV of prefecture 13", f"{page}/plan.csv?prefecture=13"),
            ("round page (with report figures)", page),
            ("round progress (JSON)", f"{page}/progress"),
            ("participant page (explanation)", f"{page}/participants/{first['participant']}"),
            ("opening page (placed, candidates)", f"{page}/openings/{first['opening']}"),
            ("bulk page", f"{page}/bulk"),
            ("home", "/app/"),
        ]
        print(f"{'page':<42} {'median ms':>10} {'max ms':>8}")
        for name, who, url in [*baselines, *((n, client, u) for n, u in cases)]:
            median, worst = _time(who, url, args.repeat)
            print(f"{name:<42} {median:>10.1f} {worst:>8.1f}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
