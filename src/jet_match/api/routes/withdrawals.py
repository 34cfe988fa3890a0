"""Withdrawals and alternates: free a place, then upgrade alternates into the vacancies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from jet_match.api.deps import ExternalIdPath, IfMatch, RoundPath, SessionDep, allowed
from jet_match.api.problems import responses
from jet_match.api.responses import documented, with_headers
from jet_match.schemas.vacancies import Amendment
from jet_match.schemas.withdrawals import Withdrawal, WithdrawalRequest
from jet_match.services.kit.access import Action, Caller
from jet_match.services.rounds import vacancies, withdrawals

router = APIRouter(tags=["withdrawals"])

ParticipantWriter = Annotated[Caller, Depends(allowed(Action.PARTICIPANTS_WRITE))]
Writer = Annotated[Caller, Depends(allowed(Action.ROUNDS_WRITE))]


@router.post(
    "/participants/{participant_id}/withdraw",
    response_model=Withdrawal,
    responses=responses(401, 403, 404, 422),
)
def withdraw_participant(
    participant_id: ExternalIdPath,
    session: SessionDep,
    caller: ParticipantWriter,
    request: Annotated[WithdrawalRequest | None, Body()] = None,
) -> Withdrawal:
    """Withdraw a participant.

    Sets the status to `withdrawn`, records the day and the optional reason (personal,
    health, family, other_offer, visa, other) and note, and frees their place in the
    working plan of every open round (each becomes a vacancy for offers and
    fill-vacancies; published versions do not change until the amended plan is
    published). Idempotent, so it takes no If-Match: withdrawing twice changes nothing
    (`already_withdrawn`).
    """
    return withdrawals.withdraw(
        session=session, caller=caller, participant_id=participant_id, request=request
    )


@router.post(
    "/rounds/{round_id}/fill-vacancies",
    response_model=Amendment,
    responses={
        **documented(200, "The amendment; the round's new ETag."),
        **responses(401, 403, 404, 409, 412, 422, 428),
    },
)
def fill_vacancies(
    round_id: RoundPath,
    session: SessionDep,
    caller: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> Amendment:
    """Upgrade alternates into the vacancies.

    A vacancy is a place the latest publication filled and the working plan no longer
    does. Alternates of the round's positions, in `alternate_rank` order, each take the
    best-scoring vacancy they are eligible for (keeping capacity, couples and the country
    cap; two alternates who are partners are placed together or not at all); everybody
    else stays. The answer lists the changes (the amendment) and the vacancies nobody
    could take; publish to make it the next version. Needs `If-Match`.
    """
    written = vacancies.fill_vacancies(
        session=session, caller=caller, round_id=round_id, if_match=if_match
    )
    return with_headers(response, written)
