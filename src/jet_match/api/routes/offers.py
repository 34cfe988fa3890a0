"""Offers: vacancies after publication offered to alternates, and their answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from jet_match.api.deps import (
    IdempotencyDep,
    IfMatch,
    OfferPath,
    PageDep,
    RoundPath,
    SessionDep,
    allowed,
)
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.common import Page
from jet_match.schemas.offers import OfferCreate, OfferDecision, OfferPublic
from jet_match.services.kit.access import Action, Caller
from jet_match.services.season import offer_answers, offers
from jet_match.statuses import OfferStatus

router = APIRouter(tags=["offers"])

Reader = Annotated[Caller, Depends(allowed(Action.ROUNDS_READ))]
Writer = Annotated[Caller, Depends(allowed(Action.ROUNDS_WRITE))]

ANSWER_RESPONSES = {
    **documented(200, "The answer recorded; the offer's new ETag."),
    **responses(401, 403, 404, 409, 412, 422, 428),
}


@router.get(
    "/rounds/{round_id}/offers",
    response_model=Page[OfferPublic],
    responses=responses(401, 403, 404, 422),
)
def list_offers(
    round_id: RoundPath,
    session: SessionDep,
    caller: Reader,
    page: PageDep,
    status: Annotated[OfferStatus | None, Query(description="Only offers in this state.")] = None,
) -> Page[OfferPublic]:
    """The round's offers, oldest first (coordinators)."""
    return offers.list_offers(
        session=session, caller=caller, round_id=round_id, status=status, page=page
    )


@router.post(
    "/rounds/{round_id}/offers",
    response_model=OfferPublic,
    status_code=201,
    responses={
        **documented(201, "The offer made; its ETag."),
        200: {"description": "A dry run: who the offer would go to (nothing is written)."},
        **responses(401, 403, 404, 409, 422),
    },
)
def make_offer(
    round_id: RoundPath,
    offer_in: OfferCreate,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
    dry_run: Annotated[bool, Query(description="Only say who would be offered it.")] = False,
) -> OfferPublic:
    """Offer a vacant opening to the next eligible alternate.

    The best-ranked alternate eligible for the opening by the solver's rules whose place
    there keeps the plan's hard rules (a couple of alternates is offered two places or
    none), who holds no other live offer and never declined this opening. The offer
    expires after `expires_in_days` (the round's policy, 7 days unless set). 409 when the
    opening has no place left to offer or nobody is eligible. `dry_run=true` answers who
    it would be. Takes an Idempotency-Key.
    """
    written = offers.make_offer(
        session=session,
        caller=caller,
        round_id=round_id,
        offer_in=offer_in,
        idempotency=idempotency,
        dry_run=dry_run,
    )
    resource = with_headers(response, written)
    if resource.id is not None:
        response.headers["Location"] = f"/api/v1/offers/{resource.id}"
    return resource


@router.get(
    "/offers/{offer_id}",
    response_model=OfferPublic,
    responses={**documented(200, "The offer; its ETag."), **responses(401, 403, 404, 422)},
)
def get_offer(
    offer_id: OfferPath, session: SessionDep, caller: Reader, response: Response
) -> OfferPublic:
    """One offer (coordinators)."""
    return with_headers(
        response, offers.get_offer(session=session, caller=caller, offer_id=offer_id)
    )


@router.post("/offers/{offer_id}/accept", response_model=OfferDecision, responses=ANSWER_RESPONSES)
def accept_offer(
    offer_id: OfferPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
    if_match: IfMatch = None,
) -> OfferDecision:
    """Record that the alternate accepts.

    The alternate becomes shortlisted and is pinned at the opening in the working plan;
    the round is then `amended`: publish it as the next version. Needs `If-Match` with
    the offer's ETag: of two answers to one offer, one wins (412 for the other). 409 when
    the offer is no longer open, has expired, or its place is gone.
    """
    written = offer_answers.accept_offer(
        session=session,
        caller=caller,
        offer_id=offer_id,
        if_match=if_match,
        idempotency=idempotency,
    )
    return with_headers(response, written)


@router.post("/offers/{offer_id}/decline", response_model=OfferDecision, responses=ANSWER_RESPONSES)
def decline_offer(
    offer_id: OfferPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
    if_match: IfMatch = None,
) -> OfferDecision:
    """Record that the alternate declines.

    They are never offered this opening again; the place is offered at once to the next
    eligible alternate (`next_offer`, null when nobody is). Needs `If-Match`.
    """
    written = offer_answers.decline_offer(
        session=session,
        caller=caller,
        offer_id=offer_id,
        if_match=if_match,
        idempotency=idempotency,
    )
    return with_headers(response, written)


@router.post(
    "/offers/{offer_id}/withdraw", response_model=OfferDecision, responses=ANSWER_RESPONSES
)
def withdraw_offer(
    offer_id: OfferPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    idempotency: IdempotencyDep,
    if_match: IfMatch = None,
) -> OfferDecision:
    """Take an open offer back.

    The place can be offered again (to the same alternate too). Needs `If-Match`.
    """
    written = offer_answers.withdraw_offer(
        session=session,
        caller=caller,
        offer_id=offer_id,
        if_match=if_match,
        idempotency=idempotency,
    )
    return with_headers(response, written)
