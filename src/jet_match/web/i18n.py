"""Japanese and English for the workspace: catalogs, the request's language, dates, places.

Messages are gettext catalogs (`locale/{ja,en}/LC_MESSAGES/messages.po`, edited by
translators, refreshed by `make messages`). They are read with Babel's `read_po` when
this module is imported, so neither `make run` nor `make test` needs a compile step.
The message ids are the English text; an empty translation falls back to the id.

Which language a request gets (`choose_locale`): the signed-in user's setting, else the
`jm_lang` cookie set by the language switch, else the browser's `Accept-Language`,
else English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from jet_match.dataset.reference import PREFECTURE_BY_CODE

LOCALES = ("ja", "en")
#: Dates and times are shown in Japan's time zone, where the section and hosts work.
JAPAN = ZoneInfo("Asia/Tokyo")
DEFAULT_LOCALE = "en"
LANGUAGE_COOKIE = "jm_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
#: How each language names itself in the switch.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


def N_(message: str) -> str:  # noqa: N802 -- the gettext name extraction looks for
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


@cache
def catalog(locale: str) -> Catalog:
    """The locale's catalog, read from its .po file once per process."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@dataclass(frozen=True, slots=True)
class Translator:
    """Everything a page needs to speak one language: messages, dates, numbers, places."""

    locale: str

    def gettext(self, message: str, **variables: object) -> str:
        """The translation of `message` (itself when there is none), `%(name)s` filled in."""
        entry = catalog(self.locale).get(message)
        text = message
        if entry is not None and entry.string and not entry.fuzzy:
            text = entry.string if isinstance(entry.string, str) else entry.string[0]
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural translation for `n` (Japanese has one form)."""
        entry = catalog(self.locale).get(singular)
        if entry is not None and not entry.fuzzy and isinstance(entry.string, tuple | list):
            forms = [form for form in entry.string if form]
            if forms:
                index = 0 if n == 1 or len(forms) == 1 else 1
                return forms[min(index, len(forms) - 1)]
        return singular if n == 1 else plural

    def date(self, value: date | datetime | None) -> str:
        """A date in the locale's medium format (2026年12月3日 / Dec 3, 2026)."""
        if value is None:
            return ""
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: datetime | None) -> str:
        """A moment in the locale's medium format, in Japan's time zone."""
        if value is None:
            return ""
        return format_datetime(value, format="medium", tzinfo=JAPAN, locale=self.locale)

    def number(self, value: float | int | None) -> str:
        """A number with the locale's grouping."""
        return "" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        """A fraction as a percentage (0.953 -> 95%)."""
        return "" if value is None else format_percent(value, locale=self.locale)

    def prefecture(self, code: int | None) -> str:
        """A prefecture's name: 青森県 in Japanese, Aomori in English."""
        if code is None or code not in PREFECTURE_BY_CODE:
            return "" if code is None else str(code)
        place = PREFECTURE_BY_CODE[code]
        return place.kanji if self.locale == "ja" else place.romaji

    def organization_name(self, name: str, name_ja: str | None) -> str:
        """An organization by its Japanese name in Japanese (when it has one)."""
        return name_ja if self.locale == "ja" and name_ja else name


def translator(locale: str) -> Translator:
    """The translator of a supported locale (English for any other)."""
    return Translator(locale if locale in LOCALES else DEFAULT_LOCALE)


def choose_locale(
    *, user_locale: str | None, cookie: str | None, accept_language: str | None
) -> str:
    """The request's language: the user's setting, the switch's cookie, the browser, English."""
    for choice in (user_locale, cookie):
        if choice in LOCALES:
            assert choice is not None
            return choice
    if accept_language:
        preferred = [
            part.split(";")[0].strip().replace("-", "_")
            for part in accept_language.split(",")
            if part.strip()
        ]
        found = negotiate_locale(preferred, list(LOCALES), sep="_")
        if found:
            return Locale.parse(found).language
    return DEFAULT_LOCALE
