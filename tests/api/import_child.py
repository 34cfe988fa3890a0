"""Run in a child process: import one file through the API and report what it cost.

`python import_child.py FILE MEDIA_TYPE KIND` prints one JSON line: the status, the
problem's detail, the seconds the request took and the child's peak resident memory
(VmHWM) before and after the request, so a test can assert the bound on the
import alone and on the whole process.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.db import make_engine, migrate
from jet_match.main import create_app
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.security import api_keys
from jet_match.statuses import Role


def _peak_mb() -> float:
    """This process's own peak resident memory: Linux's VmHWM. Not `ru_maxrss`, which
    keeps across `exec` the peak of the process that started us (subprocess's vfork
    lends the child the parent's memory map), so under a large pytest process it
    reported the parent's 513 MB instead of the child's few hundred."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    path, media_type, kind = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{directory}/child.db",
            log_json=True,
            log_level="ERROR",
            gc_freeze=False,
        )
        engine = make_engine(settings)
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            key = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=Role.COORDINATOR, name="child"),
            ).key
        body = Path(path).read_bytes()
        with TestClient(create_app(settings, engine)) as client:
            client.get("/api/v1/health")  # everything the server loads anyway, loaded
            before = _peak_mb()
            started = time.monotonic()
            answer = client.post(
                f"/api/v1/imports/{kind}",
                content=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": media_type},
            )
            seconds = time.monotonic() - started
        detail = answer.json().get("detail") if answer.status_code >= 400 else None
        print(
            json.dumps(
                {
                    "status": answer.status_code,
                    "detail": detail,
                    "seconds": seconds,
                    "peak_before_mb": before,
                    "peak_mb": _peak_mb(),
                }
            )
        )
        engine.dispose()


if __name__ == "__main__":
    main()
