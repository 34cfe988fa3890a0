"""Contracts in post: list, read, create, change; reappointment intentions.

Coordinators keep the ledger (create and change any field). A host organization reads its
own contracts (with prefecture scope: those of every organization in its prefecture) and
sets the `intention` of its own, and only that, until the intention deadline of the
contract's reappointment year (`programme_years`); after it only coordinators change
intentions. Another organization's contract is a 404, like a missing one.

A contract's reappointment year is the year its `ends_on` falls in. Changing `intention`
stamps `intention_set_on` with today's date (UTC) unless the body sets it. Names and
citizenship are personal data: every read is audited, like every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, FieldProblem, Forbidden, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.contracts import ContractUpdate
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, allows, authorize
from jet_match.services.kit.consistency import check_records, merge
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.records import (
    contract_data,
    contract_record,
    contract_values,
    opening_record,
    organization_record,
)
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
    run_idempotent,
)
from jet_match.services.security import audit

Contract = models.Contract
Organization = models.Organization
Opening = models.Opening

#: The fields a host organization may change (through INTENTIONS_WRITE).
INTENTION_FIELDS = frozenset({"intention"})


@dataclass(frozen=True, slots=True)
class ContractFilter:
    """Filters of the contract list; None means any."""

    organization: str | None = None
    prefecture: int | None = None
    opening: str | None = None
    position: fmt.Position | None = None
    intention: fmt.Intention | None = None
    reappointment_year: int | None = None  # the year of ends_on


def today() -> date:
    """Today's date in UTC (what `intention_set_on` records)."""
    return models.utcnow().date()


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of a calendar year (a reappointment year)."""
    return date(year, 1, 1), date(year, 12, 31)


def visible(caller: Caller) -> Any:
    """SELECT of (contract, organization external_id, opening external_id) the caller may read."""
    opening = aliased(Opening)
    statement = (
        select(Contract, col(Organization.external_id), col(opening.external_id))
        .join(Organization, col(Organization.id) == Contract.organization_id)
        .join(opening, col(opening.id) == Contract.opening_id)
    )
    scope = lookups.readable_by(caller)
    if scope is not None:
        statement = statement.where(scope)
    return statement


def find(session: Session, caller: Caller, external_id: str) -> tuple[models.Contract, str, str]:
    """The contract and its organization's and opening's external_ids, if the caller may
    read it; NotFound otherwise (the same answer as for a missing one)."""
    found = session.execute(visible(caller).where(Contract.external_id == external_id)).first()
    if found is None:
        raise NotFound(f"no contract '{external_id}'")
    return found[0], found[1], found[2]


def list_contracts(
    *, session: Session, caller: Caller, filters: ContractFilter, page: PageRequest
) -> Page[fmt.Contract]:
    """Contracts ordered by external_id; the read is audited with the ids returned."""
    authorize(caller, Action.CONTRACTS_READ)
    statement = visible(caller)
    if filters.organization is not None:
        statement = statement.where(Organization.external_id == filters.organization)
    if filters.prefecture is not None:
        statement = statement.where(Organization.prefecture == filters.prefecture)
    if filters.opening is not None:
        opening = aliased(Opening)
        statement = statement.where(
            col(Contract.opening_id).in_(
                select(opening.id).where(opening.external_id == filters.opening)
            )
        )
    if filters.position is not None:
        statement = statement.where(Contract.position == filters.position.value)
    if filters.intention is not None:
        statement = statement.where(Contract.intention == filters.intention.value)
    if filters.reappointment_year is not None:
        first, last = year_bounds(filters.reappointment_year)
        statement = statement.where(col(Contract.ends_on).between(first, last))
    result = paginate(session, statement, col(Contract.external_id), page)
    items = [contract_record(row, org, opening) for row, org, opening in result.rows]
    audit.record(
        session,
        caller,
        "contract.list",
        "contract",
        count=len(items),
        external_ids=[item.external_id for item in items],
    )
    commit(session)
    return Page(items=items, next_cursor=result.next_cursor)


def get_contract(*, session: Session, caller: Caller, external_id: str) -> Written[fmt.Contract]:
    """One contract and its ETag; the read is audited."""
    authorize(caller, Action.CONTRACTS_READ)
    row, organization, opening = find(session, caller, external_id)
    audit.record(session, caller, "contract.read", "contract", external_id)
    commit(session)
    return Written(contract_record(row, organization, opening), etag_of(row.version))


def create_contract(
    *,
    session: Session,
    caller: Caller,
    contract_in: fmt.Contract,
    idempotency: IdempotencyKey | None = None,
) -> Written[fmt.Contract]:
    """Add a contract to the ledger (coordinators)."""
    authorize(caller, Action.CONTRACTS_WRITE)
    contract = _stamped(contract_in)

    def produce() -> Written[fmt.Contract]:
        taken = session.scalars(
            select(Contract.id).where(Contract.external_id == contract.external_id)
        ).first()
        if taken is not None:
            raise AlreadyExists(f"contract '{contract.external_id}' exists already")
        organization_id, opening_id = _check(session, caller, contract)
        row = Contract(**contract_values(contract, organization_id, opening_id))
        session.add(row)
        session.flush()
        audit.record(session, caller, "contract.create", "contract", row.external_id)
        return Written(contract, etag_of(row.version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="contract.create",
        payload=contract_in,
        answer_model=fmt.Contract,
        produce=produce,
    )


def update_contract(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: ContractUpdate,
    if_match: str | None,
) -> Written[fmt.Contract]:
    """Change a contract if it is still at the version the caller saw.

    Coordinators change any field. A host organization changes only the `intention` of its
    own contracts, and only until the deadline of the contract's reappointment year.
    """
    authorize(caller, Action.INTENTIONS_WRITE)
    sent = changes.model_dump(mode="json", exclude_unset=True)
    may_edit = allows(caller, Action.CONTRACTS_WRITE)
    if not may_edit and set(sent) - INTENTION_FIELDS:
        others = ", ".join(sorted(set(sent) - INTENTION_FIELDS))
        raise Forbidden(f"a host organization changes only a contract's intention, not {others}")
    # Writes are limited to the caller's own organization, whatever its read scope.
    row, organization, opening = find(session, _writer(caller), external_id)
    check_if_match(if_match, row.version)
    current = contract_data(row, organization, opening)
    if "intention" in sent and sent["intention"] != current["intention"]:
        if not may_edit:
            _before_deadline(session, row.ends_on.year)
        sent.setdefault("intention_set_on", today().isoformat())
    updated = merge(fmt.Contract, current, sent, "contract")
    after = updated.model_dump(mode="json")
    fields = audit.changed_fields(current, after)
    version = row.version
    if fields:
        organization_id, opening_id = _check(session, caller, updated)
        assert row.id is not None
        version = compare_and_swap(
            session,
            Contract,
            row.id,
            row.version,
            **contract_values(updated, organization_id, opening_id),
        )
        intention_only = set(fields) <= {"intention", "intention_set_on"}
        action = "contract.intention" if intention_only else "contract.update"
        audit.record(session, caller, action, "contract", external_id, fields=fields)
    commit(session)
    return Written(updated, etag_of(version))


def _writer(caller: Caller) -> Caller:
    """The caller as a writer: a host with prefecture scope writes its own records only."""
    if caller.prefecture is None:
        return caller
    return Caller(
        role=caller.role,
        key_id=caller.key_id,
        key_prefix=caller.key_prefix,
        organization_id=caller.organization_id,
        request_id=caller.request_id,
        label=caller.label,
    )


def _before_deadline(session: Session, year: int) -> None:
    """Refuse a host's intention after the coordinators' deadline for `year` (if one is set)."""
    deadline = session.scalars(
        select(models.ProgrammeYear.intention_deadline).where(
            models.ProgrammeYear.programme_year == year
        )
    ).first()
    if deadline is None:
        return
    if deadline.tzinfo is None:  # SQLite returns naive UTC timestamps
        deadline = deadline.replace(tzinfo=models.utcnow().tzinfo)
    if models.utcnow() >= deadline:
        raise Forbidden(
            f"the deadline for intentions of programme year {year} passed at "
            f"{deadline.isoformat()}; only coordinators change intentions now"
        )


def _stamped(contract: fmt.Contract) -> fmt.Contract:
    """A new contract with `intention_set_on` set to today if it comes with an intention
    other than undecided and no date."""
    if contract.intention_set_on is not None or contract.intention is fmt.Intention.UNDECIDED:
        return contract
    return contract.model_copy(update={"intention_set_on": today()})


def _check(session: Session, caller: Caller, contract: fmt.Contract) -> tuple[int, int]:
    """The contract's organization and opening ids, once the dataset's rules hold for it."""
    organization = _named(
        session,
        select(Organization).where(Organization.external_id == contract.organization),
        contract,
        "organization",
    )
    opening = _named(
        session,
        select(Opening).where(Opening.external_id == contract.opening),
        contract,
        "opening",
    )
    owner = session.get(Organization, opening.organization_id)
    assert owner is not None
    assert organization.id is not None
    assert opening.id is not None
    check_records(
        focus=contract,
        kind="contract",
        organizations=[organization_record(organization)]
        + ([organization_record(owner)] if owner.id != organization.id else []),
        openings=[opening_record(opening, owner.external_id)],
        contracts=[contract],
    )
    return organization.id, opening.id


def _named(session: Session, statement: Any, contract: fmt.Contract, field: str) -> Any:
    row = session.scalars(statement).first()
    if row is None:
        named = getattr(contract, field)
        problem = FieldProblem(
            "contract", contract.external_id, field, f"unknown_{field}", f"no {field} '{named}'"
        )
        raise InvalidInput(problem.message, [problem])
    return row
