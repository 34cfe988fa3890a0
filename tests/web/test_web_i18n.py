"""Japanese and English: complete catalogs, the language a request gets, dates and places."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from jet_match import web
from jet_match.web.i18n import catalog, choose_locale, translator

WEB = Path(web.__file__).parent


def messages_in_the_code() -> set[str]:
    """Every message the pages and templates mark, as `make messages` extracts them."""
    found = extract_from_dir(
        str(WEB),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={**DEFAULT_KEYWORDS, "N_": None},
    )
    return {
        message if isinstance(message, str) else message[0] for _file, _line, message, *_ in found
    }


def test_every_message_has_a_japanese_translation_and_an_english_entry() -> None:
    used = messages_in_the_code()
    assert len(used) > 100
    japanese, english = catalog("ja"), catalog("en")
    untranslated = sorted(m for m in used if m not in japanese or not japanese[m].string)
    assert untranslated == [], "run `make messages` and translate ja/messages.po"
    assert sorted(m for m in used if m not in english) == []
    fuzzy = sorted(m.id for m in japanese if m.id and m.fuzzy)
    assert fuzzy == [], "fuzzy translations are not shown: check and unmark them"


def test_placeholders_survive_translation() -> None:
    t = translator("ja")
    assert t.gettext("Created the account %(email)s.", email="a@b.jp") == (
        "アカウント a@b.jp を作成しました。"
    )


@pytest.mark.parametrize(
    ("user", "cookie", "header", "expected"),
    [
        ("en", "ja", "ja", "en"),  # the user's setting first
        (None, "ja", "en-US", "ja"),  # then the switch's cookie
        (None, None, "ja-JP,ja;q=0.9,en;q=0.8", "ja"),  # then the browser
        (None, None, "fr-FR,en-GB;q=0.8", "en"),
        (None, None, "fr", "en"),  # English otherwise
        (None, "xx", None, "en"),
    ],
)
def test_the_language_of_a_request(
    user: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_locale(user_locale=user, cookie=cookie, accept_language=header) == expected


def test_prefectures_dates_and_numbers_in_each_language() -> None:
    ja, en = translator("ja"), translator("en")
    assert (ja.prefecture(2), en.prefecture(2)) == ("青森県", "Aomori")
    moment = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # already the 4th in Japan
    assert ja.date(moment.date()) == "2026/12/03"
    assert en.date(moment.date()) == "Dec 3, 2026"
    assert "2026/12/04" in ja.datetime(moment)
    assert en.number(5500) == "5,500"
    assert en.percent(0.953) == "95%"
