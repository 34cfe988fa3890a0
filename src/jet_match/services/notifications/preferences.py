"""E-mail preferences: every staff user can turn e-mail off for event kinds."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete
from sqlmodel import Session, col, select

from jet_match import models
from jet_match.services.kit.access import Caller
from jet_match.services.kit.writes import commit
from jet_match.services.notifications import outbox
from jet_match.services.security import audit
from jet_match.statuses import EventKind, Role

OptOut = models.EmailOptOut


def kinds_for(role: Role) -> list[EventKind]:
    """The kinds a user of this role may be e-mailed about (the choices they have)."""
    if role is Role.COORDINATOR:
        return [kind for kind in EventKind if kind in outbox.COORDINATOR_MAIL_KINDS]
    return [kind for kind in EventKind if kind in outbox.HOST_KINDS]


def disabled_kinds(*, session: Session, user_id: int) -> list[EventKind]:
    """The kinds the user turned off."""
    found = session.scalars(select(OptOut.kind).where(col(OptOut.user_id) == user_id)).all()
    return sorted((EventKind(kind) for kind in found), key=list(EventKind).index)


def set_disabled_kinds(
    *, session: Session, caller: Caller, user_id: int, disabled: Collection[EventKind]
) -> list[EventKind]:
    """Replace the kinds the user receives no e-mail for (their own choice). Commits."""
    before = disabled_kinds(session=session, user_id=user_id)
    wanted = sorted(set(disabled), key=list(EventKind).index)
    session.execute(delete(OptOut).where(col(OptOut.user_id) == user_id))
    for kind in wanted:
        session.add(OptOut(user_id=user_id, kind=kind.value))
    audit.record(
        session,
        caller,
        "user.email_preferences",
        "user",
        str(user_id),
        before=[k.value for k in before],
        after=[k.value for k in wanted],
    )
    commit(session)
    return wanted
