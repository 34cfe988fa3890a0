"""Form helpers: error messages in the user's language, and the version a form carries.

Concurrency in forms is the API's If-Match: an edit form carries the version it was
opened on (`version_of(etag)` into a hidden `version` field, the `version_field` macro in
templates/macros.html); the POST hands `if_match(version)` to the service, which refuses
a stale write (PreconditionFailed). The route then renders the form again with the
*current* record and `STALE` — nothing is overwritten.
"""

from __future__ import annotations

from pydantic import ValidationError

from jet_match.errors import AlreadyExists, DomainError
from jet_match.web.i18n import N_, Translator

STALE = N_(
    "This was changed since you opened it. Below is its current state: check it and save again."
)

#: Messages by the stable codes of services' and validation's problems.
MESSAGES = {
    "already-exists": N_("This already exists."),
    "invalid_email": N_("Enter an e-mail address."),
    "invalid_role": N_("Choose a role."),
    "organization_required": N_("A host organization user needs an organization."),
    "unknown_organization": N_("There is no such organization."),
    "organization_not_allowed": N_("A coordinator has no organization."),
    "password_too_short": N_("The password is too short."),
    "missing": N_("This field is required."),
    "enum": N_("Choose one of the listed values."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("The number is too small."),
    "less_than_equal": N_("The number is too large."),
    "string_pattern_mismatch": N_("Use letters, digits, dots, hyphens and underscores."),
    "string_too_long": N_("This is too long."),
    "too_long": N_("Too many values."),
}
INVALID = N_("This value is not valid.")


def version_of(etag: str | None) -> str:
    """The hidden `version` of a form from a service's ETag (`"3"` -> `3`)."""
    return (etag or "").strip('"')


def if_match(version: str) -> str | None:
    """The If-Match a form's version stands for (None: the form carried none: 428)."""
    return f'"{version}"' if version.isdigit() else None


def problem_messages(
    t: Translator, error: DomainError, *, default_field: str = "form"
) -> dict[str, str]:
    """Field name -> message in the user's language for a service's refusal."""
    if isinstance(error, AlreadyExists):
        already_exists = MESSAGES["already-exists"]
        return {default_field: t.gettext(already_exists)}
    messages: dict[str, str] = {}
    for problem in error.problems:
        message = MESSAGES.get(problem.code)
        messages.setdefault(
            problem.field or default_field, t.gettext(message) if message else problem.message
        )
    return messages or {default_field: t.gettext(INVALID)}


def validation_messages(t: Translator, error: ValidationError) -> dict[str, str]:
    """Field name -> message in the user's language for a form that does not validate."""
    messages: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "form"
        messages.setdefault(name, t.gettext(MESSAGES.get(item["type"], INVALID)))
    return messages


def refusal_messages(
    t: Translator, error: ValidationError | DomainError, *, default_field: str = "form"
) -> dict[str, str]:
    """Field name -> message for a form refused by validation or by the service."""
    if isinstance(error, ValidationError):
        return validation_messages(t, error)
    return problem_messages(t, error, default_field=default_field)
