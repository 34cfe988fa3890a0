"""A solved round changed by hand, for the review reads' equivalence tests.

Fewer slots than people, 10 % couples, a country cap; after the run a couple split and
another unplaced by hand, six singles unplaced (free slots, people who could take them),
a pin, and a pinned override elsewhere.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.dataset.generator import generate_dataset
from jet_match.schemas.plans import PlanChange
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.records import imports
from round_support import create_round, current_plan, move, queue_run, work


def changed_dataset() -> fmt.Dataset:
    """Fewer slots than people (some stay unplaced, many openings are full), 10 % couples."""
    return generate_dataset(
        participants=240, organizations=40, openings=90, seed=5, slot_ratio=0.9, couple_share=0.1
    )


def changed_round(engine: Engine, settings: Settings, dataset: fmt.Dataset) -> dict[str, str]:
    """A solved round under a country cap, then changed by hand; the participant's
    partners."""
    with Session(engine, expire_on_commit=False) as session:
        imports.import_dataset(
            session=session, caller=COMMAND_LINE, raw=fmt.dataset_to_json(dataset)
        )
    create_round(engine, max_country_share_per_prefecture=0.4)
    queue_run(engine)
    work(engine, settings)
    partners = {p.external_id: p.partner.external_id for p in dataset.participants if p.partner}
    plan = current_plan(engine)
    placed = sorted(plan)
    couples = [p for p in placed if p in partners and partners[p] in plan and p < partners[p]]
    singles = [p for p in placed if p not in partners]
    move(engine, couples[0], PlanChange(opening=None, override_reason="split by hand"))
    for person in (couples[1], partners[couples[1]]):  # a couple unplaced by hand
        move(engine, person, PlanChange(opening=None, override_reason="unplaced by hand"))
    for person in singles[:6]:  # free slots and unplaced people who could take them
        move(engine, person, PlanChange(opening=None))
    move(engine, singles[6], PlanChange(opening=plan[singles[6]], pinned=True))
    elsewhere = next(o for o in sorted(set(plan.values())) if o != plan[singles[7]])
    move(
        engine,
        singles[7],
        PlanChange(opening=elsewhere, pinned=True, override_reason="agreed with the office"),
    )
    return partners
