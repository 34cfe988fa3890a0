"""Other requests keep answering while the largest sheet the limits allow is imported.

The import (20,000 organizations in XLSX, the default `import_max_rows`: 7-14 s here)
runs in the server's thread pool; meanwhile a client reads a list page and the health
check every 0.05 s until it is done. The median read answers within `MEDIAN_BOUND_S` and
every read within `BOUND_S`, bounds stated for a loaded 2-core machine (load average 8):
the import holds the interpreter's lock most of the time and each read gets it back at
the next switch, so reads take 20-70 ms instead of a few; one in twenty or so lands on a
step that holds the lock longer (a bulk validation or insert, a garbage collection) and
takes up to about 1.4 s. None waits for the import to finish. The app hands the lock
over every millisecond (`JET_MATCH_SWITCH_INTERVAL_MS`); at Python's 5 ms the median
read took 0.12-0.24 s on an idle box and went over the bound on a busy one.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

import hostile_files as hostile
from service_support import Keys, auth

#: The slowest answer allowed to a read while the import runs, and the median's bound.
BOUND_S = 2.5
MEDIAN_BOUND_S = 0.3
READS = 5  # at least this many reads overlap the import (a quiet box imports in ~2 s)
PAUSE_S = 0.05  # between two reads


@pytest.mark.slow
def test_reads_answer_within_the_bound_while_the_largest_sheet_imports(
    client: TestClient, keys: Keys
) -> None:
    body = hostile.largest_xlsx()
    outcome: dict[str, Any] = {}

    def import_sheet() -> None:
        outcome["started"] = time.monotonic()
        outcome["answer"] = client.post(
            "/api/v1/imports/organizations",
            content=body,
            headers={**auth(keys.coordinator), "Content-Type": hostile.XLSX},
        )
        outcome["ended"] = time.monotonic()

    importer = threading.Thread(target=import_sheet)
    importer.start()
    time.sleep(0.3)  # the import is under way
    latencies: list[tuple[float, float]] = []  # (when it was answered, how long it took)
    try:
        n = 0
        while importer.is_alive():  # through every step: reading, validating, writing
            path = "/api/v1/organizations" if n % 2 else "/api/v1/health"
            started = time.monotonic()
            answer = client.get(path, headers=auth(keys.coordinator))
            latencies.append((time.monotonic(), time.monotonic() - started))
            assert answer.status_code == 200
            n += 1
            time.sleep(PAUSE_S)
    finally:
        importer.join(timeout=300)
    assert outcome["answer"].status_code == 200, outcome["answer"].text
    assert outcome["answer"].json()["organizations"]["created"] == 20_000
    during = [took for answered, took in latencies if answered < outcome["ended"]]
    took_import = outcome["ended"] - outcome["started"]
    assert len(during) >= READS, f"only {len(during)} reads overlapped a {took_import:.1f} s import"
    took = sorted(took for _, took in latencies)
    assert took[len(took) // 2] < MEDIAN_BOUND_S, took
    assert took[-1] < BOUND_S, took
