"""docs/api.md runs: its shell blocks, against a live server, give the statuses it shows.

A real `jet-match serve` process (uvicorn, a free port, the test's database) answers the
guide's curl commands, run in order in one bash shell. After each `sh` block, the
`http` block that follows it (if any) names status lines that must appear in what the
commands printed; the reason phrase is not compared (it differs between Python versions).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jet_match.schemas import Role
from service_support import MakeKey, free_port

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MARKER = "@@jet-match-guide-block {}@@"


def guide_steps() -> list[tuple[str, list[str]]]:
    """(shell commands, expected status codes) per `sh` block of the guide."""
    steps: list[tuple[str, list[str]]] = []
    for kind, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        if kind == "sh":
            steps.append((body, []))
        elif kind == "http" and steps:
            steps[-1][1].extend(
                line.split()[1] for line in body.splitlines() if line.startswith("HTTP/")
            )
    return steps


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """`jet-match serve` on a free port, on the test's database; its base URL."""
    port = free_port()
    env = {**os.environ, "JET_MATCH_DATABASE_URL": database_url, "JET_MATCH_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jet_match.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                _, err = process.communicate(timeout=5)
                raise AssertionError(f"the server did not start: {err.decode()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_guide_has_runnable_steps_with_expectations() -> None:
    steps = guide_steps()
    assert len(steps) >= 10
    expected = [code for _, codes in steps for code in codes]
    assert {"200", "201", "401", "403", "404", "412", "422"} <= set(expected)


def test_the_api_guide_runs_as_written(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="guide")
    steps = guide_steps()
    script = "set -euo pipefail\n" + "".join(
        f"echo '{MARKER.format(i)}'\n{commands}\n" for i, (commands, _) in enumerate(steps)
    )
    result = subprocess.run(
        ["bash", "-c", script],
        env={**os.environ, "JM": live_server, "COORD": coordinator},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outputs = re.split(r"@@jet-match-guide-block \d+@@\n", result.stdout)[1:]
    assert len(outputs) == len(steps)
    for (commands, codes), output in zip(steps, outputs, strict=True):
        printed = re.findall(r"^HTTP/[\d.]+ (\d{3})", output, re.MULTILINE)
        for code in codes:
            assert code in printed, f"expected {code}, got {printed} from:\n{commands}\n{output}"
