"""What a round's pages share: the names of the choices, a page's address, how many rows
a page shows, and a comparison's changes with the people's and places' names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from jet_match.schemas.review import Comparison
from jet_match.services.rounds import plan_table
from jet_match.web.i18n import N_, Translator
from jet_match.web.pages import APP_PREFIX, Page

MOVED_PER_PAGE = 50
RUNS_SHOWN = 10

choice_names = {
    "first": N_("1st choice"),
    "second": N_("2nd choice"),
    "third": N_("3rd choice"),
    "same_region": N_("Same region"),
    "elsewhere": N_("Elsewhere"),
    "unplaced": N_("Unplaced"),
}


def round_url(round_id: str, *parts: str) -> str:
    """The address of a round's page (`parts` below it)."""
    return "/".join((f"{APP_PREFIX}/rounds/{round_id}", *parts))


@dataclass(frozen=True)
class Change:
    """One participant placed differently from the last publication, with names."""

    participant: str
    name: str
    kind: str  # added, moved, removed
    before: str | None
    after: str | None


def place_text(t: Translator, place: plan_table.PlaceName | None, opening: str | None) -> str:
    """An opening as a person reads it: organization, prefecture and id."""
    if opening is None:
        return "—"
    if place is None:
        return opening
    name = t.organization_name(place.organization_name, place.organization_name_ja)
    return f"{name} · {t.prefecture(place.prefecture)} ({opening})"


def changes_between(
    page: Page, session: Session, comparison: Comparison, offset: int, limit: int
) -> list[Change]:
    """The participants placed differently in the two plans (a page of them), with names."""
    moved = comparison.moved[offset : offset + limit]
    named = plan_table.names(
        session=session,
        caller=page.caller,
        participants=[m.participant for m in moved],
        openings=[o for m in moved for o in (m.a, m.b) if o],
    )
    out = []
    for item in moved:
        kind = "added" if item.a is None else "removed" if item.b is None else "moved"
        out.append(
            Change(
                participant=item.participant,
                name=named.people.get(item.participant, ""),
                kind=kind,
                before=place_text(page.t, named.places.get(item.a or ""), item.a),
                after=place_text(page.t, named.places.get(item.b or ""), item.b),
            )
        )
    return out
