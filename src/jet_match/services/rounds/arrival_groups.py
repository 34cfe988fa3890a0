"""Arrival groups: which group each placement of a published version travels with.

The round's policy lists the groups in order (name, date, countries, positions). A
placement goes to the first group whose countries and positions include the
participant's (an empty list takes any); a placement no group takes goes to the last
group. An upgrade (someone first published in an amended version, after version 1) whose
version was published after the policy's `arrival_cutoff` (a day in Japan) goes to the
last group whatever its country: the earlier groups' travel is booked by then.

Groups are derived, never stored: the published versions are frozen, so the group of a
placement changes only when the coordinators change the groups themselves. Arrival
rosters, placement notices and the round report all read them here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.schemas.review import ArrivalGroupCount
from jet_match.schemas.rounds import ArrivalGroup
from jet_match.services.rounds import rounds

#: Cut-off days are days in Japan, where the section books the travel.
JAPAN = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True, slots=True)
class Arrival:
    """A placement of a published version with its arrival group."""

    participant_id: int
    participant: str
    family_name: str
    given_name: str
    citizenship: str
    position: str
    opening: str
    organization_id: int
    organization: str
    organization_name: str
    organization_name_ja: str | None
    prefecture: int
    group: str | None
    arrives_on: dt.date | None
    first_version: int


def group_of(
    groups: list[ArrivalGroup],
    cutoff: dt.date | None,
    *,
    citizenship: str,
    position: str,
    upgrade_published_on: dt.date | None,
) -> ArrivalGroup | None:
    """The group of one placement (None when the policy has no groups).

    `upgrade_published_on` is the day an upgrade was first published (None for someone
    of version 1).
    """
    if not groups:
        return None
    if cutoff is not None and upgrade_published_on is not None and upgrade_published_on > cutoff:
        return groups[-1]
    for group in groups:
        if (not group.countries or citizenship in group.countries) and (
            not group.positions or position in group.positions
        ):
            return group
    return groups[-1]


def arrivals(
    session: Session,
    row: models.Round,
    *,
    version: int | None = None,
    organization_id: int | None = None,
    country: str | None = None,
) -> list[Arrival]:
    """The placements of a published version (the latest unless told), by participant
    external_id, each with its group; only one organization's or one country's if told.
    Empty before the first publication."""
    assert row.id is not None
    version = row.published_version if version is None else version
    if not version:
        return []
    published, publication = models.PublishedPlacement, models.Publication
    participant, opening, organization = models.Participant, models.Opening, models.Organization
    statement = (
        select(published, participant, opening.external_id, organization)
        .join(publication, col(publication.id) == published.publication_id)
        .join(participant, col(participant.id) == published.participant_id)
        .join(opening, col(opening.id) == published.opening_id)
        .join(organization, col(organization.id) == published.organization_id)
        .where(publication.round_id == row.id, publication.version == version)
        .order_by(col(participant.external_id))
    )
    if organization_id is not None:
        statement = statement.where(published.organization_id == organization_id)
    if country is not None:
        statement = statement.where(participant.citizenship == country)
    found = session.execute(statement).all()
    first = dict(
        session.execute(
            select(published.participant_id, func.min(publication.version))
            .join(publication, col(publication.id) == published.publication_id)
            .where(
                publication.round_id == row.id,
                col(publication.version) <= version,
                col(published.participant_id).in_([p.participant_id for p, *_ in found]),
            )
            .group_by(col(published.participant_id))
        ).all()
    )
    published_on = {
        int(v): _day(at)
        for v, at in session.execute(
            select(publication.version, publication.published_at).where(
                publication.round_id == row.id
            )
        ).all()
    }
    policy = rounds.policy_of(row)
    result = []
    for place, person, opening_id, org in found:
        first_version = int(first.get(place.participant_id, version))
        group = group_of(
            policy.arrival_groups,
            policy.arrival_cutoff,
            citizenship=person.citizenship,
            position=place.position,
            upgrade_published_on=published_on.get(first_version) if first_version > 1 else None,
        )
        result.append(
            Arrival(
                participant_id=place.participant_id,
                participant=person.external_id,
                family_name=person.family_name,
                given_name=person.given_name,
                citizenship=person.citizenship,
                position=place.position,
                opening=opening_id,
                organization_id=place.organization_id,
                organization=org.external_id,
                organization_name=place.organization_name,
                organization_name_ja=org.name_ja,
                prefecture=place.prefecture,
                group=group.name if group else None,
                arrives_on=group.date if group else None,
                first_version=first_version,
            )
        )
    return result


def counts(session: Session, row: models.Round) -> list[ArrivalGroupCount]:
    """Placements of the latest published version per group, in policy order (groups
    that take nobody count 0)."""
    if not row.published_version:
        return []
    taken = Counter(a.group for a in arrivals(session, row))
    groups = rounds.policy_of(row).arrival_groups
    if not groups:
        return [ArrivalGroupCount(name=None, date=None, placed=taken[None])]
    return [ArrivalGroupCount(name=g.name, date=g.date, placed=taken[g.name]) for g in groups]


def _day(value: dt.datetime) -> dt.date:
    """The day in Japan of a timestamp (SQLite hands back naive ones, written in UTC)."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return aware.astimezone(JAPAN).date()
