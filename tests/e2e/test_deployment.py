"""The deployment as shipped: the Dockerfile's CMD, and each compose.yaml service's command,
run exactly as written (with the image's or the service's environment) on this machine,
where no image can be built. Each serves the API and solves: a dataset is imported, a
round run and published through HTTP. Readiness follows the compose worker as it is
stopped and started again. Starting real processes takes seconds: `slow`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml  # type: ignore[import-untyped]

from jet_match.dataset import format as fmt
from service_support import auth, free_port, wait_until

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # where `jet-match` is installed, as on the image's PATH


def dockerfile_runtime() -> tuple[list[str], dict[str, str]]:
    """The CMD (exec form) and the ENV of the Dockerfile's last stage."""
    text = (REPOSITORY / "Dockerfile").read_text().replace("\\\n", " ")
    stage = text.rsplit("\nFROM ", 1)[1]
    environment: dict[str, str] = {}
    command: list[str] = []
    for line in stage.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line.removeprefix("ENV ")):
                name, _, value = pair.partition("=")
                environment[name] = value
        if line.startswith("CMD "):
            command = json.loads(line.removeprefix("CMD "))
    assert command, "the Dockerfile has no CMD in exec form"
    return command, environment


def compose_services() -> dict[str, Any]:
    """The services of compose.yaml (merge keys resolved by the YAML loader)."""
    services: dict[str, Any] = yaml.safe_load((REPOSITORY / "compose.yaml").read_text())["services"]
    return services


def _interpolate(value: str) -> str:
    """`${NAME:-default}` as compose reads it (from this environment, which sets none)."""
    return re.sub(
        r"\$\{(\w+):-([^}]*)\}", lambda m: os.environ.get(m.group(1)) or m.group(2), value
    )


def _environment(declared: dict[str, str], database_url: str, port: int) -> dict[str, str]:
    """The declared environment on this machine: the test's database, a free port."""
    env = {**os.environ, **{k: _interpolate(str(v)) for k, v in declared.items()}}
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        JET_MATCH_DATABASE_URL=database_url,
        JET_MATCH_PORT=str(port),
        JET_MATCH_LOG_LEVEL="WARNING",
        JET_MATCH_WORKER_POLL_S="0.2",
        JET_MATCH_WORKER_HEARTBEAT_S="0.5",
        JET_MATCH_HEALTH_WORKER_MAX_AGE_S="3",
    )
    return env


@contextmanager
def running(
    command: list[str], env: dict[str, str], cwd: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process of `command`, stopped with SIGTERM (as `docker stop` does) at the end."""
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then wait: a clean exit within the compose grace period."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise AssertionError("the process ignored SIGTERM") from None
    return process.returncode


def coordinator_key(env: dict[str, str], cwd: Path) -> str:
    """A key made the way an operator makes the first one."""
    created = subprocess.run(
        ["jet-match", "keys", "create", "--role", "coordinator", "--name", "ops"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def wait_for(base: str, path: str = "/api/v1/health/live", status: int = 200) -> None:
    def answers() -> bool:
        try:
            return httpx.get(base + path, timeout=2).status_code == status
        except httpx.TransportError:
            return False

    wait_until(answers, timeout=90)


def import_run_and_publish(base: str, key: str, dataset: fmt.Dataset) -> dict[str, Any]:
    """What a coordinator does in a first season, through the API; the publication."""
    headers = auth(key)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        imported = client.post(
            "/api/v1/imports",
            content=fmt.dataset_to_json(dataset),
            headers={"Content-Type": "application/json"},
        )
        assert imported.status_code == 200, imported.text
        created = client.post(
            "/api/v1/rounds",
            json={
                "external_id": "R-DEPLOY",
                "name": "Deployment check",
                "programme_year": 2026,
                "positions": ["ALT", "CIR", "SEA"],
                "policy": {"time_limit_s": 20},
            },
        )
        assert created.status_code == 201, created.text
        started = client.post("/api/v1/rounds/R-DEPLOY/runs")
        assert started.status_code == 202, started.text
        run_url = started.headers["Location"]

        def finished() -> bool:
            return client.get(run_url).json()["status"] not in ("queued", "running")

        wait_until(finished, timeout=90)
        run = client.get(run_url).json()
        assert run["status"] == "succeeded", run
        etag = client.get("/api/v1/rounds/R-DEPLOY").headers["ETag"]
        published = client.post("/api/v1/rounds/R-DEPLOY/publish", headers={"If-Match": etag})
        assert published.status_code in (200, 201), published.text
        body: dict[str, Any] = published.json()
        return body


def test_the_dockerfile_command_serves_and_solves(
    database_url: str, tmp_path: Path, small_dataset: fmt.Dataset
) -> None:
    command, declared = dockerfile_runtime()
    assert declared["JET_MATCH_ENVIRONMENT"] == "production"  # as the image runs
    port = free_port()
    env = _environment(declared, database_url, port)
    base = f"http://127.0.0.1:{port}"
    with running(command, env, tmp_path) as server:
        wait_for(base)
        key = coordinator_key(env, tmp_path)
        wait_for(base, "/api/v1/health/ready")  # its embedded worker beats
        publication = import_run_and_publish(base, key, small_dataset)
        assert publication["version"] == 1
        children = psutil.Process(server.pid).children(recursive=True)
        assert children  # the embedded worker (and its solver process)
        # SIGTERM: the server stops its worker, then exits as terminated by the signal.
        assert stop(server) == 128 + signal.SIGTERM
        wait_until(lambda: not any(child.is_running() for child in children), timeout=15)


def test_the_compose_services_serve_and_solve_and_readiness_follows_the_worker(
    database_url: str, tmp_path: Path, small_dataset: fmt.Dataset
) -> None:
    services = compose_services()
    assert set(services) == {"postgres", "api", "worker"}
    assert services["worker"]["image"] == services["api"]["image"]  # one image
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api_env = _environment(services["api"]["environment"], database_url, port)
    worker_env = _environment(services["worker"]["environment"], database_url, port)
    with running(services["api"]["command"], api_env, tmp_path):
        wait_for(base)
        key = coordinator_key(api_env, tmp_path)
        assert httpx.get(f"{base}/api/v1/health/ready").status_code == 503  # no worker yet
        with running(services["worker"]["command"], worker_env, tmp_path) as worker:
            wait_for(base, "/api/v1/health/ready")
            publication = import_run_and_publish(base, key, small_dataset)
            assert publication["version"] == 1
            assert stop(worker) == 0
        ready = httpx.get(f"{base}/api/v1/health/ready", headers=auth(key))
        assert ready.status_code == 503
        workers = {c["name"]: c["ok"] for c in ready.json()["checks"]}["workers"]
        assert workers is False
        with running(services["worker"]["command"], worker_env, tmp_path):
            wait_for(base, "/api/v1/health/ready")
        started = time.monotonic()
        wait_for(base, "/api/v1/health/ready", status=503)
        assert time.monotonic() - started < 5  # stopped: its heartbeat went with it
