"""Benchmarks of the notification outbox (issue 13; run from the repo root, see
benchmarks/README.md, "(g) notifications").

python benchmarks/bench_outbox.py publish DATASET.json [--repeat 3] [--time-limit 60]
    Publishing a national round with its events written in the same transaction (one
    `round.published` per host organization, each with its own placements), and without
    (the outbox write left out), interleaved on copies of one solved database: the
    publish time of each, and the events written.
python benchmarks/bench_outbox.py reads DATASET.json [--duration 20] [--clients 50]
    Web read latency (bench_api's open loop: 50 clients, one read a second each) while a
    national run solves and, 5 s into the window, a national round is published through
    the API (its events written in the publish transaction, then delivered by the worker
    to a webhook receiver on the loopback). Prints the publish time and the p50/p90/p99
    of the reads, and how many deliveries the receiver got; and the figures of one
    `/metrics` scrape made 3/4 into the reads (metrics_scrape.py). `--no-publish`: the
    same without the publish (the baseline under the same load).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from api_harness import create_round, service, start_run, wait_run
from bench_api import KeepSolving, open_loop
from metrics_scrape import scrape, summary
from sqlalchemy import func
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.db import make_engine, migrate
from jet_match.schemas.rounds import RoundCreate, RoundPolicy
from jet_match.schemas.runs import RunCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.rounds import publications, rounds, runs
from jet_match.statuses import Role
from jet_match.worker import InlineSolver, Worker


def _solved_database(dataset: Path, folder: Path, time_limit: float) -> Path:
    """A SQLite database holding the dataset and a solved round `PUB`."""
    path = folder / "solved.db"
    settings = Settings(database_url=f"sqlite:///{path}", log_level="WARNING")
    engine = make_engine(settings)
    migrate(engine)
    with Session(engine) as session:
        imports.import_dataset(session=session, caller=COMMAND_LINE, raw=dataset.read_bytes())
        rounds.create_round(
            session=session,
            caller=COMMAND_LINE,
            round_in=RoundCreate(
                external_id="PUB",
                name="PUB",
                programme_year=2026,
                policy=RoundPolicy(time_limit_s=time_limit),
            ),
        )
        runs.start_run(session=session, caller=COMMAND_LINE, round_id="PUB", options=RunCreate())
    Worker(engine, settings, InlineSolver(engine)).run_until_idle()
    engine.dispose()
    return path


def _publish_once(source: Path, folder: Path, *, events: bool) -> tuple[float, int]:
    """Publish `PUB` on a copy of the solved database; (seconds, events written)."""
    copy = folder / f"copy-{events}.db"
    shutil.copyfile(source, copy)
    engine = make_engine(Settings(database_url=f"sqlite:///{copy}", log_level="WARNING"))
    announce = publications._announcements
    if not events:
        publications._announcements = lambda *_args, **_kwargs: []
    try:
        with Session(engine) as session:
            etag = rounds.get_round(session=session, caller=COMMAND_LINE, external_id="PUB").etag
            started = time.perf_counter()
            publications.publish(
                session=session, caller=COMMAND_LINE, round_id="PUB", if_match=etag
            )
            took = time.perf_counter() - started
            written = session.scalar(
                select(func.count())
                .select_from(models.NotificationEvent)
                .where(models.NotificationEvent.kind == "round.published")
            )
    finally:
        publications._announcements = announce
        engine.dispose()
        copy.unlink()
    return took, int(written or 0)


def cmd_publish(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        solved = _solved_database(args.dataset, folder, args.time_limit)
        print(f"imported and solved in {time.perf_counter() - started:.1f}s", flush=True)
        timings: dict[bool, list[float]] = {True: [], False: []}
        counts: dict[bool, int] = {}
        for _ in range(args.repeat):
            for events in (True, False):
                took, written = _publish_once(solved, folder, events=events)
                timings[events].append(took)
                counts[events] = written
        for events in (True, False):
            label = "with events" if events else "without events"
            values = ", ".join(f"{t:.2f}" for t in timings[events])
            print(
                f"publish {label:15} median {statistics.median(timings[events]):.2f}s "
                f"({values}); round.published events written: {counts[events]}",
                flush=True,
            )


class _Receiver:
    """A webhook receiver on the loopback that counts what it gets."""

    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.count += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def cmd_reads(args: argparse.Namespace) -> None:
    receiver = _Receiver()
    with service(args.dataset, args.database_url, 0.2) as svc:
        api = svc.client()
        create_round(api, "PUB", args.time_limit)
        first = wait_run(api, start_run(api, "PUB"), poll_s=0.5)
        print(f"PUB solved: {first['status']}", flush=True)
        if first["status"] != "succeeded":
            raise SystemExit(f"no plan to publish: {first.get('error')} (a box too busy?)")
        api.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["round.published"]})
        busy_round = create_round(api, "BUSY", args.time_limit)
        plan = api.get("/api/v1/rounds/PUB/plan?limit=1").json()["items"]
        organization = plan[0]["organization"]
        host = svc.key(Role.HOST_ORG, organization)
        targets = [
            ("GET run (progress)", f"/api/v1/runs/{first['id']}", svc.coordinator),
            ("GET plan page", "/api/v1/rounds/PUB/plan?limit=100", svc.coordinator),
            ("GET openings page", "/api/v1/openings?limit=100", svc.coordinator),
            ("GET host placements", f"/api/v1/organizations/{organization}/placements", host),
            ("GET events page", "/api/v1/events?limit=100", svc.coordinator),
        ]
        published: dict[str, Any] = {}

        def publish_later() -> None:
            time.sleep(5)
            if args.no_publish:
                return
            etag = api.get("/api/v1/rounds/PUB").headers["ETag"]
            started = time.perf_counter()
            answer = api.post("/api/v1/rounds/PUB/publish", headers={"If-Match": etag})
            published["s"] = time.perf_counter() - started
            published["status"] = answer.status_code

        scraped: dict[str, Any] = {}

        def scrape_later() -> None:
            # While the reads, the solve and (after the publish) the deliveries go on.
            time.sleep(args.duration * 0.75)
            with svc.client() as scraper:
                scraped["s"], scraped["text"] = scrape(scraper)

        with KeepSolving(svc, busy_round) as busy:
            while api.get(busy.current or "").json()["progress"].get("phase") != "solving":
                time.sleep(0.2)
            publisher = threading.Thread(target=publish_later)
            scraper = threading.Thread(target=scrape_later)
            publisher.start()
            scraper.start()
            figures = open_loop(svc.base, targets, args.clients, 1.0, args.duration)
            publisher.join()
            scraper.join()
        print(
            f"publish during the reads: HTTP {published.get('status')} in "
            f"{published.get('s', 0.0):.2f}s; deliveries received so far: {receiver.count}",
            flush=True,
        )
        for name, values in figures.items():
            print(
                f"    {name:22} p50 {values.get('p50')} p90 {values.get('p90')} "
                f"p99 {values.get('p99')} max {values.get('max')} ms "
                f"(n={values.get('count'):.0f}, errors {values.get('errors'):.0f})",
                flush=True,
            )
        if "text" in scraped:
            templates = {
                "/api/v1/runs/{run_id}",
                "/api/v1/rounds/{round_id}/plan",
                "/api/v1/openings",
                "/api/v1/organizations/{organization_id}/placements",
                "/api/v1/events",
                "/api/v1/rounds/{round_id}/publish",
            }
            print(
                f"/metrics scraped {args.duration * 0.75:.0f} s into the reads "
                f"in {1000 * scraped['s']:.0f} ms:",
                flush=True,
            )
            for line in summary(scraped["text"], templates):
                print(f"    {line}", flush=True)
    receiver.server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    publish = commands.add_parser("publish", help="Publish with events vs without.")
    publish.add_argument("dataset", type=Path)
    publish.add_argument("--repeat", type=int, default=3)
    publish.add_argument("--time-limit", type=float, default=60.0)
    publish.set_defaults(run=cmd_publish)
    reads = commands.add_parser("reads", help="Read latency while publishing a national round.")
    reads.add_argument("dataset", type=Path)
    reads.add_argument("--duration", type=float, default=20.0)
    reads.add_argument("--clients", type=int, default=50)
    reads.add_argument("--time-limit", type=float, default=60.0)
    reads.add_argument("--database-url", default=None)
    reads.add_argument(
        "--no-publish", action="store_true", help="The baseline: the same reads, no publish."
    )
    reads.set_defaults(run=cmd_reads)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
