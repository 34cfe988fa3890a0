"""A participant in a round (coordinators): who they are, why they are placed where they
are, their alternatives, and the changes a coordinator makes to their placement.

A move is made in two steps, as the API's rules are: the preview (`adjustments.preview_change`,
the same assessment `change_placement` makes, nothing saved) shows the rules the move
would break and its objective change, and a confirm form carrying the plan version the
preview was made on (and, when a rule breaks, an override reason). Every action calls
the REST API's services with the signed-in caller: the same rules, audit and versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from jet_match.api.deps import PreparedProblemsDep, SessionDep
from jet_match.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    InvalidInput,
    PreconditionFailed,
)
from jet_match.schemas.plans import ForbiddenCreate, PlanChange
from jet_match.schemas.review import Explanation
from jet_match.schemas.withdrawals import WithdrawalRequest
from jet_match.services.records import organizations, participants
from jet_match.services.rounds import adjustments, forbidden, review, rounds, withdrawals
from jet_match.statuses import WithdrawalReason
from jet_match.web import labels, rule_labels
from jet_match.web.forms import STALE, if_match, refusal_messages, version_of
from jet_match.web.i18n import N_
from jet_match.web.pages import APP_PREFIX, Page
from jet_match.web.round_pages import InRound, RecordPath, RoundIdPath, Writer
from jet_match.web.rule_labels import rule_names

router = APIRouter(prefix="/rounds/{round_id}/participants/{participant}")


ALTERNATIVES = 10
MAX_REASON = 500
PINNED_FIRST = N_("The participant is pinned there: unpin the placement first.")
REASON_REQUIRED = N_("Give a reason.")
REASON_TOO_LONG = N_("The reason is too long (500 characters at most).")
UNKNOWN_KIND = N_("Choose a kind of reason from the list.")


def _url(round_id: str, participant: str, *parts: str) -> str:
    return "/".join((f"{APP_PREFIX}/rounds/{round_id}/participants/{participant}", *parts))


def _organization_names(page: Page, session: SessionDep, ids: set[str]) -> dict[str, str]:
    """Organization external_id -> its name in the user's language."""
    names = {}
    for external_id in sorted(ids):
        found = organizations.get_organization(
            session=session, caller=page.caller, external_id=external_id
        ).resource
        names[external_id] = page.t.organization_name(found.name, found.name_ja)
    return names


def _reasons(page: Page, explanation: Explanation, organization_of: dict[str, str]) -> list[str]:
    """Why not each alternative, as sentences in the user's language (numbers kept)."""
    _ = page.t.gettext
    sentences = []
    for alternative in explanation.alternatives:
        where = organization_of.get(alternative.organization, alternative.organization)
        if not alternative.eligible:
            rules = ", ".join(_(rule_names.get(r, r)) for r in alternative.failed_rules)
            sentences.append(
                _(
                    "%(opening)s (%(organization)s) is not possible: %(rules)s.",
                    opening=alternative.opening,
                    organization=where,
                    rules=rules,
                )
            )
        elif alternative.taken_by:
            holders = ", ".join(
                _("%(participant)s (score %(score)s)", participant=h.participant, score=h.score)
                for h in alternative.taken_by
            )
            sentences.append(
                _(
                    "%(opening)s (%(organization)s) is full: it is held by %(holders)s.",
                    opening=alternative.opening,
                    organization=where,
                    holders=holders,
                )
            )
        else:
            sentences.append(
                _(
                    "%(opening)s (%(organization)s) has a free place.",
                    opening=alternative.opening,
                    organization=where,
                )
            )
    return sentences


@dataclass(frozen=True, slots=True)
class Here(InRound):
    """The page being answered: who asks, about which participant of which round."""

    participant: str

    def show(
        self,
        *,
        status_code: int = 200,
        notice: str | None = None,
        errors: dict[str, str] | None = None,
        preview: adjustments.ChangePreview | None = None,
        form: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        """The participant's page with the plan as it is now (and a preview, if any)."""
        page, session = self.page, self.session
        round_ = rounds.get_round(session=session, caller=page.caller, external_id=self.round_id)
        person = participants.get_participant(
            session=session, caller=page.caller, external_id=self.participant
        ).resource
        explanation = review.explanation(
            session=session,
            caller=page.caller,
            round_id=self.round_id,
            participant_id=self.participant,
            alternatives=ALTERNATIVES,
        )
        placement = explanation.placement
        ids = {a.organization for a in explanation.alternatives}
        if placement is not None:
            ids.add(placement.organization)
        organization_of = _organization_names(page, session, ids)
        _ = page.t.gettext
        choices = [
            (
                a.opening,
                f"{a.opening} · {organization_of[a.organization]} · "
                + (_("eligible") if a.eligible else _("not eligible")),
            )
            for a in explanation.alternatives
        ]
        return page.render(
            "participant.html",
            status_code=status_code,
            round=round_.resource,
            version=version_of(round_.etag),
            person=person,
            explanation=explanation,
            placement=placement,
            organization_of=organization_of,
            reasons=_reasons(page, explanation, organization_of),
            why_unplaced=rule_labels.unplaced_reasons(page.t, explanation.unplaced_reasons),
            choices=choices,
            notice=notice,
            errors=errors or {},
            preview=preview,
            preview_version=version_of(preview.etag) if preview else "",
            form=form or {},
            rule_names=rule_names,
            term_names=rule_labels.term_names,
            participant_status_names=rule_labels.participant_status_names,
            source_names=rule_labels.source_names,
            withdrawal_kinds=[
                (kind.value, _(labels.withdrawal_reason_names[kind.value]))
                for kind in WithdrawalReason
            ],
        )

    def stale(self) -> HTMLResponse:
        """The page with the current plan and "changed since you opened it" (412)."""
        return self.show(status_code=412, notice=self.page.t.gettext(STALE))

    def refused(
        self, error: ValidationError | DomainError, field: str, form: dict[str, Any] | None = None
    ) -> HTMLResponse:
        """The page with the refusal's messages by field (422)."""
        messages = refusal_messages(self.page.t, error, default_field=field)
        if "opening" in messages and field != "opening":
            messages[field] = messages.pop("opening")
        return self.show(status_code=422, errors=messages, form=form)

    def back(self) -> Response:
        """After a change: the participant's page (303)."""
        return self.page.redirect(_url(self.round_id, self.participant))


def _here(
    page: Writer,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundIdPath,
    participant: RecordPath,
) -> Here:
    return Here(page, session, prepared, round_id, participant)


HereDep = Annotated[Here, Depends(_here)]


@router.get("", response_class=HTMLResponse)
def participant_page(here: HereDep) -> HTMLResponse:
    """The participant, their placement explained, alternatives and the change forms."""
    return here.show()


def _chosen_opening(form: Any) -> str | None:
    """The opening typed in, else the one chosen in the list (None: unassign)."""
    typed = str(form.get("opening_id", "")).strip()
    return typed or str(form.get("opening", "")).strip() or None


@router.post("/preview", response_class=HTMLResponse)
async def preview_move(request: Request, here: HereDep) -> HTMLResponse:
    """What moving the participant would do: rules broken, objective change; nothing saved."""
    form = await request.form()
    values = {"opening": _chosen_opening(form), "pinned": form.get("pinned") == "on"}
    try:
        preview = adjustments.preview_change(
            session=here.session,
            caller=here.page.caller,
            round_id=here.round_id,
            participant_id=here.participant,
            change=PlanChange.model_validate(values),
        )
    except (ValidationError, InvalidInput) as refused:
        return here.refused(refused, "opening", values)
    return here.show(preview=preview, form=values)


async def _change(request: Request, here: Here, values: dict[str, Any]) -> Response:
    """Make a change through `adjustments.change_placement`; a stale form shows the current plan."""
    form = await request.form()
    reason = str(form.get("override_reason", "")).strip() or None
    values = {**values, "override_reason": reason}
    try:
        adjustments.change_placement(
            session=here.session,
            caller=here.page.caller,
            round_id=here.round_id,
            participant_id=here.participant,
            change=PlanChange.model_validate(values),
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        return here.stale()
    except (ValidationError, InvalidInput) as refused:
        return here.refused(refused, "opening", values)
    return here.back()


@router.post("/move", response_class=HTMLResponse)
async def move(request: Request, here: HereDep) -> Response:
    """Save the previewed move (with an override reason when it breaks a rule)."""
    form = await request.form()
    values = {"opening": _chosen_opening(form), "pinned": form.get("pinned") == "on"}
    return await _change(request, here, values)


@router.post("/pin", response_class=HTMLResponse)
async def pin(request: Request, here: HereDep) -> Response:
    """Pin (or, with pinned off, unpin) the current placement: every re-solve keeps it."""
    form = await request.form()
    values = {"opening": str(form.get("opening", "")) or None, "pinned": form.get("pinned") == "on"}
    return await _change(request, here, values)


@router.post("/unassign", response_class=HTMLResponse)
async def unassign(request: Request, here: HereDep) -> Response:
    """Take the participant out of the plan."""
    return await _change(request, here, {"opening": None, "pinned": False})


@router.post("/forbid", response_class=HTMLResponse)
async def forbid(request: Request, here: HereDep) -> Response:
    """Forbid the participant at an opening: no run of the round will place them there."""
    form = await request.form()
    values = {"participant": here.participant, "opening": str(form.get("forbid_opening", ""))}
    try:
        forbidden.forbid_pair(
            session=here.session,
            caller=here.page.caller,
            round_id=here.round_id,
            pair=ForbiddenCreate.model_validate({**values, "opening": values["opening"].strip()}),
            if_match=if_match(str(form.get("version", ""))),
        )
    except PreconditionFailed:
        return here.stale()
    except Conflict:
        message = here.page.t.gettext(PINNED_FIRST)
        return here.show(status_code=422, errors={"forbid_opening": message})
    except (ValidationError, InvalidInput, AlreadyExists) as refused:
        return here.refused(refused, "forbid_opening")
    return here.back()


@router.post("/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, here: HereDep) -> Response:
    """Withdraw the participant (a reason is required); their place becomes a vacancy."""
    form = await request.form()
    reason = str(form.get("withdraw_reason", "")).strip()
    if not reason or len(reason) > MAX_REASON:
        message = REASON_REQUIRED if not reason else REASON_TOO_LONG
        return here.show(status_code=422, errors={"withdraw_reason": here.page.t.gettext(message)})
    kind = str(form.get("withdraw_kind", "")).strip()
    if kind and kind not in set(WithdrawalReason):
        message = here.page.t.gettext(UNKNOWN_KIND)
        return here.show(status_code=422, errors={"withdraw_kind": message})
    withdrawals.withdraw(
        session=here.session,
        caller=here.page.caller,
        participant_id=here.participant,
        request=WithdrawalRequest(reason=WithdrawalReason(kind) if kind else None),
        reason=reason,
    )
    return here.back()
