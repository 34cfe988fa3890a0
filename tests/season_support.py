"""Helpers for the season tests: contracts in post over the small dataset of service_support.

`LEDGER` puts three JETs in post at ORG-A (Hokkaido, a prefecture): two ALTs on OPN-A1 and
a CIR on OPN-A2, and one ALT at ORG-B (Tokyo) on OPN-B1, all deciding for 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.services.kit.access import COMMAND_LINE, Caller
from jet_match.services.season import contracts
from jet_match.statuses import Role


def contract(external_id: str, organization: str, opening: str, **fields: Any) -> dict[str, Any]:
    """A second-year ALT in post from August 2025 to July 2026, undecided."""
    return {
        "external_id": external_id,
        "family_name": "Okafor",
        "given_name": "Ada",
        "citizenship": "US",
        "position": "ALT",
        "organization": organization,
        "opening": opening,
        "started_on": "2025-08-01",
        "ends_on": "2026-07-31",
        "year_in_programme": 2,
        **fields,
    }


LEDGER = (
    contract("C-A1", "ORG-A", "OPN-A1"),
    contract("C-A2", "ORG-A", "OPN-A1", intention="reappointing"),
    contract("C-A3", "ORG-A", "OPN-A2", position="CIR", japanese_level="N2"),
    contract("C-B1", "ORG-B", "OPN-B1", intention="leaving"),
)


def add_contracts(engine: Engine, *records: dict[str, Any]) -> None:
    """Create contracts through the service, as the command line (a coordinator)."""
    with Session(engine, expire_on_commit=False) as session:
        for record in records or LEDGER:
            contracts.create_contract(
                session=session,
                caller=COMMAND_LINE,
                contract_in=fmt.Contract.model_validate(record),
            )


def host(engine: Engine, organization: str, *, prefecture_scope: bool = False) -> Caller:
    """A host-org caller of `organization` (with its prefecture's read scope if asked)."""
    with Session(engine) as session:
        row = session.scalars(
            select(models.Organization).where(models.Organization.external_id == organization)
        ).one()
        return Caller(
            role=Role.HOST_ORG,
            organization_id=row.id,
            prefecture=row.prefecture if prefecture_scope else None,
        )


def set_deadline(engine: Engine, year: int, deadline: datetime) -> None:
    """Set the intention deadline of a programme year directly in the table."""
    with Session(engine) as session:
        session.add(
            models.ProgrammeYear(programme_year=year, intention_deadline=deadline.astimezone(UTC))
        )
        session.commit()
