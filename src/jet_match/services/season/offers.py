"""Offers: a vacancy after publication is offered to the next eligible alternate.

A vacancy (a place the latest publication filled and the working plan no longer does:
a withdrawal, a host's change) is offered to the best-ranked alternate *eligible for
that opening* by the solver's own rules, whose place there keeps the plan's hard rules
(capacity, couples, the country cap): `vacancies.next_candidate`, the same choice
fill-vacancies makes, for one opening. A couple of alternates is offered two places at
once (this opening and, for the partner, a place that keeps their constraint), or none.

Invariants:
- an alternate holds at most one live (open) offer: the unique `live_participant_id` /
  `live_partner_id` columns hold while two requests race;
- open offers never promise more places than an opening has vacant;
- an alternate who declined an opening (or let its offer expire) is never offered that
  opening again;
- accepting pins the alternate at the opening in the working plan (the round becomes
  `amended`, ready to publish); declining or expiring passes the offer on to the next
  eligible alternate at once; the worker expires offers past their time (all of them,
  however long it was down) and, when the round's policy says so, makes first offers.

This module reads offers, makes them and holds what answers and expiries share (closing
an offer, passing its place on); `offer_answers` records accept / decline / withdraw,
`offer_expiry` is the worker's part. Accept, decline and withdraw compare-and-swap on the
offer's version (its ETag, sent as If-Match), so of two answers to one offer exactly one
wins; each write may carry an Idempotency-Key. The four moments other features hook into
are one function each: `offers.offer_made`, `offer_answers.offer_accepted`,
`offer_answers.offer_declined`, `offer_expiry.offer_expired`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.errors import Conflict, FieldProblem, InvalidInput, NotFound, PreconditionFailed
from jet_match.schemas.common import Page
from jet_match.schemas.offers import OfferCreate, OfferPublic
from jet_match.services.kit import lookups
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.pagination import PageRequest, paginate
from jet_match.services.kit.writes import (
    IdempotencyKey,
    Written,
    etag_of,
    run_idempotent,
    updated_one,
)
from jet_match.services.notifications import outbox
from jet_match.services.rounds import rounds, vacancies
from jet_match.services.security import audit
from jet_match.statuses import EventKind, OfferStatus, RoundStatus

Offer = models.Offer
#: Offers that close an opening to an alternate for good.
REFUSALS = (OfferStatus.DECLINED.value, OfferStatus.EXPIRED.value)


# --- reading ---------------------------------------------------------------------------


def list_offers(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    status: OfferStatus | None,
    page: PageRequest,
) -> Page[OfferPublic]:
    """The round's offers, oldest first, optionally of one status (coordinators)."""
    authorize(caller, Action.ROUNDS_READ)
    row = rounds.find(session, round_id)
    statement = select(Offer).where(Offer.round_id == row.id)
    if status is not None:
        statement = statement.where(Offer.status == status.value)
    result = paginate(session, statement, col(Offer.id), page, key_type=int)
    return Page(
        items=public_offers(session, [offer for (offer,) in result.rows]),
        next_cursor=result.next_cursor,
    )


def get_offer(*, session: Session, caller: Caller, offer_id: int) -> Written[OfferPublic]:
    """One offer and its ETag (coordinators)."""
    authorize(caller, Action.ROUNDS_READ)
    offer = find(session, offer_id)
    return Written(public_offers(session, [offer])[0], etag_of(offer.version))


def public_offers(session: Session, offers: Sequence[models.Offer]) -> list[OfferPublic]:
    """The offers as the API shows them (external_ids looked up in three queries)."""
    if not offers:
        return []
    people = _names(
        session,
        models.Participant,
        {o.participant_id for o in offers} | {o.partner_id for o in offers if o.partner_id},
    )
    opening_ids = {o.opening_id for o in offers} | {
        o.partner_opening_id for o in offers if o.partner_opening_id
    }
    openings = dict(
        session.execute(
            select(models.Opening.id, models.Opening.external_id).where(
                col(models.Opening.id).in_(opening_ids)
            )
        ).all()
    )
    organizations = dict(
        session.execute(
            select(models.Opening.id, models.Organization.external_id)
            .join(
                models.Organization,
                col(models.Organization.id) == models.Opening.organization_id,
            )
            .where(col(models.Opening.id).in_(opening_ids))
        ).all()
    )
    round_ids = {o.round_id for o in offers}
    round_names = _names(session, models.Round, round_ids)
    return [
        OfferPublic(
            id=o.id,
            round=round_names[o.round_id],
            opening=openings[o.opening_id],
            organization=organizations[o.opening_id],
            participant=people[o.participant_id],
            alternate_rank=o.alternate_rank,
            partner=people[o.partner_id] if o.partner_id else None,
            partner_opening=openings[o.partner_opening_id] if o.partner_opening_id else None,
            score=o.score,
            status=OfferStatus(o.status),
            automatic=o.automatic,
            expires_at=o.expires_at,
            made_by=o.made_by,
            created_at=o.created_at,
            decided_by=o.decided_by,
            decided_at=o.decided_at,
            follows=o.follows_id,
        )
        for o in offers
    ]


def _names(
    session: Session, table: type[models.Participant] | type[models.Round], ids: set[int]
) -> dict[int, str]:
    return dict(
        session.execute(select(table.id, table.external_id).where(col(table.id).in_(ids))).all()
    )


def find(session: Session, offer_id: int) -> models.Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    return offer


# --- making offers -----------------------------------------------------------------------


def make_offer(
    *,
    session: Session,
    caller: Caller,
    round_id: str,
    offer_in: OfferCreate,
    idempotency: IdempotencyKey | None = None,
    dry_run: bool = False,
) -> Written[OfferPublic]:
    """Offer a vacant opening to the next eligible alternate (coordinators); `dry_run`
    answers who it would be and changes nothing. 409 when the opening has no free place
    or nobody eligible is left."""
    authorize(caller, Action.ROUNDS_WRITE)
    row = rounds.find(session, round_id)
    rounds.ensure_open(row)
    opening = session.scalars(
        select(models.Opening).where(models.Opening.external_id == offer_in.opening)
    ).first()
    if opening is None or opening.position not in row.positions:
        message = (
            f"no opening '{offer_in.opening}'"
            if opening is None
            else f"opening '{offer_in.opening}' is not of the round's positions"
        )
        code = "unknown_opening" if opening is None else "outside_round"
        raise InvalidInput(message, [FieldProblem("offer", None, "opening", code, message)])
    days = offer_in.expires_in_days or rounds.policy_of(row).offers.expiry_days

    def produce() -> Written[OfferPublic]:
        lock(session, row)
        made = offer_next(
            session, caller, row, offer_in.opening, days=days, automatic=False, dry_run=dry_run
        )
        if made is None:
            raise Conflict(_nobody(session, row, offer_in.opening))
        if dry_run:
            session.rollback()
            return Written(made, None, 200)
        assert made.id is not None
        stored = find(session, made.id)
        return Written(made, etag_of(stored.version), status_code=201)

    if dry_run:
        return produce()
    return run_idempotent(
        session=session,
        caller=caller,
        idempotency=idempotency,
        operation="offer.make",
        payload=f"{round_id}|{offer_in.model_dump_json()}".encode(),
        answer_model=OfferPublic,
        produce=produce,
    )


def _nobody(session: Session, row: models.Round, opening: str) -> str:
    if free_places(session, row).get(opening, 0) <= 0:
        return (
            f"opening '{opening}' has no vacant place to offer in round '{row.external_id}' "
            "(none, or every one is offered already)"
        )
    return f"no alternate left is eligible for opening '{opening}' (or fits the plan's rules)"


def offer_next(
    session: Session,
    caller: Caller,
    row: models.Round,
    opening: str,
    *,
    days: int,
    automatic: bool,
    follows: models.Offer | None = None,
    dry_run: bool = False,
) -> OfferPublic | None:
    """Offer `opening` to the next eligible alternate (flushed, not committed); None when
    the opening has no free place or nobody is eligible."""
    places = free_places(session, row)
    if places.get(opening, 0) <= 0:
        return None
    assert row.id is not None
    candidate = vacancies.next_candidate(
        session, row, opening, places=places, passed_over=_passed_over(session, row, opening)
    )
    if candidate is None:
        return None
    first = candidate.members[0]
    partner = candidate.members[1] if len(candidate.members) > 1 else None
    assert first.id is not None
    offer = Offer(
        round_id=row.id,
        participant_id=first.id,
        opening_id=candidate.places[0].opening_id,
        partner_id=partner.id if partner else None,
        partner_opening_id=candidate.places[1].opening_id if partner else None,
        live_participant_id=first.id,
        live_partner_id=partner.id if partner else None,
        alternate_rank=first.alternate_rank,
        score=candidate.reports[0].score,
        status=OfferStatus.OPEN.value,
        automatic=automatic,
        expires_at=models.utcnow() + timedelta(days=days),
        made_by=caller.actor,
        follows_id=follows.id if follows else None,
    )
    session.add(offer)
    session.flush()
    if not dry_run:
        offer_made(session, caller, row, offer, candidate.members, candidate.places)
    answer = public_offers(session, [offer])[0]
    if dry_run:
        answer = answer.model_copy(update={"id": None})
    return answer


def offer_made(
    session: Session,
    caller: Caller,
    row: models.Round,
    offer: models.Offer,
    members: Sequence[models.Participant],
    places: Sequence[rounds.Vacancy],
) -> None:
    """An offer was made (by a coordinator, the policy, or passed on): audited here, and
    the place for anything else that must follow (a notification)."""
    audit.record(
        session,
        caller,
        "offer.make",
        "round",
        row.external_id,
        offer=offer.id,
        participants=[m.external_id for m in members],
        openings=[p.opening for p in places],
        alternate_rank=offer.alternate_rank,
        expires_at=offer.expires_at.isoformat(),
        follows=offer.follows_id,
        automatic=offer.automatic,
    )
    record_offer_event(session, EventKind.OFFER_MADE, row, offer)


_STATUS_OF = {
    EventKind.OFFER_MADE: OfferStatus.OPEN,
    EventKind.OFFER_ACCEPTED: OfferStatus.ACCEPTED,
    EventKind.OFFER_DECLINED: OfferStatus.DECLINED,
    EventKind.OFFER_EXPIRED: OfferStatus.EXPIRED,
}


def record_offer_event(session: Session, kind: EventKind, row: models.Round, offer: Offer) -> None:
    """Write `offer.*` into the outbox, in the transaction of the offer's change: one event
    per organization whose opening is offered (a couple's two places may be at two), with
    the offer, the round, its openings and alternates and the offer's status and expiry."""
    pairs = [(offer.participant_id, offer.opening_id)]
    if offer.partner_id is not None and offer.partner_opening_id is not None:
        pairs.append((offer.partner_id, offer.partner_opening_id))
    openings = {
        o.id: o
        for o in session.scalars(
            select(models.Opening).where(col(models.Opening.id).in_([o for _, o in pairs]))
        )
    }
    people = {
        p.id: p.external_id
        for p in session.scalars(
            select(models.Participant).where(col(models.Participant.id).in_([p for p, _ in pairs]))
        )
    }
    by_organization: dict[int, list[tuple[str, str]]] = {}
    for participant_id, opening_id in pairs:
        opening = openings[opening_id]
        by_organization.setdefault(opening.organization_id, []).append(
            (opening.external_id, people[participant_id])
        )
    outbox.record_events(
        session=session,
        events=[
            outbox.NewEvent(
                kind,
                organization_id,
                {
                    "offer": offer.id,
                    "round": row.external_id,
                    "opening": places[0][0],
                    "participant": places[0][1],
                    "places": [{"opening": o, "participant": p} for o, p in places],
                    "status": _STATUS_OF[kind].value,
                    "expires_at": offer.expires_at.isoformat(),
                },
            )
            for organization_id, places in sorted(by_organization.items())
        ],
    )


def free_places(session: Session, row: models.Round) -> dict[str, int]:
    """Per vacant opening of the round, the places no open offer holds yet."""
    free = {v.opening: v.places for v in rounds.open_vacancies(session, row)}
    live = session.execute(
        select(Offer.opening_id, Offer.partner_opening_id).where(
            Offer.round_id == row.id, Offer.status == OfferStatus.OPEN.value
        )
    ).all()
    held = [o for pair in live for o in pair if o is not None]
    if held:
        names = dict(
            session.execute(
                select(models.Opening.id, models.Opening.external_id).where(
                    col(models.Opening.id).in_(set(held))
                )
            ).all()
        )
        for opening_id in held:
            name = names[opening_id]
            if name in free:
                free[name] -= 1
    return free


def _passed_over(session: Session, row: models.Round, opening: str) -> set[int]:
    """Alternates not to offer `opening`: those holding a live offer anywhere, and those
    who declined it (or let it expire) before, in any round."""
    live = session.execute(
        select(Offer.live_participant_id, Offer.live_partner_id).where(
            Offer.status == OfferStatus.OPEN.value
        )
    ).all()
    passed = {i for pair in live for i in pair if i is not None}
    opening_id = lookups.find_opening(session, opening).id
    refused = session.execute(
        select(Offer.participant_id, Offer.opening_id, Offer.partner_id, Offer.partner_opening_id)
        .where(col(Offer.status).in_(REFUSALS))
        .where(
            or_(col(Offer.opening_id) == opening_id, col(Offer.partner_opening_id) == opening_id)
        )
    ).all()
    for participant_id, first_opening, partner_id, partner_opening in refused:
        if first_opening == opening_id:
            passed.add(participant_id)
        if partner_id is not None and partner_opening == opening_id:
            passed.add(partner_id)
    return passed


def lock(session: Session, row: models.Round) -> None:
    """Serialize offers of one round (PostgreSQL; SQLite serializes every write)."""
    session.execute(select(models.Round.id).where(models.Round.id == row.id).with_for_update())


# --- closing and passing on (offer_answers and offer_expiry) ----------------------------


def opening_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Openings' external_ids by row id."""
    return dict(
        session.execute(
            select(models.Opening.id, models.Opening.external_id).where(
                col(models.Opening.id).in_(set(ids))
            )
        ).all()
    )


def close(session: Session, caller: Caller, offer: models.Offer, status: OfferStatus) -> int:
    """Close the open offer with `status` if it is still at the version read (412: another
    answer won); the new version."""
    assert offer.id is not None
    new_version = offer.version + 1
    now = models.utcnow()
    changed = session.execute(
        update(Offer)
        .where(
            col(Offer.id) == offer.id,
            col(Offer.version) == offer.version,
            col(Offer.status) == OfferStatus.OPEN.value,
        )
        .values(
            status=status.value,
            live_participant_id=None,
            live_partner_id=None,
            decided_by=caller.actor,
            decided_at=now,
            version=new_version,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not updated_one(changed):
        session.rollback()
        raise PreconditionFailed(
            f"offer {offer.id} was answered by another request meanwhile; read it again"
        )
    session.flush()
    return new_version


def pass_on(
    session: Session, caller: Caller, row: models.Round, offer: models.Offer
) -> OfferPublic | None:
    """After a decline or an expiry: the same opening to the next eligible alternate
    (flushed). A couple's offer passes on each of its places."""
    if row.status == RoundStatus.CLOSED.value:
        return None
    days = rounds.policy_of(row).offers.expiry_days
    opening_ids = [offer.opening_id] + (
        [offer.partner_opening_id] if offer.partner_opening_id else []
    )
    first: OfferPublic | None = None
    for opening in opening_names(session, opening_ids).values():
        made = offer_next(session, caller, row, opening, days=days, automatic=True, follows=offer)
        first = first or made
    return first


def aware(value: datetime) -> datetime:
    """A stored timestamp, timezone-aware (SQLite hands back naive ones, written in UTC)."""
    return value.replace(tzinfo=models.utcnow().tzinfo) if value.tzinfo is None else value
