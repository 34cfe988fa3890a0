"""Publication: freeze the working plan as version N; host and career-fair reads of it.

A publication copies the working plan into `published_placements` (one INSERT ...
SELECT), never changed afterwards. Host organizations read the latest published version
of each round for their own openings only, with the fields a host needs (name,
citizenship, position, Japanese level: never contact or special-care data); those reads
are audited. Career-fair tools read every round's latest published version with the
participant's external_id only (no name, no contact data), in a stable order, with an
ETag that changes only when something is published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, insert, literal
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.errors import Conflict
from jet_match.schemas import (
    HostPlacement,
    Page,
    PublicationPublic,
    ResultItem,
    RoundStatus,
)
from jet_match.services import audit, organizations, rounds
from jet_match.services.access import Action, Caller, authorize
from jet_match.services.pagination import PageRequest, paginate
from jet_match.services.writes import Written, commit, etag_of

Published = models.PublishedPlacement
Publication = models.Publication
Round = models.Round
Participant = models.Participant
Opening = models.Opening
Organization = models.Organization


def publish(
    *, session: Session, caller: Caller, round_id: str, if_match: str | None
) -> Written[PublicationPublic]:
    """Freeze the working plan as the next version (If-Match on the round)."""
    authorize(caller, Action.PUBLISH)
    row = rounds.find(session, round_id)
    rounds.check_plan_write(row, if_match)
    assert row.id is not None
    if row.status == RoundStatus.DRAFT.value:
        raise Conflict(f"round '{round_id}' has no plan yet: run it first")
    if row.published_version and rounds.plan_is_published(session, row.id, row.published_version):
        raise Conflict(
            f"nothing to publish: the working plan of round '{round_id}' is version "
            f"{row.published_version} already"
        )
    version = row.published_version + 1
    etag = etag_of(
        rounds.bump(session, row, status=RoundStatus.PUBLISHED.value, published_version=version)
    )
    publication = Publication(round_id=row.id, version=version, published_by=caller.actor)
    session.add(publication)
    session.flush()
    placement = models.Placement
    session.execute(
        insert(Published).from_select(
            [
                "publication_id",
                "participant_id",
                "opening_id",
                "organization_id",
                "score",
                "breakdown",
            ],
            sa.select(
                literal(publication.id),
                col(placement.participant_id),
                col(placement.opening_id),
                col(Opening.organization_id),
                col(placement.score),
                col(placement.breakdown),
            )
            .join(Opening, col(Opening.id) == placement.opening_id)
            .join(Participant, col(Participant.id) == placement.participant_id)
            .where(col(placement.round_id) == row.id)
            # Results are paged by row id: inserted in participant order, they read so.
            .order_by(col(Participant.external_id)),
        )
    )
    counts = _differences(session, row.id, version)
    publication.summary = counts
    session.add(publication)
    audit.record(
        session,
        caller,
        "round.publish",
        "round",
        row.external_id,
        version=version,
        before=row.status,
        after=RoundStatus.PUBLISHED.value,
        **counts,
    )
    commit(session)
    return Written(
        PublicationPublic(
            round=row.external_id,
            version=version,
            published_at=publication.published_at,
            published_by=publication.published_by,
            **counts,
        ),
        etag,
    )


def published_plan(session: Session, round_id: int, version: int) -> dict[int, int]:
    """Participant row id -> opening row id of a published version (empty if none)."""
    return dict(
        session.execute(
            select(Published.participant_id, Published.opening_id)
            .join(Publication, col(Publication.id) == Published.publication_id)
            .where(Publication.round_id == round_id, Publication.version == version)
        ).all()
    )


def _differences(session: Session, round_id: int, version: int) -> dict[str, int]:
    now = published_plan(session, round_id, version)
    before = published_plan(session, round_id, version - 1) if version > 1 else {}
    return {
        "placed": len(now),
        "added": sum(1 for p in now if p not in before),
        "removed": sum(1 for p in before if p not in now),
        "moved": sum(1 for p, o in now.items() if p in before and before[p] != o),
    }


def _latest() -> Any:
    """Published placements of the latest version of every round, with their records."""
    return (
        sa.select(
            Published,
            col(Round.external_id),
            col(Publication.version),
            Participant,
            col(Opening.external_id),
            col(Organization.external_id),
            col(Organization.name),
            col(Organization.prefecture),
        )
        .join(Publication, col(Publication.id) == Published.publication_id)
        .join(
            Round,
            and_(
                col(Round.id) == Publication.round_id,
                col(Round.published_version) == Publication.version,
            ),
        )
        .join(Participant, col(Participant.id) == Published.participant_id)
        .join(Opening, col(Opening.id) == Published.opening_id)
        .join(Organization, col(Organization.id) == Published.organization_id)
    )


def _page(session: Session, statement: Any, page: PageRequest) -> tuple[list[Any], str | None]:
    """Keyset pages in the order placements were published: by publication, then by
    participant (each publication inserts its rows in external_id order)."""
    result = paginate(session, statement, col(Published.id), page, key_type=int)
    return list(result.rows), result.next_cursor


def organization_placements(
    *, session: Session, caller: Caller, organization_id: str, page: PageRequest
) -> Page[HostPlacement]:
    """The latest published placements at an organization's openings (host: its own only)."""
    authorize(caller, Action.PLACEMENTS_READ)
    organization = organizations.find(session, caller, organization_id)
    statement = _latest().where(Published.organization_id == organization.id)
    rows, cursor = _page(session, statement, page)
    items = [
        HostPlacement(
            round=round_ext,
            version=version,
            opening=opening,
            participant=person.external_id,
            family_name=person.family_name,
            given_name=person.given_name,
            citizenship=person.citizenship,
            position=fmt.Position(person.position),
            japanese_level=fmt.JapaneseLevel(person.japanese_level),
        )
        for _, round_ext, version, person, opening, _org, _name, _pref in rows
    ]
    audit.record(
        session,
        caller,
        "placement.read",
        "organization",
        organization.external_id,
        count=len(items),
        external_ids=[item.participant for item in items],
    )
    commit(session)
    return Page(items=items, next_cursor=cursor)


@dataclass(frozen=True, slots=True)
class Results:
    """A page of results and its ETag; `page` is None when the client's copy is current."""

    etag: str
    page: Page[ResultItem] | None


def results(
    *, session: Session, caller: Caller, page: PageRequest, if_none_match: str | None
) -> Results:
    """Published placements of every round's latest version, by publication and participant."""
    authorize(caller, Action.RESULTS_READ)
    versions = session.execute(
        select(Round.id, Round.published_version)
        .where(col(Round.published_version) > 0)
        .order_by(col(Round.id))
    ).all()
    state = ",".join(f"{r}:{v}" for r, v in versions) + f"|{page.cursor}|{page.limit}"
    etag = '"' + hashlib.sha256(state.encode()).hexdigest()[:32] + '"'
    if if_none_match is not None and (
        if_none_match.strip() == "*"
        or etag in [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    ):
        return Results(etag, None)
    rows, cursor = _page(session, _latest(), page)
    items = [
        ResultItem(
            round=round_ext,
            version=version,
            participant=person.external_id,
            position=fmt.Position(person.position),
            opening=opening,
            organization=org,
            organization_name=name,
            prefecture=prefecture,
        )
        for _, round_ext, version, person, opening, org, name, prefecture in rows
    ]
    return Results(etag, Page(items=items, next_cursor=cursor))
