"""The pipeline of prospective host organizations (coordinators only).

A prospect moves identified -> contacted -> interested -> request_submitted, or to
declined; it reaches `hosting` only by conversion, which creates its organization and
first openings in the same transaction as the stage change (nothing half-made), links
the organization to the prospect, and counts the places (slots) it adds. The new
openings are open records like any other, so the next run of a round of their position
considers them. Every change is audited; contact details are personal data, so reading
a prospect is audited too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, Conflict, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.development import (
    ContactChannel,
    ContactCreate,
    ContactPublic,
    PipelineReport,
    PipelineRow,
    ProspectConversion,
    ProspectCreate,
    ProspectFields,
    ProspectPublic,
    ProspectStage,
    ProspectUpdate,
)
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.consistency import check_records, merge
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.records import opening_values, organization_values
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
    run_idempotent,
)
from jet_match.services.records import saving
from jet_match.services.security import audit

#: Stages from which a prospect may be converted: it has agreed to host.
AGREED = frozenset({ProspectStage.INTERESTED, ProspectStage.REQUEST_SUBMITTED})
FIELDS = tuple(ProspectFields.model_fields)


@dataclass(frozen=True, slots=True)
class ProspectFilter:
    """Filters of the prospect list; None means any."""

    stage: ProspectStage | None = None
    prefecture: int | None = None


def find(session: Session, external_id: str) -> models.Prospect:
    """The prospect, or NotFound."""
    row = session.scalars(
        select(models.Prospect).where(models.Prospect.external_id == external_id)
    ).first()
    if row is None:
        raise NotFound(f"no prospect '{external_id}'")
    return row


def public(session: Session, row: models.Prospect) -> ProspectPublic:
    """A prospect with its contact log, oldest contact first."""
    return public_many(session, [row])[0]


def public_many(session: Session, rows: list[models.Prospect]) -> list[ProspectPublic]:
    """Prospects with their contact logs, in two or three queries whatever their number."""
    ids = [row.id for row in rows if row.id is not None]
    contact = models.ProspectContact
    logs: dict[int, list[models.ProspectContact]] = {prospect_id: [] for prospect_id in ids}
    if ids:
        for c in session.scalars(
            select(contact)
            .where(col(contact.prospect_id).in_(ids))
            .order_by(col(contact.contacted_on), col(contact.id))
        ):
            logs[c.prospect_id].append(c)
    organizations = lookups.organization_external_ids(session, (r.organization_id for r in rows))
    return [
        ProspectPublic(
            **{name: getattr(row, name) for name in FIELDS},
            external_id=row.external_id,
            organization=organizations.get(row.organization_id) if row.organization_id else None,
            places_added=row.places_added,
            contacts=[
                ContactPublic(
                    contacted_on=c.contacted_on,
                    channel=ContactChannel(c.channel),
                    summary=c.summary,
                    recorded_by=c.recorded_by,
                    recorded_at=c.created_at,
                )
                for c in logs.get(row.id or 0, [])
            ],
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def list_prospects(
    *, session: Session, caller: Caller, filters: ProspectFilter, page: PageRequest
) -> Page[ProspectPublic]:
    """Prospects ordered by external_id (audited: they hold contact details)."""
    authorize(caller, Action.DEVELOPMENT)
    table = models.Prospect
    statement = select(table)
    if filters.stage is not None:
        statement = statement.where(table.stage == filters.stage.value)
    if filters.prefecture is not None:
        statement = statement.where(table.prefecture == filters.prefecture)
    result = paginate(session, statement, col(table.external_id), page)
    items = public_many(session, [row for (row,) in result.rows])
    audit.record(session, caller, "prospect.list", "prospect", count=len(items))
    commit(session)
    return Page(items=items, next_cursor=result.next_cursor)


def get_prospect(*, session: Session, caller: Caller, external_id: str) -> Written[ProspectPublic]:
    """One prospect, its contact log and its ETag (audited)."""
    authorize(caller, Action.DEVELOPMENT)
    row = find(session, external_id)
    answer = public(session, row)
    audit.record(session, caller, "prospect.read", "prospect", external_id)
    commit(session)
    return Written(answer, etag_of(row.version))


def _stage_check(stage: ProspectStage, external_id: str) -> None:
    if stage is ProspectStage.HOSTING:
        message = "a prospect becomes hosting by conversion (POST .../convert)"
        raise InvalidInput(
            message,
            [FieldProblem("prospect", external_id, "stage", "hosting_by_conversion", message)],
        )


def create_prospect(
    *,
    session: Session,
    caller: Caller,
    prospect_in: ProspectCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[ProspectPublic]:
    """Add a prospect to the pipeline (coordinators)."""
    authorize(caller, Action.DEVELOPMENT)
    _stage_check(prospect_in.stage, prospect_in.external_id)

    def produce() -> Written[ProspectPublic]:
        row = _insert(session, prospect_in)
        audit.record(session, caller, "prospect.create", "prospect", row.external_id)
        return Written(public(session, row), etag_of(row.version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="prospect.create",
        payload=prospect_in,
        answer_model=ProspectPublic,
        produce=produce,
    )


def _insert(session: Session, prospect_in: ProspectCreate) -> models.Prospect:
    taken = session.scalars(
        select(models.Prospect.id).where(models.Prospect.external_id == prospect_in.external_id)
    ).first()
    if taken is not None:
        raise AlreadyExists(f"prospect '{prospect_in.external_id}' exists already")
    row = models.Prospect(**prospect_values(prospect_in), external_id=prospect_in.external_id)
    session.add(row)
    session.flush()
    return row


def prospect_values(fields: ProspectFields) -> dict[str, Any]:
    values = fields.model_dump(include=set(FIELDS))
    values["stage"] = fields.stage.value
    values["kind"] = fields.kind.value
    values["area_type"] = fields.area_type.value
    return values


def update_prospect(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: ProspectUpdate,
    if_match: str | None,
) -> Written[ProspectPublic]:
    """Change some fields of a prospect (coordinators), if still at the version seen."""
    authorize(caller, Action.DEVELOPMENT)
    row = find(session, external_id)
    check_if_match(if_match, row.version)
    given = changes.model_dump(mode="json", exclude_unset=True)
    if given.get("stage") is not None:
        _stage_check(ProspectStage(given["stage"]), external_id)
    if row.stage == ProspectStage.HOSTING.value and "stage" in given:
        raise Conflict(f"prospect '{external_id}' is hosting already: its stage is final")
    current = {name: getattr(row, name) for name in FIELDS}
    current_json = ProspectFields.model_validate(current).model_dump(mode="json")
    updated = merge(ProspectFields, current_json, given, "prospect")
    after = updated.model_dump(mode="json")
    fields = audit.changed_fields(current_json, after)
    version = row.version
    if fields:
        assert row.id is not None
        version = compare_and_swap(
            session, models.Prospect, row.id, row.version, **prospect_values(updated)
        )
        audit.record(session, caller, "prospect.update", "prospect", external_id, fields=fields)
        commit(session)
        session.refresh(row)
    return Written(public(session, row), etag_of(version))


def add_contact(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    contact_in: ContactCreate,
    idempotency: IdempotencyKey | None = None,
) -> Written[ProspectPublic]:
    """Log a contact with a prospect (coordinators); an identified prospect becomes
    contacted."""
    authorize(caller, Action.DEVELOPMENT)
    row = find(session, external_id)

    def produce() -> Written[ProspectPublic]:
        assert row.id is not None
        session.add(
            models.ProspectContact(
                prospect_id=row.id,
                contacted_on=contact_in.contacted_on,
                channel=contact_in.channel.value,
                summary=contact_in.summary,
                recorded_by=caller.actor,
            )
        )
        version = row.version
        if row.stage == ProspectStage.IDENTIFIED.value:
            version = compare_and_swap(
                session, models.Prospect, row.id, row.version, stage=ProspectStage.CONTACTED.value
            )
        session.flush()
        audit.record(
            session, caller, "prospect.contact", "prospect", external_id, channel=contact_in.channel
        )
        session.refresh(row)
        return Written(public(session, row), etag_of(version), status_code=201)

    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation=f"prospect.contact:{external_id}",
        payload=contact_in,
        answer_model=ProspectPublic,
        produce=produce,
    )


def convert(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    conversion: ProspectConversion,
    if_match: str | None,
) -> Written[ProspectPublic]:
    """Turn an agreed prospect into a host organization with its first openings, linked
    to it; the prospect becomes `hosting` (coordinators, If-Match). All or nothing."""
    authorize(caller, Action.DEVELOPMENT)
    row = find(session, external_id)
    check_if_match(if_match, row.version)
    if ProspectStage(row.stage) not in AGREED:
        raise Conflict(
            f"prospect '{external_id}' is {row.stage}: only an interested prospect or one "
            "that submitted its request can be converted"
        )
    organization = fmt.Organization(
        external_id=conversion.organization,
        name=row.name,
        name_ja=row.name_ja,
        kind=fmt.OrganizationKind(row.kind),
        prefecture=row.prefecture,
        area_type=fmt.AreaType(row.area_type),
        medical_access=conversion.medical_access,
        sister_regions=conversion.sister_regions,
    )
    openings = [
        fmt.Opening(organization=conversion.organization, **opening.model_dump())
        for opening in conversion.openings
    ]
    _refuse_taken(session, organization, openings)
    check_records(
        focus=organization, kind="organization", organizations=[organization], openings=openings
    )
    new_organization = models.Organization(**organization_values(organization))
    session.add(new_organization)
    session.flush()
    assert new_organization.id is not None
    for opening in openings:
        session.add(models.Opening(**opening_values(opening, new_organization.id)))
    places = sum(opening.slots for opening in openings)
    assert row.id is not None
    version = compare_and_swap(
        session,
        models.Prospect,
        row.id,
        row.version,
        stage=ProspectStage.HOSTING.value,
        organization_id=new_organization.id,
        places_added=places,
    )
    audit.record(session, caller, "organization.create", "organization", organization.external_id)
    for opening in openings:
        audit.record(session, caller, "opening.create", "opening", opening.external_id)
    audit.record(
        session,
        caller,
        "prospect.convert",
        "prospect",
        external_id,
        organization=organization.external_id,
        openings=[o.external_id for o in openings],
        places=places,
    )
    commit(session)
    session.refresh(row)
    return Written(public(session, row), etag_of(version))


def _refuse_taken(
    session: Session, organization: fmt.Organization, openings: list[fmt.Opening]
) -> None:
    """The new organization's and openings' external ids must be free, without regard to
    case (the database's unique indexes are on lower(external_id)), and not given twice."""
    problems = []
    holder = saving.taken(session, models.Organization, organization.external_id)
    if holder is not None:
        message = saving.taken_message("organization", organization.external_id, holder)
        problems.append(
            FieldProblem("organization", organization.external_id, "organization", "taken", message)
        )
    wanted = [o.external_id.lower() for o in openings]
    for index, opening in enumerate(openings):
        name = opening.external_id
        holder = saving.taken(session, models.Opening, name)
        if holder is not None or wanted.count(name.lower()) > 1:
            message = (
                saving.taken_message("opening", name, holder)
                if holder is not None
                else f"opening '{name}' is given twice (ids are unique without regard to case)"
            )
            problems.append(
                FieldProblem("opening", name, f"openings.{index}.external_id", "taken", message)
            )
    if problems:
        raise InvalidInput(problems[0].message, problems)


def pipeline_report(*, session: Session, caller: Caller) -> PipelineReport:
    """Prospects by stage and prefecture, and the places converted prospects added."""
    authorize(caller, Action.DEVELOPMENT)
    table = models.Prospect
    rows = session.execute(select(table.prefecture, table.stage, table.places_added)).all()
    by_stage: Counter[str] = Counter({stage.value: 0 for stage in ProspectStage})
    per: dict[int, Counter[str]] = defaultdict(Counter)
    places: Counter[int] = Counter()
    for prefecture, stage, added in rows:
        by_stage[stage] += 1
        per[prefecture][stage] += 1
        places[prefecture] += added
    return PipelineReport(
        by_stage=dict(by_stage),
        places_added=sum(places.values()),
        prefectures=[
            PipelineRow(prefecture=code, by_stage=dict(per[code]), places_added=places[code])
            for code in sorted(per)
        ],
    )
