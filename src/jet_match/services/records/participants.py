"""Participants: list, read, create, update. Personal data: coordinators only, reads audited.

Couples are kept mutual. Giving A the partner B links both (B must have no other
partner, and both get the same constraint); `"partner": null` unlinks both; moving A to a
new partner frees the old one. The dataset's own rules then check the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import AlreadyExists, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.common import Page
from jet_match.schemas.record_changes import ParticipantChanged
from jet_match.schemas.records import ParticipantUpdate
from jet_match.schemas.withdrawals import FreedPlace
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.consistency import check_records, ensure_storable, merge
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.records import participant_data, participant_record, participant_values
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    check_if_match,
    commit,
    compare_and_swap,
    etag_of,
)
from jet_match.services.records import saving
from jet_match.services.rounds import record_changes, withdrawals
from jet_match.services.rounds.record_changes import Watch
from jet_match.services.security import audit

Participant = models.Participant
PartnerRow = aliased(models.Participant)


@dataclass(frozen=True, slots=True)
class ParticipantFilter:
    """Filters of the participant list; None means any."""

    position: fmt.Position | None = None
    status: fmt.ParticipantStatus | None = None
    citizenship: str | None = None
    preferred_prefecture: int | None = None
    japanese_level_at_least: fmt.JapaneseLevel | None = None


def _prefers(session: Session, prefecture: int) -> Any:
    """Participants listing `prefecture` among their preferred prefectures (a JSON list)."""
    listed = col(Participant.preferred_prefectures)
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(listed, JSONB).contains([prefecture])
    values = sa.func.json_each(listed).table_valued("value")
    return sa.exists(sa.select(values.c.value).where(values.c.value == prefecture))


def _levels_from(level: fmt.JapaneseLevel) -> list[str]:
    """`level` and every level above it (none < N5 < ... < N1)."""
    levels = list(fmt.JapaneseLevel)
    return [above.value for above in levels[levels.index(level) :]]


def _with_partner() -> Any:
    return select(Participant, PartnerRow.external_id).outerjoin(
        PartnerRow,
        col(PartnerRow.id) == Participant.partner_id,
    )


def find(session: Session, external_id: str) -> tuple[models.Participant, str | None]:
    """The participant and its partner's external_id; NotFound if there is none."""
    found = session.execute(_with_partner().where(Participant.external_id == external_id)).first()
    if found is None:
        raise NotFound(f"no participant '{external_id}'")
    return found[0], found[1]


def list_participants(
    *, session: Session, caller: Caller, filters: ParticipantFilter, page: PageRequest
) -> Page[fmt.Participant]:
    """Participants ordered by external_id; the read is audited with the ids returned."""
    authorize(caller, Action.PARTICIPANTS_READ)
    statement = _with_partner()
    if filters.position is not None:
        statement = statement.where(Participant.position == filters.position.value)
    if filters.status is not None:
        statement = statement.where(Participant.status == filters.status.value)
    if filters.citizenship is not None:
        statement = statement.where(Participant.citizenship == filters.citizenship)
    if filters.preferred_prefecture is not None:
        statement = statement.where(_prefers(session, filters.preferred_prefecture))
    if filters.japanese_level_at_least is not None:
        levels = _levels_from(filters.japanese_level_at_least)
        statement = statement.where(col(Participant.japanese_level).in_(levels))
    result = paginate(session, statement, col(Participant.external_id), page)
    items = [participant_record(row, partner) for row, partner in result.rows]
    audit.record(
        session,
        caller,
        "participant.list",
        "participant",
        count=len(items),
        external_ids=[item.external_id for item in items],
    )
    commit(session)
    return Page(items=items, next_cursor=result.next_cursor)


def get_participant(
    *, session: Session, caller: Caller, external_id: str
) -> Written[fmt.Participant]:
    """One participant and its ETag; the read is audited."""
    authorize(caller, Action.PARTICIPANTS_READ)
    row, partner = find(session, external_id)
    audit.record(session, caller, "participant.read", "participant", external_id)
    commit(session)
    return Written(participant_record(row, partner), etag_of(row.version))


def create_participant(
    *,
    session: Session,
    caller: Caller,
    participant_in: fmt.Participant,
    idempotency: IdempotencyKey | None = None,
) -> Written[fmt.Participant]:
    """Create a participant (linking the partner, if one is named)."""
    authorize(caller, Action.PARTICIPANTS_WRITE)

    def insert() -> models.Participant:
        holder = saving.taken(session, Participant, participant_in.external_id)
        if holder is not None:
            raise AlreadyExists(
                saving.taken_message("participant", participant_in.external_id, holder)
            )
        partner = _new_partner(session, participant_in, own_id=None)
        _check(session, participant_in, partner, own_id=None)
        row = Participant(**participant_values(participant_in))
        row.partner_id = partner.id if partner else None
        session.add(row)
        session.flush()
        if partner is not None:
            _link(session, partner, row, participant_in.partner)
        return row

    return saving.create_record(
        session=session,
        caller=caller,
        idempotency=idempotency,
        kind="participant",
        record=participant_in,
        insert=insert,
    )


def update_participant(
    *,
    session: Session,
    caller: Caller,
    external_id: str,
    changes: ParticipantUpdate,
    if_match: str | None,
) -> Written[ParticipantChanged]:
    """Change some fields of a participant, if still at the version the caller saw."""
    authorize(caller, Action.PARTICIPANTS_WRITE)
    row, old_partner = find(session, external_id)
    seen_version = row.version  # the row object may be refreshed before the write
    check_if_match(if_match, seen_version)
    current = participant_data(row, old_partner)
    updated = merge(
        fmt.Participant, current, changes.model_dump(mode="json", exclude_unset=True), "participant"
    )
    new_partner = updated.partner.external_id if updated.partner else None
    partner = _new_partner(session, updated, own_id=row.id)
    _check(session, updated, partner, own_id=row.id)
    assert row.id is not None
    row_id = row.id

    def write(fields: list[str]) -> int:
        if old_partner is not None and old_partner != new_partner:
            _unlink(session, row.partner_id)
        values = participant_values(updated)
        values["partner_id"] = partner.id if partner else None
        version = compare_and_swap(session, Participant, row_id, seen_version, **values)
        if partner is not None and "partner" in fields:
            _link(session, partner, row, updated.partner)
        return version

    def follow(watched: Watch, reason: str, fields: list[str]) -> list[FreedPlace]:
        if "status" in fields and updated.status is fmt.ParticipantStatus.WITHDRAWN:
            # The same as POST .../withdraw: their places in open rounds become vacancies.
            return withdrawals.free_places(session, caller, row)
        # Places the change no longer allows (position, status, level ...) too.
        return record_changes.follow(session, caller, watched, reason=reason)

    return saving.save_changes(
        session=session,
        caller=caller,
        kind="participant",
        row=row,
        before=current,
        after=updated.model_dump(mode="json"),
        updated=updated,
        answer=lambda record, vacated: ParticipantChanged(**dict(record), vacated=vacated),
        write=write,
        follow=follow,
    )


def _new_partner(
    session: Session, participant: fmt.Participant, own_id: int | None
) -> models.Participant | None:
    """The partner row a participant names, checked to be free; None for no partner."""
    if participant.partner is None:
        return None
    wanted = participant.partner.external_id
    row = None
    if wanted != participant.external_id:
        row = session.scalars(select(Participant).where(Participant.external_id == wanted)).first()
    if row is None:
        message = (
            "a participant cannot be their own partner"
            if wanted == participant.external_id
            else f"no participant '{wanted}'"
        )
        problem = FieldProblem(
            "participant",
            participant.external_id,
            "partner.external_id",
            "unknown_partner",
            message,
        )
        raise InvalidInput(message, [problem])
    if row.partner_id is not None and row.partner_id != own_id:
        message = f"'{wanted}' already has another partner; unlink them first"
        problem = FieldProblem(
            "participant", participant.external_id, "partner.external_id", "partner_taken", message
        )
        raise InvalidInput(message, [problem])
    return row


def _check(
    session: Session,
    participant: fmt.Participant,
    partner: models.Participant | None,
    own_id: int | None,
) -> None:
    """The dataset rules over the participant, its partner and alternates of the same rank."""
    ensure_storable(participant, "participant")
    related: list[fmt.Participant] = []
    if partner is not None and participant.partner is not None:
        link = {
            "external_id": participant.external_id,
            "constraint": participant.partner.constraint,
        }
        related.append(
            fmt.Participant.model_validate({**participant_data(partner, None), "partner": link})
        )
    if participant.alternate_rank is not None:
        same_rank = session.scalars(
            select(Participant).where(
                Participant.position == participant.position.value,
                Participant.status == fmt.ParticipantStatus.ALTERNATE.value,
                Participant.alternate_rank == participant.alternate_rank,
                Participant.id != own_id,
                Participant.external_id != participant.external_id,
            )
        ).all()
        related.extend(participant_record(row, None) for row in same_rank)
    check_records(focus=participant, kind="participant", participants=[participant, *related])


def _link(
    session: Session,
    partner: models.Participant,
    row: models.Participant,
    link: fmt.Partner | None,
) -> None:
    assert partner.id is not None
    assert link is not None
    compare_and_swap(
        session,
        Participant,
        partner.id,
        partner.version,
        partner_id=row.id,
        partner_constraint=link.constraint.value,
    )


def _unlink(session: Session, partner_id: int | None) -> None:
    if partner_id is None:
        return
    partner = session.get(Participant, partner_id)
    if partner is not None:
        compare_and_swap(
            session,
            Participant,
            partner_id,
            partner.version,
            partner_id=None,
            partner_constraint=None,
        )
