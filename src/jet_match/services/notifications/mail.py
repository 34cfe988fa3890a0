"""Notification e-mails: bilingual (Japanese and English), plain text and HTML.

Each mail tells one event to one staff user, in both languages, the user's own language
first (Japanese when they chose none). With `smtp_host` set the mail goes through that
server; without (`make run`), it is written as an `.eml` file under `mail_dir`
(`./var/mail/`), so a developer can read what would have been sent.
"""

from __future__ import annotations

import html
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jet_match import models
from jet_match.config import Settings
from jet_match.statuses import EventKind


@dataclass(frozen=True, slots=True)
class Wording:
    """What a mail says of one event kind, in one language."""

    subject: str
    lead: str


#: Subject and first line of each kind: {field} names come from the payload.
WORDING: dict[EventKind, dict[str, Wording]] = {
    EventKind.ROUND_PUBLISHED: {
        "ja": Wording(
            "配置が公開されました: {round}",
            "ラウンド {round} の配置(版 {version})が公開されました。",
        ),
        "en": Wording(
            "Placements published: {round}",
            "Round {round} published its placements (version {version}).",
        ),
    },
    EventKind.ROUND_AMENDED: {
        "ja": Wording(
            "配置が変更されました: {round}",
            "ラウンド {round} の配置が変更されました(版 {version})。",
        ),
        "en": Wording(
            "Placements amended: {round}",
            "Round {round} published amended placements (version {version}).",
        ),
    },
    EventKind.PLACEMENT_VACATED: {
        "ja": Wording(
            "配置が空きました: {opening}",
            "ラウンド {round} で {participant} の配置({opening})が空きました。理由: {reason}",
        ),
        "en": Wording(
            "A placement was vacated: {opening}",
            "In round {round}, {participant} left opening {opening}. Reason: {reason}",
        ),
    },
    EventKind.RUN_FINISHED: {
        "ja": Wording(
            "実行が完了しました: {round}", "ラウンド {round} の実行 {run} が完了しました。"
        ),
        "en": Wording("Run finished: {round}", "Run {run} of round {round} finished."),
    },
    EventKind.RUN_FAILED: {
        "ja": Wording(
            "実行が失敗しました: {round}", "ラウンド {round} の実行 {run} が失敗しました: {error}"
        ),
        "en": Wording("Run failed: {round}", "Run {run} of round {round} failed: {error}"),
    },
    EventKind.OFFER_MADE: {
        "ja": Wording(
            "オファーが出されました: {opening}", "{opening} へのオファーが出されました。"
        ),
        "en": Wording("Offer made: {opening}", "An offer was made for opening {opening}."),
    },
    EventKind.OFFER_ACCEPTED: {
        "ja": Wording(
            "オファーが受諾されました: {opening}", "{opening} へのオファーが受諾されました。"
        ),
        "en": Wording("Offer accepted: {opening}", "The offer for opening {opening} was accepted."),
    },
    EventKind.OFFER_DECLINED: {
        "ja": Wording(
            "オファーが辞退されました: {opening}", "{opening} へのオファーが辞退されました。"
        ),
        "en": Wording("Offer declined: {opening}", "The offer for opening {opening} was declined."),
    },
    EventKind.OFFER_EXPIRED: {
        "ja": Wording(
            "オファーの期限が切れました: {opening}", "{opening} へのオファーの期限が切れました。"
        ),
        "en": Wording("Offer expired: {opening}", "The offer for opening {opening} expired."),
    },
    EventKind.OPENING_CHANGED: {
        "ja": Wording(
            "募集が変更されました: {opening}",
            "受入団体が募集 {opening} を変更しました({fields})。",
        ),
        "en": Wording(
            "Opening changed: {opening}",
            "The host organization changed opening {opening} ({fields}).",
        ),
    },
}

_DETAIL_LABELS = {"ja": "詳細", "en": "Details"}
_FOOTER = {
    "ja": "このメールの種類は、ワークスペースの「通知」ページで停止できます。",
    "en": "You can turn this kind of e-mail off on the workspace's Notifications page.",
}


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def _fields(payload: Mapping[str, Any]) -> _Fields:
    values = _Fields()
    for key, value in payload.items():
        values[key] = ", ".join(map(str, value)) if isinstance(value, list) else value
    return values


def compose(
    *, event: models.NotificationEvent, user: models.User, settings: Settings
) -> EmailMessage:
    """The mail telling `event` to `user`: both languages, text and HTML."""
    kind = EventKind(event.kind)
    languages = ["en", "ja"] if user.locale == "en" else ["ja", "en"]
    values = _fields(event.payload)
    subject = " / ".join(WORDING[kind][lang].subject.format_map(values) for lang in languages)
    text_parts, html_parts = [], []
    details = _details(event.payload)
    for lang in languages:
        lead = WORDING[kind][lang].lead.format_map(values)
        text_parts.append(
            "\n".join(
                [
                    lead,
                    "",
                    f"{_DETAIL_LABELS[lang]}:",
                    *(f"  {k}: {v}" for k, v in details),
                    "",
                    _FOOTER[lang],
                ]
            )
        )
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in details
        )
        html_parts.append(
            f'<section lang="{lang}"><p>{html.escape(lead)}</p>'
            f"<table>{rows}</table><p><small>{html.escape(_FOOTER[lang])}</small></p></section>"
        )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = user.email
    message["Date"] = format_datetime(models.utcnow())
    message["Message-ID"] = make_msgid(idstring=event.event_id)
    message["X-Jet-Match-Event"] = event.event_id
    message.set_content("\n\n---\n\n".join(text_parts))
    message.add_alternative(
        "<!doctype html><html><body>" + "<hr>".join(html_parts) + "</body></html>",
        subtype="html",
    )
    return message


def _details(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    shown = []
    for key, value in payload.items():
        if isinstance(value, list):
            text = (
                f"{len(value)}"
                if value and isinstance(value[0], dict)
                else ", ".join(map(str, value))
            )
        else:
            text = str(value)
        shown.append((key, text[:500]))
    return shown


def send(message: EmailMessage, *, settings: Settings) -> None:
    """Send through SMTP, or write an .eml file under `mail_dir` when no SMTP is set."""
    if settings.smtp_host is None:
        folder = Path(settings.mail_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = models.utcnow().strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{message['X-Jet-Match-Event']}-{abs(hash(message['To'])) % 10**8}.eml"
        (folder / name).write_bytes(bytes(message))
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password is not None:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
