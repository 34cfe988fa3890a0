"""Withdrawals with reasons and dates, and the round report's counts of them."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.config import Settings
from jet_match.schemas.withdrawals import WithdrawalRequest
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.rounds import rounds, withdrawals
from jet_match.statuses import WithdrawalReason
from offers_support import ROUND, load, publish, published, withdraw
from round_support import create_round, queue_run, work


def test_a_withdrawal_records_its_reason_note_and_day(engine: Engine) -> None:
    load(engine)
    before = models.utcnow().date()
    with Session(engine, expire_on_commit=False) as session:
        answer = withdrawals.withdraw(
            session=session,
            caller=COMMAND_LINE,
            participant_id="S1",
            request=WithdrawalRequest(reason=WithdrawalReason.HEALTH, note="by phone"),
        )
        again = withdrawals.withdraw(
            session=session,
            caller=COMMAND_LINE,
            participant_id="S1",
            request=WithdrawalRequest(reason=WithdrawalReason.VISA),
        )
        records = session.exec(select(models.WithdrawalRecord)).all()
    assert answer.reason is WithdrawalReason.HEALTH
    assert answer.withdrawn_on in {before, models.utcnow().date()}  # midnight UTC between
    assert again.already_withdrawn
    assert again.reason is WithdrawalReason.HEALTH  # the first withdrawal stands
    assert [(r.reason, r.note, r.recorded_by) for r in records] == [("health", "by phone", "cli")]


def test_the_report_counts_withdrawals_by_reason_country_position_and_publication(
    engine: Engine, settings: Settings
) -> None:
    load(engine)
    withdraw(engine, "A4", WithdrawalReason.FAMILY)  # NZ, before any publication
    with Session(engine) as session:
        session.exec(select(models.Round)).all()

    create_round(engine, ROUND, positions=("ALT",))
    queue_run(engine, ROUND)
    work(engine, settings)
    publish(engine)
    withdraw(engine, "S2", WithdrawalReason.VISA)  # GB
    withdraw(engine, "S1", None)  # US, no reason given
    with Session(engine) as session:
        counts = withdrawals.counts(session, rounds.find(session, ROUND))
    assert counts.total == 3
    assert counts.by_reason == {"family": 1, "unknown": 1, "visa": 1}
    assert counts.by_country == {"GB": 1, "NZ": 1, "US": 1}
    assert counts.by_position == {"ALT": 3}
    assert (counts.before_publication, counts.after_publication) == (1, 2)


def test_withdrawals_of_other_positions_do_not_count(engine: Engine, settings: Settings) -> None:
    published(engine, settings)
    with Session(engine) as session:
        row = rounds.find(session, ROUND)
        row.positions = ["CIR"]
        assert withdrawals.counts(session, row).total == 0
