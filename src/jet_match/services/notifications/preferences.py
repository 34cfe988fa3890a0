"""E-mail preferences: every staff user turns e-mail off (or on again) for event kinds.

A user chooses among the kinds their role is e-mailed about (coordinators: runs,
vacated places, a host's opening changes, offers; host users: publications, vacated
places and offers of their own organization). Only the signed-in user changes their own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.services.kit.writes import commit
from jet_match.services.notifications import outbox
from jet_match.services.security import audit
from jet_match.services.security.accounts import Account
from jet_match.statuses import EventKind, Role

OptOut = models.EmailOptOut


@dataclass(frozen=True, slots=True)
class Choice:
    """One kind of e-mail the user may receive, and whether they do."""

    kind: EventKind
    enabled: bool


def kinds_for(role: Role) -> list[EventKind]:
    """The kinds a user of this role may be e-mailed about (the choices they have)."""
    if role is Role.COORDINATOR:
        return [kind for kind in EventKind if kind in outbox.COORDINATOR_MAIL_KINDS]
    return [kind for kind in EventKind if kind in outbox.HOST_KINDS]


def _disabled(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(OptOut.kind).where(col(OptOut.user_id) == user_id)).all())


def email_choices(*, session: Session, account: Account) -> list[Choice]:
    """The signed-in user's e-mail kinds, each on or off."""
    off = _disabled(session, account.user.id)
    session.rollback()
    return [Choice(kind, kind.value not in off) for kind in kinds_for(account.user.role)]


def set_email_choices(
    *, session: Session, account: Account, enabled: Collection[str]
) -> list[Choice]:
    """Keep e-mail of the `enabled` kinds only (of the user's choices); the rest is off.
    Unknown names are ignored (a form sends only the boxes ticked). Commits."""
    user_id = account.user.id
    before = _disabled(session, user_id)
    off = [kind.value for kind in kinds_for(account.user.role) if kind.value not in enabled]
    session.execute(delete(OptOut).where(col(OptOut.user_id) == user_id))
    for kind in off:
        session.add(OptOut(user_id=user_id, kind=kind))
    audit.record(
        session,
        account.caller,
        "user.email_preferences",
        "user",
        str(user_id),
        before=sorted(before),
        after=off,
    )
    commit(session)
    return [Choice(kind, kind.value not in off) for kind in kinds_for(account.user.role)]
