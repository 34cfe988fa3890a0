"""Domain errors raised by the services; `jet_match.api.problems` maps them to HTTP.

No FastAPI here: the same errors reach the command line, which prints them. Each error
has a stable `code` (the last part of its problem type URI) and may carry `problems`,
one per field and record at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from jet_match.dataset.validation import DatasetIssue


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong, named by record kind, external_id and field (as in DatasetIssue)."""

    record: str
    external_id: str | None
    field: str | None
    code: str
    message: str
    index: int | None = None
    row: int | None = None

    @classmethod
    def from_issue(cls, issue: DatasetIssue, *, row: int | None = None) -> FieldProblem:
        """Wrap a dataset validation issue (`row`: its sheet row, for CSV/XLSX imports)."""
        return cls(
            issue.record,
            issue.external_id,
            issue.field,
            issue.code,
            issue.message,
            issue.index,
            row,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, without the keys that are not set."""
        return {k: v for k, v in asdict(self).items() if v is not None or k in _ALWAYS}


_ALWAYS = frozenset({"record", "external_id", "field", "code", "message"})


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ClassVar[str] = "error"
    title: ClassVar[str] = "Error"

    def __init__(self, detail: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)


class Unauthenticated(DomainError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    """The caller's role may not do this at all (the same answer whatever the record)."""

    code = "forbidden"
    title = "Not allowed for this role"


class NotFound(DomainError):
    """No such record, or one the caller may not see (the two are indistinguishable)."""

    code = "not-found"
    title = "Not found"


class AlreadyExists(DomainError):
    """A record with this external_id exists already."""

    code = "already-exists"
    title = "Already exists"


class Conflict(DomainError):
    """The request conflicts with the current state (for example, a concurrent write)."""

    code = "conflict"
    title = "Conflict"


class InvalidInput(DomainError):
    """The request is well-formed but its content breaks a rule; `problems` lists them all."""

    code = "invalid"
    title = "Invalid input"


class PreconditionRequired(DomainError):
    """A write that needs `If-Match` came without it."""

    code = "precondition-required"
    title = "If-Match required"


class PreconditionFailed(DomainError):
    """`If-Match` names a version that is no longer current."""

    code = "precondition-failed"
    title = "Stale version"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key was sent again with a different request."""

    code = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"


class UnsupportedMediaType(DomainError):
    """The body's content type or character encoding cannot be read."""

    code = "unsupported-media-type"
    title = "Unsupported media type"


class BadRequest(DomainError):
    """The request itself is malformed (for example, two `Authorization` headers)."""

    code = "bad-request"
    title = "Bad request"


class Abandoned(BadRequest):
    """The client went away before the answer: the work was stopped and nothing written
    (the answer reaches no one; the class says why the work ended)."""


class PayloadTooLarge(DomainError):
    """What the body holds is larger than a limit (an XLSX that unpacks too far)."""

    code = "payload-too-large"
    title = "Payload too large"


class TooManyAttempts(DomainError):
    """Too many failed authentications from one client: wait `retry_after_s` seconds."""

    code = "too-many-attempts"
    title = "Too many failed attempts"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class Unavailable(DomainError):
    """The database cannot be reached for now; the same request may succeed later."""

    code = "unavailable"
    title = "Service unavailable"
