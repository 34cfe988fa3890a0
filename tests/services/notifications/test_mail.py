"""Notification e-mails: a real SMTP server on the loopback (aiosmtpd), both languages,
text and HTML, the right people only, opt-outs respected; files when no SMTP is set."""

from __future__ import annotations

import email
import email.header
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from sqlalchemy import Engine
from sqlmodel import Session

from jet_match import models
from jet_match.config import Settings
from jet_match.services.kit.access import COMMAND_LINE
from jet_match.services.notifications import delivery, outbox
from jet_match.services.security import accounts
from jet_match.statuses import DeliveryStatus, EventKind, Role
from notification_support import organization_id
from service_support import Keys, free_port


class _Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.messages.append(message)


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    handler = _Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _users(engine: Engine) -> dict[str, int]:
    made = {}
    with Session(engine) as session:
        for email_address, role, organization, locale in (
            ("coordinator@example.org", Role.COORDINATOR, None, "en"),
            ("host-a@example.org", Role.HOST_ORG, "ORG-A", "ja"),
            ("host-b@example.org", Role.HOST_ORG, "ORG-B", None),
            ("quiet-a@example.org", Role.HOST_ORG, "ORG-A", None),
        ):
            created = accounts.create_user(
                session=session,
                caller=COMMAND_LINE,
                email=email_address,
                role=role,
                organization=organization,
                locale=locale,
            )
            made[email_address] = created.user.id
    return made


def _vacate_event(engine: Engine) -> None:
    with Session(engine) as session:
        outbox.record_event(
            session=session,
            kind=EventKind.PLACEMENT_VACATED,
            organization_id=organization_id(engine, "ORG-A"),
            payload={
                "round": "R-TEST",
                "opening": "OPN-A1",
                "participant": "P-2",
                "reason": "the participant withdrew",
                "published": True,
            },
        )
        session.commit()


def test_mails_go_through_smtp_to_the_people_concerned(
    keys: Keys, engine: Engine, settings: Settings, inbox: tuple[_Inbox, int]
) -> None:
    handler, port = inbox
    users = _users(engine)
    with Session(engine) as session:  # as /app/notifications saves an unticked kind
        session.add(
            models.EmailOptOut(user_id=users["quiet-a@example.org"], kind="placement.vacated")
        )
        session.commit()
    _vacate_event(engine)
    smtp = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with Session(engine) as session:
        done = delivery.deliver_due(session, "w1", settings=smtp)
    assert [status for _, status in done] == [DeliveryStatus.DELIVERED] * 2
    by_recipient = {m["X-RcptTo"]: m for m in handler.messages}
    assert sorted(by_recipient) == ["coordinator@example.org", "host-a@example.org"]
    for message in handler.messages:
        parts = {part.get_content_type(): part for part in message.walk()}
        assert {"text/plain", "text/html"} <= set(parts)
        text = _decoded(parts["text/plain"])
        html = _decoded(parts["text/html"])
        for body in (text, html):
            assert "P-2" in body
            assert "OPN-A1" in body
            assert "が空きました" in body  # Japanese
            assert "left opening OPN-A1" in body  # and English
    # Each reads their own language first (English chosen; Japanese chosen).
    assert _subject(by_recipient["coordinator@example.org"]).startswith("A placement was vacated")
    assert _subject(by_recipient["host-a@example.org"]).startswith("配置が空きました")


def _decoded(part: Message) -> str:
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    return raw.decode(part.get_content_charset() or "utf-8")


def _subject(message: Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_without_smtp_mails_are_files(
    keys: Keys, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _users(engine)
    _vacate_event(engine)
    files = settings.model_copy(update={"smtp_host": None, "mail_dir": str(tmp_path / "mail")})
    with Session(engine) as session:
        delivery.deliver_due(session, "w1", settings=files)
    written = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(written) == 3  # the coordinator and both users of ORG-A
    message = email.message_from_bytes(written[0].read_bytes())
    assert message.is_multipart()
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def test_publications_are_mailed_to_hosts_not_to_coordinators(
    keys: Keys, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    from round_support import published_round

    _users(engine)
    published_round(engine, settings)
    files = settings.model_copy(update={"mail_dir": str(tmp_path)})
    with Session(engine) as session:
        delivery.deliver_due(session, "w1", settings=files)
    recipients = sorted(
        email.message_from_bytes(p.read_bytes())["To"] for p in tmp_path.glob("*.eml")
    )
    # run.finished to the coordinator; round.published to every host user of ORG-A and ORG-B.
    assert recipients == [
        "coordinator@example.org",
        "host-a@example.org",
        "host-b@example.org",
        "quiet-a@example.org",
    ]
