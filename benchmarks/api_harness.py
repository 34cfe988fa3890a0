"""A jet-match deployment for the API benchmarks: a fresh database with a dataset imported,
`jet-match serve` and one `jet-match worker` as separate processes, a coordinator key,
and the round and run calls every benchmark makes (bench_api.py, bench_resolve.py,
bench_pages.py, bench_outbox.py, bench_development.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import make_engine, migrate
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from jet_match.services.security import api_keys
from jet_match.statuses import Role

CLI = [sys.executable, "-c", "from jet_match.cli import main; main()"]


@dataclass
class Service:
    """A server and a worker on one database, with a coordinator key."""

    base: str
    coordinator: str
    database_url: str

    def client(self, key: str | None = None) -> httpx.Client:
        """An HTTP client with a bearer key (the coordinator's by default)."""
        headers = {"Authorization": f"Bearer {key or self.coordinator}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=120)

    def key(self, role: Role, organization: str | None = None) -> str:
        """A new key of a role, made directly in the database."""
        engine = make_engine(Settings(database_url=self.database_url))
        with Session(engine) as session:
            made = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=role, organization=organization, name="bench"),
            )
        engine.dispose()
        return made.key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def service(
    dataset: Path, database_url: str | None, poll_s: float, processes: int = 1
) -> Iterator[Service]:
    """Import the dataset into a fresh database; serve it with one worker process (and
    `processes` uvicorn processes: more than one through `uvicorn --workers`)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(Settings(database_url=url))
        migrate(engine)
        started = time.perf_counter()
        with Session(engine) as session:
            imports.import_dataset(session=session, caller=COMMAND_LINE, raw=dataset.read_bytes())
            coordinator = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=Role.COORDINATOR, name="bench"),
            ).key
        engine.dispose()
        print(f"imported {dataset.name} in {time.perf_counter() - started:.1f}s", flush=True)
        port = free_port()
        env = {
            **os.environ,
            "JET_MATCH_DATABASE_URL": url,
            "JET_MATCH_LOG_LEVEL": "WARNING",
            "JET_MATCH_WORKER_POLL_S": str(poll_s),
        }
        command = [*CLI, "serve", "--no-worker", "--port", str(port)]
        if processes > 1:
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "jet_match.main:create_app",
                "--port",
                str(port),
                "--workers",
                str(processes),
                "--no-access-log",
            ]
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        worker = subprocess.Popen([*CLI, "worker"], env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base)
            yield Service(base, coordinator, url)
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                process.wait(timeout=30)


def wait_until_serving(base: str) -> None:
    """Wait (at most a minute) until the server at `base` answers its health check."""
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def create_round(
    api: httpx.Client, external_id: str, time_limit_s: float, disruption: int = 50
) -> str:
    """A round over every position."""
    answer = api.post(
        "/api/v1/rounds",
        json={
            "external_id": external_id,
            "name": external_id,
            "programme_year": 2026,
            "policy": {"time_limit_s": time_limit_s, "weights": {"disruption": disruption}},
        },
    )
    answer.raise_for_status()
    return external_id


def start_run(api: httpx.Client, round_id: str, **options: Any) -> str:
    """Queue a run; its Location."""
    answer = api.post(f"/api/v1/rounds/{round_id}/runs", json=options or None)
    answer.raise_for_status()
    return answer.headers["Location"]


def wait_run(api: httpx.Client, location: str, poll_s: float = 0.05) -> dict[str, Any]:
    """Poll a run until it is done; the run."""
    while True:
        run: dict[str, Any] = api.get(location).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(poll_s)
