"""The guides run: their shell blocks, against a live server, give the statuses they show.

docs/api.md (the integrator's guide), docs/rounds.md (the coordinator's walkthrough of
a matching round, with the server's embedded worker solving its runs), docs/season.md
(contracts in post, intentions, the demand and applying it), docs/season-offers.md (the
season after publication: a withdrawal with a reason, offers declined, passed on and
accepted, the amendment, arrival rosters and notices), docs/development.md (demand and
the prospect pipeline) and docs/careerfair.md (fairs and the results feed).

A real `jet-match serve` process (uvicorn, a free port, the test's database) answers the
guide's curl commands, run in order in one bash shell: for api.md, a server this test
starts; rounds.md starts (and stops) its own on the test's empty database, as a reader
does. After each `sh` block, the
`http` block that follows it names every status line the commands print, in order (a
block that prints none has none); the reason phrase is not compared (it differs between
Python versions).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jet_match.statuses import Role
from service_support import MakeKey, free_port

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = {
    "api.md": {"200", "201", "401", "403", "404", "412", "422"},
    "rounds.md": {"200", "201", "202", "304", "404", "412", "422"},
    "season.md": {"200", "201", "403", "404", "412"},
    "season-offers.md": {"200", "201", "202", "412", "422"},
    "development.md": {"200", "201", "202", "403", "404", "412", "422"},
    "careerfair.md": {"200", "201", "202", "403", "412", "422"},
}
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MARKER = "@@jet-match-guide-block {}@@"
# A body without a final newline would hide the next command's status line after it.
ENDS_WITH_NEWLINE = 'curl() { command curl "$@" && echo; }\n'


def guide_steps(guide: str) -> list[tuple[str, list[str]]]:
    """(shell commands, expected status codes) per `sh` block of a guide in docs/."""
    steps: list[tuple[str, list[str]]] = []
    for kind, body in BLOCK.findall((DOCS / guide).read_text(encoding="utf-8")):
        if kind == "sh":
            steps.append((body, []))
        elif kind == "http" and steps:
            steps[-1][1].extend(
                line.split()[1] for line in body.splitlines() if line.startswith("HTTP/")
            )
    return steps


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_the_guide_has_runnable_steps_with_expectations(guide: str) -> None:
    steps = guide_steps(guide)
    assert len(steps) >= 10
    expected = [code for _, codes in steps for code in codes]
    assert GUIDES[guide] <= set(expected)


def test_the_api_guide_runs_as_written(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="guide")
    run_guide("api.md", {**os.environ, "JM": live_server, "COORD": coordinator})


def test_the_season_guide_runs_as_written(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="season guide")
    run_guide("season.md", {**os.environ, "JM": live_server, "COORD": coordinator})


def test_the_development_guide_runs_as_written(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="development guide")
    run_guide("development.md", {**os.environ, "JM": live_server, "COORD": coordinator})


def test_the_career_fair_guide_runs_as_written(live_server: str, make_key: MakeKey) -> None:
    coordinator = make_key(Role.COORDINATOR, name="career fair guide")
    run_guide("careerfair.md", {**os.environ, "JM": live_server, "COORD": coordinator})


def test_the_rounds_guide_runs_as_written_from_an_empty_database(database_url: str) -> None:
    """As a reader would: its first block starts `jet-match serve` on an empty database
    and makes the coordinator key with `jet-match keys create`; its last stops it."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COORD", "JM")}
    environment |= {
        "JM": f"http://127.0.0.1:{free_port()}",
        "JET_MATCH_DATABASE_URL": database_url,
        "JET_MATCH_LOG_LEVEL": "WARNING",
        "JET_MATCH_WORKER_POLL_S": "0.2",
        "JET_MATCH_WORKER_PROGRESS_S": "0.5",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    run_guide("rounds.md", environment)


@pytest.mark.slow
def test_the_season_guide_runs_as_written_from_an_empty_database(database_url: str) -> None:
    """Like the rounds guide: it starts its own server on the test's empty database."""
    environment = {k: v for k, v in os.environ.items() if k not in ("COORD", "JM")}
    environment |= {
        "JM": f"http://127.0.0.1:{free_port()}",
        "JET_MATCH_DATABASE_URL": database_url,
        "JET_MATCH_LOG_LEVEL": "WARNING",
        "JET_MATCH_WORKER_POLL_S": "0.2",
        "JET_MATCH_WORKER_PROGRESS_S": "0.5",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    run_guide("season-offers.md", environment)


def run_guide(guide: str, environment: dict[str, str]) -> None:
    """Run every `sh` block of the guide in one bash, in order; compare the statuses."""
    steps = guide_steps(guide)
    script = (
        "set -euo pipefail\n"
        + ENDS_WITH_NEWLINE
        + "".join(
            f"echo '{MARKER.format(i)}'\n{commands}\n" for i, (commands, _) in enumerate(steps)
        )
    )
    shell = subprocess.Popen(
        ["bash", "-c", script],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # anything the guide starts goes when the test ends
    )
    try:
        stdout, stderr = shell.communicate(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGTERM)
        shell.wait(timeout=10)
    assert shell.returncode == 0, stderr[-2000:]
    outputs = re.split(r"@@jet-match-guide-block \d+@@\n", stdout)[1:]
    assert len(outputs) == len(steps)
    for (commands, codes), output in zip(steps, outputs, strict=True):
        printed = re.findall(r"^HTTP/[\d.]+ (\d{3})", output, re.MULTILINE)
        # Every status line, in order: a command that fails unnoticed fails the guide.
        assert printed == codes, f"expected {codes}, got {printed} from:\n{commands}\n{output}"
