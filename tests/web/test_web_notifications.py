"""The notifications page: each user turns kinds of e-mail off, in their language."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from jet_match import models
from web.web_support import SignedIn, Staff, post_form


def _off(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(models.EmailOptOut.kind)))


def test_a_host_turns_an_e_mail_kind_off_and_on_again(
    signed_in: SignedIn, staff: Staff, engine: Engine
) -> None:
    client = signed_in(staff.host_a)
    page = client.get("/app/notifications")
    assert page.status_code == 200
    assert "メール通知" in page.text  # the host reads Japanese
    assert 'value="round.published" checked' in page.text
    assert "run.finished" not in page.text  # not a host's kind
    kept = ["round.amended", "placement.vacated"]
    saved = post_form(
        client,
        "/app/notifications",
        {"enabled": kept},  # type: ignore[dict-item]
        page="/app/notifications",
    )
    assert saved.status_code == 303
    assert "round.published" in _off(engine)
    assert "placement.vacated" not in _off(engine)
    again = client.get("/app/notifications?saved=1").text
    assert 'value="round.published">' in again
    assert "設定を保存しました" in again
    post_form(
        client,
        "/app/notifications",
        {"enabled": ["round.published", *kept]},  # type: ignore[dict-item]
        page="/app/notifications",
    )
    assert "round.published" not in _off(engine)


def test_a_coordinator_chooses_among_the_coordinators_kinds(
    signed_in: SignedIn, staff: Staff
) -> None:
    page = signed_in(staff.coordinator).get("/app/notifications")
    assert 'value="run.failed" checked' in page.text
    assert 'value="round.published"' not in page.text
