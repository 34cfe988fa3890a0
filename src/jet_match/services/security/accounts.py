"""Staff accounts and their browser sessions: the people side of who may do what.

A signed-in user acts through a `Caller` exactly like an API key of the same role
(`caller_of`), so every service applies the same permissions and organization scoping,
and the audit trail names the user as `user:<id>` (never a name or an e-mail).

Invariants:
- only the argon2id hash of a password is stored; e-mails are stored lower-cased, so
  they are unique whatever their case;
- a session is a row: the cookie holds a random secret whose SHA-256 is stored, so
  signing out, disabling the user or an idle timeout ends it for real;
- failed sign-ins in a row first slow the account down (each further attempt must wait
  a little longer) and then lock it for a while; both are audited, and a refused attempt
  says the same whether or not the e-mail exists (except that a lock is announced).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, col, delete, select

from jet_match import models
from jet_match.errors import AlreadyExists, DomainError, FieldProblem, InvalidInput, NotFound
from jet_match.schemas.sessions import StaffSessionPublic
from jet_match.services.kit.access import Action, Caller, authorize
from jet_match.services.kit.lookups import find_organization, prefecture_of_scope
from jet_match.services.kit.writes import commit
from jet_match.services.security import audit
from jet_match.statuses import Role

#: Staff accounts are credentials like API keys: managing them is the same right.
MANAGE_USERS = Action.API_KEYS

#: Who the audit trail names for a sign-in attempt nobody has made good yet.
SIGN_IN = Caller(role=Role.CAREER_FAIR, label="sign-in")

#: Failed attempts in a row before each further attempt has to wait (5 s, 10 s, 20 s ...).
SLOW_DOWN_AFTER = 3
SLOW_DOWN_SECONDS = 5

LOCALES = ("ja", "en")
STAFF_ROLES = (Role.COORDINATOR, Role.HOST_ORG)
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the e-mail is unknown, so that both answers take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class SignInRefused(DomainError):  # noqa: N818 -- an outcome, as in errors.py
    """Wrong e-mail or password, a disabled account, or one that is slowed down or locked."""

    code = "sign-in-refused"
    title = "Sign-in refused"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # wrong | wait | locked


@dataclass(frozen=True, slots=True)
class UserPublic:
    """A staff account as shown to coordinators (never the password hash)."""

    id: int
    email: str
    display_name: str
    role: Role
    organization: str | None
    organization_id: int | None  # for the caller's scope; pages show `organization`
    locale: str | None
    disabled: bool
    locked: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    # Prefecture scope (season): the prefecture whose records the host user may read.
    prefecture: int | None = None


@dataclass(frozen=True, slots=True)
class UserCreated:
    """A new account, and its one-time password when none was given."""

    user: UserPublic
    one_time_password: str | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: the cookie value (shown only now) and who it is."""

    token: str
    user: UserPublic


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in user of a request: the account, its caller and its session's CSRF token."""

    user: UserPublic
    caller: Caller
    csrf_token: str
    session_id: int


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """How sessions and sign-ins are limited (from Settings)."""

    idle: timedelta = timedelta(minutes=30)
    lock_after: int = 5
    lock_for: timedelta = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    """The stored form of an e-mail: trimmed and lower-cased."""
    return email.strip().lower()


def caller_of(user: UserPublic, request_id: str | None = None) -> Caller:
    """The Caller a user acts as: the role and organization scope of an API key."""
    return Caller(
        role=user.role,
        organization_id=user.organization_id if user.role is Role.HOST_ORG else None,
        request_id=request_id,
        label=f"user:{user.id}",
        prefecture=user.prefecture if user.role is Role.HOST_ORG else None,
    )


def _public(session: Session, row: models.User) -> UserPublic:
    assert row.id is not None
    organization = None
    if row.organization_id is not None:
        org = session.get(models.Organization, row.organization_id)
        organization = org.external_id if org else None
    return UserPublic(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=Role(row.role),
        organization=organization,
        organization_id=row.organization_id,
        locale=row.locale,
        disabled=row.disabled,
        locked=_locked(row, _now()),
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
        prefecture=(
            prefecture_of_scope(session, row.organization_id) if row.prefecture_scope else None
        ),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _locked(row: models.User, now: datetime) -> bool:
    return row.locked_until is not None and _aware(row.locked_until) > now


def _invalid(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(message, [FieldProblem("user", None, field, code, message)])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _invalid(
            "password",
            "password_too_short",
            f"a password has at least {MIN_PASSWORD_LENGTH} characters",
        )


def create_user(
    *,
    session: Session,
    caller: Caller,
    email: str,
    role: Role,
    display_name: str | None = None,
    organization: str | None = None,
    password: str | None = None,
    locale: str | None = None,
    prefecture_scope: bool = False,
) -> UserCreated:
    """Create a staff account; without a password, a one-time password is made and returned."""
    authorize(caller, MANAGE_USERS)
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise _invalid("email", "invalid_email", "not an e-mail address")
    if role not in STAFF_ROLES:
        raise _invalid("role", "invalid_role", "a staff account is a coordinator or a host_org")
    if locale is not None and locale not in LOCALES:
        raise _invalid("locale", "invalid_locale", "the language is ja or en")
    organization_id = None
    if role is Role.HOST_ORG:
        if not organization:
            raise _invalid(
                "organization", "organization_required", "a host_org user needs an organization"
            )
        try:
            organization_id = find_organization(session, caller, organization).id
        except NotFound:
            raise _invalid(
                "organization", "unknown_organization", f"no organization '{organization}'"
            ) from None
    elif organization:
        raise _invalid(
            "organization", "organization_not_allowed", "a coordinator has no organization"
        )
    if prefecture_scope and prefecture_of_scope(session, organization_id) is None:
        raise _invalid(
            "prefecture_scope",
            "invalid",
            "prefecture scope is for host_org users of a prefecture (organization kind prefecture)",
        )
    if password is not None:
        _check_password(password)
    if session.scalars(select(models.User).where(models.User.email == email)).first():
        raise AlreadyExists(f"a user with the e-mail '{email}' exists already")
    one_time = None if password is not None else secrets.token_urlsafe(12)
    row = models.User(
        email=email,
        display_name=(display_name or email.split("@")[0]).strip()[:200],
        role=role.value,
        organization_id=organization_id,
        locale=locale,
        prefecture_scope=prefecture_scope,
        password_hash=_hasher.hash(password if password is not None else str(one_time)),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        caller,
        "user.create",
        "user",
        str(row.id),
        role=role.value,
        organization=organization,
        prefecture_scope=prefecture_scope,
    )
    commit(session)
    return UserCreated(_public(session, row), one_time)


def list_users(*, session: Session, caller: Caller) -> list[UserPublic]:
    """Every staff account, by e-mail (a section has tens of them, not thousands)."""
    authorize(caller, MANAGE_USERS)
    rows = session.scalars(select(models.User).order_by(col(models.User.email))).all()
    return [_public(session, row) for row in rows]


def _find(session: Session, email: str) -> models.User:
    row = session.scalars(
        select(models.User).where(models.User.email == normalize_email(email))
    ).first()
    if row is None:
        raise NotFound(f"no user '{normalize_email(email)}'")
    return row


def disable_user(*, session: Session, caller: Caller, email: str) -> UserPublic:
    """Disable an account and end its sessions at once (disabling twice changes nothing)."""
    authorize(caller, MANAGE_USERS)
    row = _find(session, email)
    if not row.disabled:
        row.disabled = True
        session.add(row)
        session.exec(delete(models.UserSession).where(col(models.UserSession.user_id) == row.id))
        audit.record(session, caller, "user.disable", "user", str(row.id))
        commit(session)
    return _public(session, row)


def set_password(*, session: Session, caller: Caller, email: str, password: str) -> UserPublic:
    """Set a new password and lift a lock (its sessions end: whoever held them must sign in)."""
    authorize(caller, MANAGE_USERS)
    _check_password(password)
    row = _find(session, email)
    row.password_hash = _hasher.hash(password)
    row.failed_sign_ins = 0
    row.locked_until = None
    session.add(row)
    session.exec(delete(models.UserSession).where(col(models.UserSession.user_id) == row.id))
    audit.record(session, caller, "user.set_password", "user", str(row.id))
    commit(session)
    return _public(session, row)


def set_locale(*, session: Session, account: Account, locale: str | None) -> None:
    """Remember the user's language (None: follow the browser)."""
    if locale is not None and locale not in LOCALES:
        raise _invalid("locale", "invalid_locale", "the language is ja or en")
    row = session.get(models.User, account.user.id)
    if row is not None and row.locale != locale:
        row.locale = locale
        session.add(row)
        commit(session)


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    policy: SignInPolicy,
    request_id: str | None = None,
) -> SignedIn:
    """Check the password and open a session; SignInRefused (audited) otherwise."""
    now = _now()
    attempt = Caller(role=SIGN_IN.role, label=SIGN_IN.label, request_id=request_id)
    row = session.scalars(
        select(models.User).where(models.User.email == normalize_email(email))
    ).first()
    if row is None or row.disabled:
        _hasher.verify(password, _DUMMY_HASH)
        audit.record(
            session,
            attempt,
            "user.sign_in_failed",
            "user",
            str(row.id) if row else None,
            reason="disabled" if row else "unknown_email",
        )
        commit(session)
        raise SignInRefused("wrong", "wrong e-mail or password")
    if _locked(row, now):
        assert row.locked_until is not None
        if row.failed_sign_ins >= policy.lock_after:
            raise SignInRefused("locked", "too many failed sign-ins: the account is locked")
        raise SignInRefused("wait", "too many failed sign-ins: wait a few seconds")
    if not _hasher.verify(password, row.password_hash):
        row.failed_sign_ins += 1
        reason = "wrong"
        if row.failed_sign_ins >= policy.lock_after:
            row.locked_until = now + policy.lock_for
            reason = "locked"
            audit.record(
                session,
                attempt,
                "user.lock",
                "user",
                str(row.id),
                failed_sign_ins=row.failed_sign_ins,
            )
        elif row.failed_sign_ins >= SLOW_DOWN_AFTER:
            wait = SLOW_DOWN_SECONDS * 2 ** (row.failed_sign_ins - SLOW_DOWN_AFTER)
            row.locked_until = now + timedelta(seconds=wait)
        session.add(row)
        audit.record(
            session,
            attempt,
            "user.sign_in_failed",
            "user",
            str(row.id),
            reason="wrong_password",
            failed_sign_ins=row.failed_sign_ins,
        )
        commit(session)
        if reason == "locked":
            raise SignInRefused("locked", "too many failed sign-ins: the account is locked")
        raise SignInRefused("wrong", "wrong e-mail or password")
    row.failed_sign_ins = 0
    row.locked_until = None
    row.last_sign_in_at = now
    token = secrets.token_urlsafe(32)
    assert row.id is not None
    session.add(row)
    session.add(
        models.UserSession(
            token_hash=_digest(token),
            user_id=row.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    user = _public(session, row)
    audit.record(session, caller_of(user, request_id), "user.sign_in", "user", str(row.id))
    commit(session)
    return SignedIn(token, user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: A session's last_seen_at is written at most this often (not on every page view).
_TOUCH_EVERY = timedelta(seconds=30)


def resume(
    *, session: Session, token: str | None, policy: SignInPolicy, request_id: str | None = None
) -> Account | None:
    """The account of a session cookie; None when unknown, idle too long or disabled."""
    if not token:
        return None
    found = session.exec(
        select(models.UserSession, models.User)
        .join(models.User, col(models.User.id) == models.UserSession.user_id)
        .where(models.UserSession.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    row, user_row = found
    now = _now()
    if user_row.disabled or _aware(row.last_seen_at) + policy.idle < now:
        session.delete(row)
        commit(session)
        return None
    if _aware(row.last_seen_at) + _TOUCH_EVERY < now:
        row.last_seen_at = now
        session.add(row)
        commit(session)
    assert row.id is not None
    user = _public(session, user_row)
    return Account(user, caller_of(user, request_id), row.csrf_token, row.id)


def sign_out(*, session: Session, token: str | None) -> None:
    """End the session of this cookie (nothing when there is none)."""
    if token:
        session.exec(
            delete(models.UserSession).where(col(models.UserSession.token_hash) == _digest(token))
        )
        commit(session)


# --- staff sessions: coordinators see who is signed in, and end a session -------------


def list_sessions(*, session: Session, caller: Caller) -> list[StaffSessionPublic]:
    """Every open workspace session, most recently used first (never its token)."""
    authorize(caller, MANAGE_USERS)
    rows = session.exec(
        select(models.UserSession, models.User)
        .join(models.User, col(models.User.id) == models.UserSession.user_id)
        .order_by(col(models.UserSession.last_seen_at).desc(), col(models.UserSession.id))
    ).all()
    return [
        StaffSessionPublic(
            id=int(row.id or 0),
            email=user.email,
            display_name=user.display_name,
            role=Role(user.role),
            created_at=_aware(row.created_at),
            last_seen_at=_aware(row.last_seen_at),
        )
        for row, user in rows
    ]


def revoke_session(*, session: Session, caller: Caller, session_id: int) -> None:
    """End a staff session at once (its next page view asks to sign in); audited."""
    authorize(caller, MANAGE_USERS)
    row = session.get(models.UserSession, session_id) if 0 < session_id < 2**31 else None
    if row is None:
        raise NotFound(f"no session {session_id}")
    session.delete(row)
    audit.record(
        session, caller, "user_session.revoke", "user", str(row.user_id), session_id=session_id
    )
    commit(session)
