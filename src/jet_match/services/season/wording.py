"""Japanese and English for what the season sends to people (placement notices).

Notices are bilingual: every label shows both languages. The English text is the message
id, marked with `N_` so that `make messages` extracts it (babel.cfg reads this folder);
the Japanese comes from the same gettext catalog the workspace uses
(`jet_match/web/locale/ja/LC_MESSAGES/messages.po`), read once per process. Reading a
file of the catalogs does not import the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import jet_match
from jet_match.dataset.reference import PREFECTURE_BY_CODE

CATALOG = Path(jet_match.__file__).parent / "web" / "locale" / "ja" / "LC_MESSAGES" / "messages.po"


def N_(message: str) -> str:  # noqa: N802 -- the gettext name extraction looks for
    """Mark a message for extraction; `japanese` translates it where it is shown."""
    return message


@cache
def _catalog() -> Catalog:
    with CATALOG.open("rb") as file:
        return read_po(file, locale="ja")


def japanese(message: str) -> str:
    """The Japanese of an English message (the English itself when none is given)."""
    entry = _catalog().get(message)
    if entry is not None and entry.string and not entry.fuzzy:
        return entry.string if isinstance(entry.string, str) else entry.string[0]
    return message


@dataclass(frozen=True, slots=True)
class Both:
    """A label in both languages."""

    ja: str
    en: str

    @property
    def text(self) -> str:
        """Both on one line, Japanese first (sheet headers)."""
        return f"{self.ja} / {self.en}"


def both(message: str) -> Both:
    """A marked message in Japanese and English."""
    return Both(japanese(message), message)


def prefecture(code: int) -> Both:
    """A prefecture's name in both languages (青森県 / Aomori)."""
    place = PREFECTURE_BY_CODE.get(code)
    return Both(place.kanji, place.romaji) if place else Both(str(code), str(code))


#: Every label a notice shows, by name.
LABELS = {
    "title": N_("Placement notice"),
    "reissue": N_("Placement notice (re-issue: changes only)"),
    "round": N_("Round"),
    "version": N_("Published version"),
    "since": N_("Changes since version"),
    "issued": N_("Issued"),
    "issued_by": N_("Issued by"),
    "organization": N_("Host organization"),
    "country": N_("Sending country"),
    "participant": N_("Participant"),
    "name": N_("Name"),
    "citizenship": N_("Citizenship"),
    "position": N_("Position"),
    "opening": N_("Opening"),
    "prefecture": N_("Prefecture"),
    "group": N_("Arrival group"),
    "arrives_on": N_("Arrival date"),
    "change": N_("Change"),
    "added": N_("Added"),
    "removed": N_("Removed"),
    "changed": N_("Changed"),
    "previous": N_("Before"),
    "nobody": N_("Nobody is placed."),
    "no_change": N_("Nothing changed since the last issue."),
    "history": N_("Issues of this notice"),
}
