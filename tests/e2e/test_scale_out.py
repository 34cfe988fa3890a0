"""Scale-out: two API processes and two workers (real processes) on one database.

Runs of several rounds are queued through both APIs at once: every run is claimed by
exactly one worker and succeeds; racing writes through both APIs lose no update (one
If-Match wins, the others get 412). A worker killed with SIGKILL in the middle of a run
leaves the run `interrupted` (noticed by the other worker's sweep) and the round's plan
exactly as it was (that run solves 6,000 participants from scratch, long enough to be
caught while solving). Written for PostgreSQL (.ci/run runs it in the PostgreSQL pass); it
passes on SQLite too (all processes on one machine). Starting four processes: `slow`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset.format import dataset_to_json
from jet_match.dataset.generator import generate_dataset
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.statuses import Role
from round_support import create_round, current_plan
from service_support import auth, free_port, wait_until

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from jet_match.cli import main; main()"]
QUICK = ("R-CIR", "R-SEA", "R-ALT")
LONG = "R-CAPPED"


@pytest.fixture
def cluster(database_url: str) -> Iterator[dict[str, Any]]:
    """Two `serve --no-worker` and two `worker` processes on the test's database."""
    env = {
        **os.environ,
        "JET_MATCH_DATABASE_URL": database_url,
        "JET_MATCH_LOG_LEVEL": "WARNING",
        "JET_MATCH_WORKER_POLL_S": "0.1",
        "JET_MATCH_WORKER_PROGRESS_S": "0.2",
        "JET_MATCH_GC_FREEZE": "false",
    }
    ports = [free_port(), free_port()]
    processes = {
        f"api{n}": subprocess.Popen(
            [*CLI, "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n, port in enumerate(ports)
    }
    for n in range(2):
        processes[f"worker{n}"] = subprocess.Popen(
            [*CLI, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    bases = [f"http://127.0.0.1:{port}" for port in ports]

    def up(base: str) -> bool:
        try:
            return httpx.get(f"{base}/api/v1/health/live", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        for base in bases:
            wait_until(lambda base=base: up(base), timeout=90)  # type: ignore[misc]
        yield {"bases": bases, "processes": processes}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _run(engine: Engine, run_id: int) -> models.Run:
    with Session(engine, expire_on_commit=False) as session:
        run = session.get(models.Run, run_id)
        assert run is not None
        return run


def _queue(base: str, key: str, round_id: str, **options: object) -> int:
    answer = httpx.post(
        f"{base}/api/v1/rounds/{round_id}/runs", json=options, headers=auth(key), timeout=30
    )
    assert answer.status_code == 202, answer.text
    run_id: int = answer.json()["id"]
    return run_id


def test_two_apis_and_two_workers_share_one_database(
    engine: Engine, make_key: Any, cluster: dict[str, Any]
) -> None:
    dataset = generate_dataset(participants=1500, organizations=250, openings=500, seed=3)
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(session=session, caller=COMMAND_LINE, raw=dataset_to_json(dataset))
    for round_id, positions in zip(QUICK, (["CIR"], ["SEA"], ["ALT"]), strict=True):
        create_round(engine, round_id, positions=positions)
    create_round(engine, LONG, positions=["ALT"], max_country_share_per_prefecture=0.3)
    key = make_key(Role.COORDINATOR)
    bases = cluster["bases"]

    # Runs of four rounds at once, queued through both APIs.
    runs = [
        _queue(bases[n % 2], key, round_id, time_limit_s=20)
        for n, round_id in enumerate((*QUICK, LONG))
    ]
    wait_until(lambda: all(_run(engine, r).status == "succeeded" for r in runs), timeout=120)
    with Session(engine) as session:
        claims = session.exec(
            select(models.AuditEvent).where(col(models.AuditEvent.action) == "run.claim")
        ).all()
    assert sorted(event.detail["run"] for event in claims) == sorted(runs)  # each once
    assert len({event.detail["worker"] for event in claims}) >= 1

    # No lost update: the same If-Match through both APIs at once, one winner.
    opening = dataset.openings[0].external_id
    url = f"/api/v1/openings/{opening}"
    seen = httpx.get(bases[0] + url, headers=auth(key))
    etag, slots = seen.headers["ETag"], seen.json()["slots"]
    answers: list[int] = []
    winners: list[str] = []

    def patch(n: int) -> None:
        response = httpx.patch(
            bases[n % 2] + url,
            json={"slots": slots + 1 + n},  # each a real change
            headers={**auth(key), "If-Match": etag},
            timeout=30,
        )
        answers.append(response.status_code)
        if response.status_code == 200:
            winners.append(f"{n}:{response.headers.get('ETag')}:{response.json()['slots']}")

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 412, 412, 412, 412, 412], (etag, slots, winners)
    after = httpx.get(bases[1] + url, headers=auth(key))
    assert after.headers["ETag"] != etag
    assert slots < after.json()["slots"] <= slots + 6

    # A worker killed mid-run: the run is interrupted, the plan untouched. The records
    # grow to 6,000 participants first, so that the run solves from scratch for seconds
    # (a re-solve after a small edit takes a fraction of a second: too short to catch).
    larger = generate_dataset(
        participants=6000, organizations=1000, openings=2000, seed=3, couple_share=0.03
    )
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(session=session, caller=COMMAND_LINE, raw=dataset_to_json(larger))
    before = current_plan(engine, LONG)
    assert before
    long_run = _queue(bases[1], key, LONG, time_limit_s=60)

    def solving() -> bool:
        run = _run(engine, long_run)
        return run.status == "running" and run.progress.get("phase") == "solving"

    wait_until(solving, timeout=60)
    identity = _run(engine, long_run).worker
    assert identity is not None
    pid = int(identity.split(":")[1])
    victim = next(p for p in cluster["processes"].values() if p.pid == pid)
    children = psutil.Process(pid).children(recursive=True)
    victim.kill()  # SIGKILL: no chance to hand the run back
    victim.wait(timeout=10)
    wait_until(lambda: _run(engine, long_run).status != "running", timeout=60)
    run = _run(engine, long_run)
    assert run.status == "interrupted"
    assert current_plan(engine, LONG) == before
    wait_until(lambda: not any(child.is_running() for child in children), timeout=15)
