"""Who career-fair employers may see: consents, registrations and the roster.

The population is the JETs whose contracts end in the fair's year with the intention
`leaving` (`contracts`, from the season work) **and** who consented. A coordinator
records a consent (date, scope: every fair or named ones, the month the person is
available); it can be withdrawn at any time, which takes the person off every roster and
every later sync at once (nothing is cached or copied: the roster is computed from the
rows on every read). A registration puts a consenting leaving JET on one fair's roster.

A roster shows exactly `ROSTER_FIELDS` of each person (name, position, prefecture served,
years in the programme, Japanese level, field of study, month available) in JSON, CSV
and XLSX: no contact data, no citizenship, nothing else. Reads are audited (personal
data); every consent and registration change is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput, NotFound
from jet_match.schemas.careerfair import (
    ROSTER_FIELDS,
    ROSTER_HEADINGS,
    ConsentGiven,
    ConsentPublic,
    ConsentScope,
    RegistrationCreate,
    RegistrationPublic,
    Roster,
    RosterChanges,
    RosterEntry,
    RosterSyncEntry,
)
from jet_match.services.careerfair.fairs import find as find_fair
from jet_match.services.kit import sheet_writing
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.writes import Written, commit, etag_of
from jet_match.services.security import audit


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _contract(session: Session, external_id: str, field: str | None = None) -> models.Contract:
    row = session.scalars(
        select(models.Contract).where(models.Contract.external_id == external_id)
    ).first()
    if row is None:
        message = f"no contract '{external_id}'"
        if field is None:
            raise NotFound(message)
        raise InvalidInput(
            message, [FieldProblem("registration", external_id, field, "unknown_contract", message)]
        )
    return row


def _consent_of(session: Session, contract_id: int | None) -> models.FairConsent | None:
    return session.scalars(
        select(models.FairConsent).where(models.FairConsent.contract_id == contract_id)
    ).first()


def _consent_public(contract: str, row: models.FairConsent) -> ConsentPublic:
    return ConsentPublic(
        contract=contract,
        given_on=row.given_on,
        scope=ConsentScope(row.scope),
        fairs=list(row.fairs),
        available_month=row.available_month,
        active=row.withdrawn_at is None,
        withdrawn_at=row.withdrawn_at,
    )


def get_consent(*, session: Session, caller: Caller, contract_id: str) -> Written[ConsentPublic]:
    """A contract holder's consent (coordinators); NotFound if none was ever given."""
    authorize(caller, Action.FAIRS_WRITE)
    contract = _contract(session, contract_id)
    row = _consent_of(session, contract.id)
    if row is None:
        raise NotFound(f"contract '{contract_id}' has no consent")
    return Written(_consent_public(contract_id, row), etag_of(row.version))


def give_consent(
    *, session: Session, caller: Caller, contract_id: str, consent: ConsentGiven
) -> Written[ConsentPublic]:
    """Record (or renew) a leaving JET's consent (coordinators); idempotent, audited."""
    authorize(caller, Action.FAIRS_WRITE)
    contract = _contract(session, contract_id)
    if contract.intention != fmt.Intention.LEAVING.value:
        message = f"contract '{contract_id}' is not leaving: only leaving JETs go to fairs"
        raise InvalidInput(
            message, [FieldProblem("consent", contract_id, "contract", "not_leaving", message)]
        )
    if consent.scope is ConsentScope.NAMED_FAIRS and not consent.fairs:
        message = "a consent for named fairs names at least one fair"
        raise InvalidInput(
            message, [FieldProblem("consent", contract_id, "fairs", "no_fairs", message)]
        )
    assert contract.id is not None
    row = _consent_of(session, contract.id)
    now = models.utcnow()
    values: dict[str, Any] = {
        "given_on": consent.given_on,
        "scope": consent.scope.value,
        "fairs": list(consent.fairs) if consent.scope is ConsentScope.NAMED_FAIRS else [],
        "available_month": consent.available_month,
        "withdrawn_at": None,
    }
    created = row is None
    if row is None:
        row = models.FairConsent(contract_id=contract.id, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.version += 1
        row.updated_at = now
    session.flush()
    audit.record(
        session, caller, "consent.give", "contract", contract_id, scope=consent.scope.value
    )
    answer = _consent_public(contract_id, row)
    commit(session)
    return Written(answer, etag_of(row.version), status_code=201 if created else 200)


def withdraw_consent(
    *, session: Session, caller: Caller, contract_id: str
) -> Written[ConsentPublic]:
    """Withdraw a consent, at any time (coordinators): the person leaves every roster and
    every later sync reports them removed. Idempotent; audited."""
    authorize(caller, Action.FAIRS_WRITE)
    contract = _contract(session, contract_id)
    row = _consent_of(session, contract.id)
    if row is None:
        raise NotFound(f"contract '{contract_id}' has no consent")
    if row.withdrawn_at is None:
        now = models.utcnow()
        row.withdrawn_at = now
        row.updated_at = now
        row.version += 1
        session.flush()
    audit.record(session, caller, "consent.withdraw", "contract", contract_id)
    answer = _consent_public(contract_id, row)
    commit(session)
    return Written(answer, etag_of(row.version))


def _covers(consent: models.FairConsent | None, fair: models.Fair) -> bool:
    return (
        consent is not None
        and consent.withdrawn_at is None
        and (consent.scope == ConsentScope.ALL_FAIRS.value or fair.external_id in consent.fairs)
    )


def _eligible(contract: models.Contract, fair: models.Fair) -> bool:
    """Leaving, with a contract that ends in the fair's year."""
    return (
        contract.intention == fmt.Intention.LEAVING.value
        and contract.ends_on.year == fair.held_on.year
    )


def register(
    *, session: Session, caller: Caller, fair_id: str, registration: RegistrationCreate
) -> Written[RegistrationPublic]:
    """Register a consenting leaving JET to a fair (coordinators); idempotent, audited."""
    authorize(caller, Action.FAIRS_WRITE)
    fair = find_fair(session, fair_id)
    contract = _contract(session, registration.contract, "contract")
    problem = None
    if not _eligible(contract, fair):
        problem = ("not_leaving", "the contract is not leaving in the fair's year")
    elif not _covers(_consent_of(session, contract.id), fair):
        problem = ("no_consent", "the person has not consented to be shown at this fair")
    if problem is not None:
        raise InvalidInput(
            problem[1],
            [FieldProblem("registration", registration.contract, "contract", *problem)],
        )
    table = models.FairRegistration
    row = session.scalars(
        select(table).where(table.fair_id == fair.id, table.contract_id == contract.id)
    ).first()
    created = row is None or row.cancelled_at is not None
    if row is None:
        assert fair.id is not None
        assert contract.id is not None
        row = table(fair_id=fair.id, contract_id=contract.id, entry=secrets.token_hex(8))
        session.add(row)
    elif row.cancelled_at is not None:  # registered again after a cancellation
        row.cancelled_at = None
        row.updated_at = models.utcnow()
    if created:
        session.flush()
        audit.record(
            session, caller, "fair.register", "fair", fair_id, contract=registration.contract
        )
    answer = RegistrationPublic(
        fair=fair_id, contract=registration.contract, registered_at=row.created_at
    )
    commit(session)
    return Written(answer, status_code=201 if created else 200)


def cancel_registration(
    *, session: Session, caller: Caller, fair_id: str, contract_id: str
) -> RegistrationPublic:
    """Take a person off a fair (coordinators): gone from its roster, reported removed by
    its next sync. Idempotent; audited."""
    authorize(caller, Action.FAIRS_WRITE)
    fair = find_fair(session, fair_id)
    contract = _contract(session, contract_id)
    table = models.FairRegistration
    row = session.scalars(
        select(table).where(table.fair_id == fair.id, table.contract_id == contract.id)
    ).first()
    if row is None:
        raise NotFound(f"contract '{contract_id}' is not registered to fair '{fair_id}'")
    if row.cancelled_at is None:
        now = models.utcnow()
        row.cancelled_at = now
        row.updated_at = now
        session.flush()
        audit.record(session, caller, "fair.unregister", "fair", fair_id, contract=contract_id)
    answer = RegistrationPublic(fair=fair_id, contract=contract_id, registered_at=row.created_at)
    commit(session)
    return answer


@dataclass(frozen=True, slots=True)
class _Line:
    entry: str
    shown: RosterEntry | None  # None: registered but not to be shown now
    created_at: datetime
    changed_at: datetime


def _month_after(day: date) -> str:
    return (day + timedelta(days=1)).strftime("%Y-%m")


def _lines(session: Session, fair: models.Fair) -> list[_Line]:
    """Every registration of the fair, with what the roster shows of it (if anything)."""
    registration, contract, organization = (
        models.FairRegistration,
        models.Contract,
        models.Organization,
    )
    rows = session.execute(
        select(registration, contract, col(organization.prefecture), models.FairConsent)
        .join(contract, col(contract.id) == registration.contract_id)
        .join(organization, col(organization.id) == contract.organization_id)
        .outerjoin(
            models.FairConsent, col(models.FairConsent.contract_id) == registration.contract_id
        )
        .where(registration.fair_id == fair.id)
        .order_by(col(contract.family_name), col(contract.given_name), col(registration.id))
    ).all()
    lines = []
    for reg, person, prefecture, consent in rows:
        shown = None
        if reg.cancelled_at is None and _eligible(person, fair) and _covers(consent, fair):
            shown = RosterEntry(
                name=f"{person.given_name} {person.family_name}".strip(),
                position=fmt.Position(person.position),
                prefecture_served=prefecture,
                years_in_programme=person.year_in_programme,
                japanese_level=fmt.JapaneseLevel(person.japanese_level),
                field_of_study=person.field_of_study,
                month_available=(consent.available_month or _month_after(person.ends_on)),
            )
        stamps = [reg.updated_at, person.updated_at]
        if consent is not None:
            stamps.append(consent.updated_at)
        lines.append(_Line(reg.entry, shown, _utc(reg.created_at), max(_utc(s) for s in stamps)))
    return lines


def roster(*, session: Session, caller: Caller, fair_id: str) -> Roster:
    """The fair's roster: consenting leaving JETs registered to it (audited read)."""
    authorize(caller, Action.FAIRS_READ)
    fair = find_fair(session, fair_id)
    items = [line.shown for line in _lines(session, fair) if line.shown is not None]
    audit.record(session, caller, "fair.roster", "fair", fair_id, format="json", count=len(items))
    commit(session)
    return Roster(fair=fair_id, items=items)


def roster_sheet(
    *,
    session: Session,
    caller: Caller,
    fair_id: str,
    sheet_format: str,
    language: str | None = None,
) -> bytes:
    """The roster as CSV (UTF-8 with BOM) or XLSX: the same fields, nothing else; headed
    by the field names, or for people by their headings in `language` (en, ja)."""
    authorize(caller, Action.FAIRS_READ)
    fair = find_fair(session, fair_id)
    rows: list[dict[str, Any]] = [
        line.shown.model_dump(mode="json")
        for line in _lines(session, fair)
        if line.shown is not None
    ]
    audit.record(
        session, caller, "fair.roster", "fair", fair_id, format=sheet_format, count=len(rows)
    )
    commit(session)
    if language is not None:
        headings = ROSTER_HEADINGS[language]
        rows = [{headings[i]: row[name] for i, name in enumerate(ROSTER_FIELDS)} for row in rows]
    names = ROSTER_HEADINGS[language] if language is not None else ROSTER_FIELDS
    if sheet_format == "csv":
        return sheet_writing.write_table_csv(names, rows)
    return sheet_writing.write_tables_xlsx({"roster": (names, rows)})


def roster_changes(
    *, session: Session, caller: Caller, fair_id: str, updated_since: datetime | None
) -> RosterChanges:
    """What changed on the roster since `updated_since` (without it: everyone, as added):
    entries added, changed, and removed (consent withdrawn, no longer leaving ...)."""
    authorize(caller, Action.FAIRS_READ)
    fair = find_fair(session, fair_id)
    as_of = models.utcnow()
    since = _utc(updated_since) if updated_since is not None else None
    added: list[RosterSyncEntry] = []
    changed: list[RosterSyncEntry] = []
    removed: list[str] = []
    for line in _lines(session, fair):
        if since is not None and line.changed_at <= since:
            continue
        if line.shown is None:
            if since is not None:
                removed.append(line.entry)
            continue
        item = RosterSyncEntry(**line.shown.model_dump(), entry=line.entry)
        (added if since is None or line.created_at > since else changed).append(item)
    audit.record(
        session,
        caller,
        "fair.roster.sync",
        "fair",
        fair_id,
        added=len(added),
        changed=len(changed),
        removed=len(removed),
    )
    commit(session)
    return RosterChanges(fair=fair_id, as_of=as_of, added=added, changed=changed, removed=removed)
