"""The demand report: where host organizations are needed, by the solver's own rules."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match.config import Settings
from jet_match.dataset import format as fmt
from jet_match.errors import Forbidden, NotFound
from jet_match.schemas.development import Demand
from jet_match.services.bridge.round_data import PreparedProblems
from jet_match.services.development import demand
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.rounds import review, withdrawals
from jet_match.statuses import Role
from round_support import ROUND, solved_round
from service_support import build_small_dataset

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture
def small_dataset() -> fmt.Dataset:
    """The small dataset plus two applicants no opening admits: a CIR without the N2 the
    only CIR opening asks, who wants Fukuoka, and an SEA (the dataset has no SEA opening)
    who wants Okinawa then Fukuoka."""
    data = build_small_dataset().model_dump(mode="json")
    base = {"family_name": "F", "given_name": "G", "email": "x@example.org"}
    data["participants"] += [
        {
            **base,
            "external_id": "P-6",
            "citizenship": "FR",
            "position": "CIR",
            "japanese_level": "N4",
            "preferred_prefectures": [40],
            "area_preference": "urban",
            "school_level_preference": "any",
        },
        {
            **base,
            "external_id": "P-7",
            "citizenship": "KE",
            "position": "SEA",
            "sport": "football",
            "preferred_prefectures": [47, 40],
        },
    ]
    return fmt.Dataset.model_validate(data)


def _demand(engine: Engine, year: int = 2026) -> Demand:
    with Session(engine, expire_on_commit=False) as session:
        return demand.demand(
            session=session, caller=COMMAND_LINE, prepared=PreparedProblems(), programme_year=year
        )


def test_unplaced_for_want_of_an_opening_agree_with_the_round_report(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    found = _demand(engine)
    with Session(engine, expire_on_commit=False) as session:
        report = review.report(
            session=session, caller=COMMAND_LINE, prepared=PreparedProblems(), round_id=ROUND
        )
    lacking = {
        u.participant
        for u in report.unplaced
        if any(r.startswith("no eligible opening") for r in u.reasons)
    }
    assert lacking == {"P-6", "P-7"}
    assert found.totals.unplaced_no_eligible_opening == len(lacking)
    assert found.rounds == {"ALT": ROUND, "CIR": ROUND, "SEA": ROUND}
    by_prefecture = {row.prefecture: row for row in found.prefectures}
    assert by_prefecture[40].unplaced_no_eligible_opening == 2
    assert by_prefecture[47].unplaced_no_eligible_opening == 1
    assert by_prefecture[40].offered == 0
    assert by_prefecture[1].offered == 3  # OPN-A1 (2) and the CIR OPN-A2 (1)
    cir = next(c for c in found.cells if c.position == fmt.Position.CIR and c.prefecture == 40)
    assert (cir.area_type, cir.school_level) == ("urban", "any")
    assert (cir.preferred, cir.unplaced_no_eligible_opening) == (1, 1)


def test_places_offered_and_taken_and_countries_nobody_placed_serves(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    found = _demand(engine)
    hokkaido = next(
        c
        for c in found.cells
        if (c.prefecture, c.area_type, c.school_level, c.position)
        == (1, "rural", "junior_high", fmt.Position.ALT)
    )
    # The couple P-2 (CA) / P-3 (GB) hold OPN-A1, which asked for the US.
    assert (hokkaido.offered, hokkaido.placed) == (2, 2)
    assert hokkaido.unserved_countries == ["US"]
    assert found.totals.placed == 4
    assert found.totals.offered == 4


def test_a_year_without_a_round_is_not_found(engine: Engine, settings: Settings) -> None:
    solved_round(engine, settings)
    with pytest.raises(NotFound):
        _demand(engine, 2031)


def test_only_coordinators_read_demand(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Forbidden):
        demand.demand(
            session=session,
            caller=Caller(role=Role.CAREER_FAIR),
            prepared=PreparedProblems(),
            programme_year=2026,
        )


def test_a_change_of_the_plan_or_the_records_shows_in_the_next_report(
    engine: Engine, settings: Settings
) -> None:
    solved_round(engine, settings)
    assert _demand(engine).totals.placed == 4
    with Session(engine) as session:
        withdrawals.withdraw(session=session, caller=COMMAND_LINE, participant_id="P-1")
    after = _demand(engine)
    assert after.totals.placed == 3
    assert after.totals.applicants == 5  # P-1 withdrawn: no longer in the run
