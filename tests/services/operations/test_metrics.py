"""The database figures of /metrics: right with thousands of runs, in a fixed number of queries."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import Session, col

from jet_match import models
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.operations import metrics
from jet_match.statuses import RunStatus
from round_support import create_round
from statement_count import statements_sent


def _add_runs(
    engine: Engine, round_external_id: str, durations_s: list[float], status: str
) -> None:
    """Finished runs of the round, one per duration, the last one's gap 0.25/index."""
    with Session(engine) as session:
        round_id = session.scalars(
            select(col(models.Round.id)).where(col(models.Round.external_id) == round_external_id)
        ).one()
        start = models.utcnow() - timedelta(days=1)
        rows: list[dict[str, Any]] = [
            {
                "round_id": round_id,
                "status": status,
                "time_limit_s": 60.0,
                "base_version": 1,
                "requested_by": "test",
                "created_at": start,
                "started_at": start,
                "finished_at": start + timedelta(seconds=seconds),
                "progress": {},
                "outcome": {"gap": index / 1000.0},
            }
            for index, seconds in enumerate(durations_s)
        ]
        session.execute(insert(models.Run), rows)
        session.commit()


def _figures(engine: Engine) -> tuple[metrics.Figures, int]:
    with Session(engine) as session, statements_sent(engine) as sent:
        answer = metrics.figures(session=session, caller=COMMAND_LINE, worker_max_age_s=60)
    return answer, len(sent)


def test_durations_and_gaps_are_aggregated_in_sql_in_a_fixed_number_of_queries(
    engine: Engine, loaded: object
) -> None:
    create_round(engine, "R-ONE")
    create_round(engine, "R-TWO")
    _add_runs(engine, "R-ONE", [0.5, 3.0, 45.0], RunStatus.SUCCEEDED.value)
    few, few_statements = _figures(engine)
    assert few.run_durations[RunStatus.SUCCEEDED.value].count == 3
    # at most 1 s: one run; at most 5 s: two; at most 60 s: all three
    assert few.run_durations[RunStatus.SUCCEEDED.value].at_most[:6] == (1, 1, 2, 2, 2, 3)
    assert few.run_durations[RunStatus.FAILED.value].count == 0
    assert few.final_gap_by_round == {"R-ONE": 0.002}

    _add_runs(engine, "R-ONE", [7.0] * 2000, RunStatus.SUCCEEDED.value)
    _add_runs(engine, "R-TWO", [4000.0] * 1000, RunStatus.FAILED.value)
    _add_runs(engine, "R-TWO", [2.0] * 11, RunStatus.SUCCEEDED.value)
    started = time.perf_counter()
    many, many_statements = _figures(engine)
    took = time.perf_counter() - started
    succeeded = many.run_durations[RunStatus.SUCCEEDED.value]
    assert succeeded.count == 2014
    assert abs(succeeded.total_s - (48.5 + 14000.0 + 22.0)) < 0.5
    assert succeeded.at_most[3] == 2013  # all but the 45 s run within 10 s
    failed = many.run_durations[RunStatus.FAILED.value]
    assert (failed.count, failed.at_most[-1]) == (1000, 0)  # all beyond the last bound
    assert many.runs_by_status[RunStatus.SUCCEEDED.value] == 2014
    assert many.final_gap_by_round == {"R-ONE": 1.999, "R-TWO": 0.01}
    assert many_statements == few_statements
    # The same statements (above) are what keeps it fast; this only catches a hang-like
    # slowdown (well under a second on an idle box; generous for a loaded CI one).
    assert took < 10.0, f"figures over 3,014 runs took {took:.2f} s"
