"""Helpers for the matching-round tests: rounds made and solved directly through the services.

On the small dataset of service_support (ALT openings OPN-A1 with 2 slots in Hokkaido and
OPN-B1 with 1 in Tokyo; CIR OPN-A2), every run places the couple P-2/P-3 (same
prefecture) at OPN-A1, P-1 at OPN-B1 and the CIR P-5 at OPN-A2; the alternate P-4 waits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.schemas.plans import PlanChange
from jet_match.schemas.rounds import RoundCreate, RoundPolicy
from jet_match.schemas.runs import RunCreate
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import adjustments, publications, rounds, runs
from jet_match.worker import InlineSolver, Worker

ROUND = "R-TEST"
#: The plan every run of the small dataset finds.
SMALL_PLAN = {"P-1": "OPN-B1", "P-2": "OPN-A1", "P-3": "OPN-A1", "P-5": "OPN-A2"}


def create_round(
    engine: Engine,
    external_id: str = ROUND,
    positions: Sequence[str] = ("ALT", "CIR", "SEA"),
    **policy: object,
) -> str:
    """A draft round (every position unless told). Its 60 s limit is never reached by the
    test data (proven optimal in well under a second) but keeps a loaded CI box from
    cutting a solve off before its proof."""
    with Session(engine, expire_on_commit=False) as session:
        rounds.create_round(
            session=session,
            caller=COMMAND_LINE,
            round_in=RoundCreate(
                external_id=external_id,
                name=f"Round {external_id}",
                programme_year=2026,
                positions=[fmt.Position(p) for p in positions],
                policy=RoundPolicy.model_validate({"time_limit_s": 60, **policy}),
            ),
        )
    return external_id


def queue_run(engine: Engine, round_id: str = ROUND, **options: object) -> int:
    """Queue a run of the round; its id."""
    with Session(engine, expire_on_commit=False) as session:
        written = runs.start_run(
            session=session,
            caller=COMMAND_LINE,
            round_id=round_id,
            options=RunCreate.model_validate(options),
        )
    return written.resource.id


def work(engine: Engine, settings: Settings) -> list[int]:
    """Execute every queued run in this process (InlineSolver); the run ids."""
    return Worker(engine, settings, InlineSolver(engine)).run_until_idle()


def solved_round(engine: Engine, settings: Settings, round_id: str = ROUND) -> str:
    """A round with one succeeded run."""
    create_round(engine, round_id)
    queue_run(engine, round_id)
    work(engine, settings)
    return round_id


def round_etag(engine: Engine, round_id: str = ROUND) -> str:
    """The round's current ETag."""
    with Session(engine, expire_on_commit=False) as session:
        etag = rounds.get_round(session=session, caller=COMMAND_LINE, external_id=round_id).etag
    assert etag is not None
    return etag


def published_round(engine: Engine, settings: Settings, round_id: str = ROUND) -> str:
    """A round with one succeeded run, published as version 1."""
    solved_round(engine, settings, round_id)
    with Session(engine, expire_on_commit=False) as session:
        publications.publish(
            session=session,
            caller=COMMAND_LINE,
            round_id=round_id,
            if_match=round_etag(engine, round_id),
        )
    return round_id


def move(engine: Engine, participant: str, change: PlanChange, round_id: str = ROUND) -> None:
    """Apply a plan change as the command line would."""
    with Session(engine, expire_on_commit=False) as session:
        adjustments.change_placement(
            session=session,
            caller=COMMAND_LINE,
            round_id=round_id,
            participant_id=participant,
            change=change,
            if_match="*",
        )


def current_plan(engine: Engine, round_id: str = ROUND) -> dict[str, str]:
    """participant -> opening of the working plan."""
    from jet_match.services.bridge import round_data

    with Session(engine, expire_on_commit=False) as session:
        row = rounds.find(session, round_id)
        assert row.id is not None
        return {e.participant: e.opening for e in round_data.plan_entries(session, row.id)}
