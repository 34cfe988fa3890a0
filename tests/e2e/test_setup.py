"""The setup a newcomer meets: `make run`'s address, the README's commands, the build."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def _make_run(*variables: str) -> str:
    dry = subprocess.run(
        ["make", "--dry-run", "run", *variables],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    return dry.stdout


def test_make_run_serves_on_127_0_0_1_8000_unless_told_otherwise() -> None:
    assert "jet-match serve --demo --host 127.0.0.1 --port 8000" in _make_run()
    moved = _make_run("PORT=8001", "HOST=0.0.0.0")
    assert "jet-match serve --demo --host 0.0.0.0 --port 8001" in moved


def test_readme_urls_with_a_query_are_quoted_for_the_shell() -> None:
    # Unquoted, `?` is a glob and `&` ends the command.
    commands = re.findall(r"curl [^`\n]*", (REPOSITORY / "README.md").read_text())
    assert commands
    for command in commands:
        assert not re.search(r"\shttps?://\S*[?&]", command), command


def test_the_build_metadata_needs_no_deprecated_form() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    assert isinstance(project["project"]["license"], str)  # SPDX; a table is deprecated
    (setuptools,) = [r for r in project["build-system"]["requires"] if "setuptools" in r]
    assert re.fullmatch(r"setuptools>=(\d+),<(\d+)", setuptools)
    assert int(re.findall(r"\d+", setuptools)[0]) >= 77  # the first with SPDX licenses
