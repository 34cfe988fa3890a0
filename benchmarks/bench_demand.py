"""Benchmark of the season's demand at national scale (run from the repo root).

python benchmarks/bench_demand.py [--repeat 20] [--database-url URL]
    Generates the national dataset (seed 1: 2,000 openings, ~16,000 contracts in post),
    imports it into a fresh database (SQLite in a temporary directory unless
    --database-url), then times `GET /api/v1/demand?programme_year=2026` as the service
    computes it (two grouped queries and the sums) and through HTTP in-process (the
    ~2,000 opening lines serialized), and a dry run of `POST /api/v1/demand/apply`.
    Prints the load average first and the median and maximum of each.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from national_db import arguments, national_database
from sqlmodel import Session

from jet_match.dataset.generator import PROGRAMME_YEAR
from jet_match.main import create_app
from jet_match.schemas.api_keys import ApiKeyCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.season import demand
from jet_match.services.security import api_keys
from jet_match.statuses import Role


def _timed(label: str, repeat: int, work: Callable[[], object]) -> None:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    print(
        f"{label}: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"max {max(seconds) * 1000:.1f} ms over {repeat} runs"
    )


def main() -> None:
    """Run the benchmark."""
    args = arguments(__doc__, repeat=20).parse_args()
    with national_database("demand", args.database_url) as national:
        settings, engine, dataset = national.settings, national.engine, national.dataset
        with Session(engine) as session:
            key = api_keys.create_key(
                session=session,
                caller=COMMAND_LINE,
                key_in=ApiKeyCreate(role=Role.COORDINATOR, name="bench"),
            ).key
        print(
            f"{len(dataset.openings)} openings, {len(dataset.contracts)} contracts in post, "
            f"programme year {PROGRAMME_YEAR}"
        )

        def service() -> object:
            with Session(engine) as session:
                return demand.get_demand(
                    session=session,
                    caller=COMMAND_LINE,
                    programme_year=PROGRAMME_YEAR,
                    filters=demand.DemandFilter(),
                )

        _timed("service get_demand", args.repeat, service)
        headers = {"Authorization": f"Bearer {key}"}
        params = {"programme_year": PROGRAMME_YEAR}
        with TestClient(create_app(settings)) as client:

            def http() -> object:
                answer = client.get("/api/v1/demand", params=params, headers=headers)
                assert answer.status_code == 200, answer.text
                return answer

            def dry_run() -> object:
                answer = client.post(
                    "/api/v1/demand/apply",
                    params={**params, "dry_run": "true"},
                    headers=headers,
                )
                assert answer.status_code == 200, answer.text
                return answer

            _timed("GET /api/v1/demand", args.repeat, http)
            _timed("POST /api/v1/demand/apply?dry_run=true", args.repeat, dry_run)


if __name__ == "__main__":
    main()
