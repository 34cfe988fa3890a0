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

from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, insert, literal
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.dataset import format as fmt
from jet_match.db import refresh_statistics
from jet_match.errors import Conflict
from jet_match.schemas.common import Page
from jet_match.schemas.publications import HostPlacement, PublicationPublic
from jet_match.schemas.runs import PolicyValue
from jet_match.services.bridge import round_data
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import Written, commit, etag_of
from jet_match.services.notifications import outbox
from jet_match.services.rounds import rounds
from jet_match.services.security import audit
from jet_match.statuses import EventKind, RoundStatus

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
    # Everything is read and worked out before the first write: from the bump to the
    # commit the database's write lock is held (on SQLite every other writer, an audited
    # read included, waits for it), so that stretch only writes. What was read cannot go
    # stale: every change of a working plan bumps the round's version, and the bump below
    # refuses (412) a round changed since `rounds.find` read it.
    working = _working_plan(session, row.id)
    previous = _published_plan(session, row.id, version - 1) if version > 1 else []
    counts = _differences(working, previous)
    announcements = _announcements(row, version, working, previous)
    # Every round is locked in id order (PostgreSQL; on SQLite the bump's write lock
    # serializes publications), then the overlap is checked: of two rounds sharing a
    # position published at once, the second sees the first.
    session.execute(select(Round.id).order_by(col(Round.id)).with_for_update())
    etag = etag_of(
        rounds.bump(session, row, status=RoundStatus.PUBLISHED.value, published_version=version)
    )
    _refuse_overlap(session, row)
    publication = Publication(
        round_id=row.id,
        version=version,
        published_by=caller.actor,
        policy=round_data.policy_of(row),
        summary=counts,
    )
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
                "position",
                "organization_name",
                "prefecture",
            ],
            sa.select(
                literal(publication.id),
                col(placement.participant_id),
                col(placement.opening_id),
                col(Opening.organization_id),
                col(placement.score),
                col(placement.breakdown),
                col(Participant.position),
                col(Organization.name),
                col(Organization.prefecture),
            )
            .join(Opening, col(Opening.id) == placement.opening_id)
            .join(Organization, col(Organization.id) == Opening.organization_id)
            .join(Participant, col(Participant.id) == placement.participant_id)
            .where(col(placement.round_id) == row.id)
            # Results are paged by row id: inserted in participant order, they read so.
            .order_by(col(Participant.external_id)),
        )
    )
    outbox.record_events(session=session, events=announcements)
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
    # All three: results join the latest publication of each round to its placements,
    # and with a guess for the two small tables PostgreSQL sorts every placement.
    refresh_statistics(session, Round, Publication, Published, rows_written=counts["placed"])
    return Written(
        PublicationPublic(
            round=row.external_id,
            version=version,
            published_at=publication.published_at,
            published_by=publication.published_by,
            policy=PolicyValue.model_validate(publication.policy),
            **counts,
        ),
        etag,
    )


#: A placement as publication sees it: participant and opening row ids, the opening's
#: organization row id, participant and opening external_ids.
Row = tuple[int, int, int, str, str]


def _working_plan(session: Session, round_id: int) -> list[Row]:
    """The round's working plan, in participant external_id order (what is published)."""
    placement = models.Placement
    return _rows(
        session,
        sa.select(
            col(placement.participant_id),
            col(placement.opening_id),
            col(Opening.organization_id),
            col(Participant.external_id),
            col(Opening.external_id),
        )
        .join(Participant, col(Participant.id) == placement.participant_id)
        .join(Opening, col(Opening.id) == placement.opening_id)
        .where(col(placement.round_id) == round_id),
    )


def _published_plan(session: Session, round_id: int, version: int) -> list[Row]:
    """The placements of a published version, in participant external_id order."""
    return _rows(
        session,
        sa.select(
            col(Published.participant_id),
            col(Published.opening_id),
            col(Published.organization_id),
            col(Participant.external_id),
            col(Opening.external_id),
        )
        .join(Publication, col(Publication.id) == Published.publication_id)
        .join(Participant, col(Participant.id) == Published.participant_id)
        .join(Opening, col(Opening.id) == Published.opening_id)
        .where(col(Publication.round_id) == round_id, col(Publication.version) == version),
    )


def _rows(session: Session, statement: Any) -> list[Row]:
    # Plain rows (no ORM result processing), as a run's save reads its plan: 5,500 here.
    return [
        (int(p), int(o), int(org), participant, opening)
        for p, o, org, participant, opening in session.connection()
        .execute(statement.order_by(col(Participant.external_id)))
        .all()
    ]


def _announcements(
    row: models.Round, version: int, now: list[Row], before: list[Row]
) -> list[outbox.NewEvent]:
    """For each host organization whose placements changed (all of them on a first
    publication), its own placements of the new version (`round.published`, then
    `round.amended`), to be written in the publication's transaction."""
    mine = _by_organization(now)
    previous = _by_organization(before)
    kind = EventKind.ROUND_PUBLISHED if version == 1 else EventKind.ROUND_AMENDED
    events = []
    for organization_id in sorted(set(mine) | set(previous)):
        placed, earlier = mine.get(organization_id, []), previous.get(organization_id, [])
        if placed == earlier:
            continue
        kept = set(placed)
        events.append(
            outbox.NewEvent(
                kind,
                organization_id,
                {
                    "round": row.external_id,
                    "version": version,
                    "placements": [{"participant": p, "opening": o} for p, o in placed],
                    "removed": [
                        {"participant": p, "opening": o} for p, o in earlier if (p, o) not in kept
                    ],
                },
            )
        )
    return events


def _by_organization(rows: list[Row]) -> dict[int, list[tuple[str, str]]]:
    """Organization row id -> its (participant, opening) external_ids, in row order."""
    found: dict[int, list[tuple[str, str]]] = {}
    for _p, _o, organization_id, participant, opening in rows:
        found.setdefault(organization_id, []).append((participant, opening))
    return found


def _refuse_overlap(session: Session, row: models.Round) -> None:
    """At most one round per position holds a publication (409 naming the other round).

    A round covers every participant and opening of its positions, so two published
    rounds sharing a position would tell hosts and career fairs two different stories.
    Closing a round keeps its publication (its final result), so closed rounds count.
    """
    others = session.execute(
        select(Round.external_id, Round.positions, Round.published_version, Round.status)
        .where(col(Round.id) != row.id, col(Round.published_version) > 0)
        .order_by(col(Round.external_id))
    ).all()
    for external_id, positions, published_version, status in others:
        shared = sorted(set(positions) & set(row.positions))
        if shared:
            raise Conflict(
                f"round '{external_id}' has published {', '.join(shared)} placements already "
                f"(version {published_version}, {status}): only one round per position may "
                "be published; amend and publish that round instead"
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


def _differences(now_rows: list[Row], before_rows: list[Row]) -> dict[str, int]:
    now = {p: o for p, o, *_rest in now_rows}
    before = {p: o for p, o, *_rest in before_rows}
    return {
        "placed": len(now),
        "added": sum(1 for p in now if p not in before),
        "removed": sum(1 for p in before if p not in now),
        "moved": sum(1 for p, o in now.items() if p in before and before[p] != o),
    }


def _latest() -> Any:
    """Published placements of the latest version of every round, with their records
    (what results show of them is the placement's own copy, made when published)."""
    return (
        sa.select(
            Published,
            col(Round.external_id),
            col(Publication.version),
            Participant,
            col(Opening.external_id),
            col(Organization.external_id),
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
    """The latest published placements at an organization's openings (host: its own only,
    or with prefecture scope those of its prefecture's organizations)."""
    authorize(caller, Action.PLACEMENTS_READ)
    organization = lookups.find_readable_organization(session, caller, organization_id)
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
            position=fmt.Position(published.position),
            japanese_level=fmt.JapaneseLevel(person.japanese_level),
        )
        for published, round_ext, version, person, opening, _org in rows
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
