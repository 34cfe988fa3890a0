"""The solver is a pure library: importing it loads no web framework, ORM or service code."""

from __future__ import annotations

import json
import subprocess
import sys

IMPURE = ("fastapi", "starlette", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "httpx")
OURS = ("jet_match.api", "jet_match.services", "jet_match.db", "jet_match.models")


def test_importing_the_solver_loads_no_framework_database_or_service_module() -> None:
    code = (
        "import json, sys, jet_match.solver, jet_match.solver.side, jet_match.solver.flow; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    impure = [
        name
        for name in loaded
        if name.split(".")[0] in IMPURE or any(name.startswith(ours) for ours in OURS)
    ]
    assert impure == []
    assert "jet_match.solver.problem" in loaded
