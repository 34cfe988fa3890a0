"""An opening in a round (coordinators): the opening, who is placed there, the ranked
candidates, the round's vacancies, and filling them with alternates after a preview.

Filling is the REST fill-vacancies service: its dry run (`dry_run=True`) answers the
amendment it would make, with the round's version; the confirm form carries that
version, so a plan changed in between is refused ("changed since you opened it").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from jet_match.api.deps import PreparedProblemsDep, SessionDep
from jet_match.errors import PreconditionFailed
from jet_match.schemas.vacancies import Amendment
from jet_match.services.kit.pagination import PageRequest
from jet_match.services.kit.writes import Written
from jet_match.services.records import openings, organizations
from jet_match.services.rounds import plan_table, plans, review, rounds, vacancies
from jet_match.web.forms import STALE, if_match, version_of
from jet_match.web.pages import APP_PREFIX
from jet_match.web.round_pages import InRound, RecordPath, RoundIdPath, Writer
from jet_match.web.rule_labels import rule_names

router = APIRouter(prefix="/rounds/{round_id}/openings/{opening}")


CANDIDATES_PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class Here(InRound):
    """The page being answered: who asks, about which opening of which round."""

    opening: str

    def show(
        self,
        *,
        status_code: int = 200,
        notice: str | None = None,
        cursor: str | None = None,
        amendment: Amendment | None = None,
        amendment_version: str = "",
    ) -> HTMLResponse:
        """The opening's page as the round is now (and a filling's preview, if any)."""
        page, session = self.page, self.session
        round_ = rounds.get_round(session=session, caller=page.caller, external_id=self.round_id)
        opening = openings.get_opening(
            session=session, caller=page.caller, external_id=self.opening
        ).resource
        organization = organizations.get_organization(
            session=session, caller=page.caller, external_id=opening.organization
        ).resource
        placed = plans.get_plan(
            session=session,
            caller=page.caller,
            round_id=self.round_id,
            filters=plans.PlanFilter(opening=self.opening),
            page=PageRequest(None, opening.slots + 10),
        ).resource
        candidates = review.candidates(
            session=session,
            caller=page.caller,
            prepared=self.prepared,
            round_id=self.round_id,
            opening_id=self.opening,
            filters=review.CandidateFilter(),
            page=PageRequest(cursor, CANDIDATES_PER_PAGE),
        )
        # People read names, not ids: the placed, the candidates and a filling's alternates
        # and whom they replace; where each candidate and alternate goes (one audited read,
        # as on the comparison page).
        filled = amendment.changes if amendment is not None else []
        named = plan_table.names(
            session=session,
            caller=page.caller,
            participants=[i.participant for i in placed.items]
            + [c.participant for c in candidates.items]
            + [p for c in filled for p in (c.participant, c.replaces) if p],
            openings=[c.current_opening for c in candidates.items if c.current_opening]
            + [c.opening for c in filled],
        )
        return page.render(
            "round_opening.html",
            status_code=status_code,
            round=round_.resource,
            version=version_of(round_.etag),
            opening=opening,
            organization=organization,
            placed=placed.items,
            candidates=candidates,
            notice=notice,
            amendment=amendment,
            amendment_version=amendment_version,
            rule_names=rule_names,
            names=named.people,
            places=named.places,
        )

    def fill(self, version: str, *, dry_run: bool) -> Written[Amendment] | Response:
        """The fill-vacancies service; a stale version shows the current state (412)."""
        try:
            written = vacancies.fill_vacancies(
                session=self.session,
                caller=self.page.caller,
                round_id=self.round_id,
                if_match=if_match(version),
                dry_run=dry_run,
            )
        except PreconditionFailed:
            return self.show(status_code=412, notice=self.page.t.gettext(STALE))
        return written


def _here(
    page: Writer,
    session: SessionDep,
    prepared: PreparedProblemsDep,
    round_id: RoundIdPath,
    opening: RecordPath,
) -> Here:
    return Here(page, session, prepared, round_id, opening)


HereDep = Annotated[Here, Depends(_here)]


@router.get("", response_class=HTMLResponse)
def opening_page(
    here: HereDep, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> HTMLResponse:
    """The opening in the round: who is placed, candidates (paged), vacancies."""
    return here.show(cursor=cursor)


@router.post("/fill/preview", response_class=HTMLResponse)
async def preview_filling(request: Request, here: HereDep) -> Response:
    """Which alternates filling the vacancies would place where; nothing saved."""
    form = await request.form()
    planned = here.fill(str(form.get("version", "")), dry_run=True)
    if isinstance(planned, Response):
        return planned
    return here.show(amendment=planned.resource, amendment_version=version_of(planned.etag))


@router.post("/fill", response_class=HTMLResponse)
async def fill(request: Request, here: HereDep) -> Response:
    """Fill the vacancies with alternates, as previewed."""
    form = await request.form()
    made = here.fill(str(form.get("version", "")), dry_run=False)
    if isinstance(made, Response):
        return made
    return here.page.redirect(f"{APP_PREFIX}/rounds/{here.round_id}/openings/{here.opening}")
