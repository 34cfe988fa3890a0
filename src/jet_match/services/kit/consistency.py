"""Checks a single-record write with the dataset's own rules, before it touches a row.

A POST or PATCH of one record is checked as a small dataset made of the record and the
records it relates to (its organization, its partner, alternates sharing its rank), by
`jet_match.dataset.validation.validate_dataset`: the API enforces exactly the rules an
import does, with no second implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jet_match.dataset import format as fmt
from jet_match.dataset.validation import validate_dataset
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.services.kit.records import storable_problems

B = TypeVar("B", bound=BaseModel)


def check_records(
    *,
    focus: BaseModel,
    kind: str,
    organizations: Sequence[fmt.Organization] = (),
    openings: Sequence[fmt.Opening] = (),
    participants: Sequence[fmt.Participant] = (),
    contracts: Sequence[fmt.Contract] = (),
) -> None:
    """Raise InvalidInput with every rule the records break together (and unstorable values)."""
    dataset = fmt.Dataset(
        format=fmt.FORMAT,
        organizations=list(organizations),
        openings=list(openings),
        participants=list(participants),
        contracts=list(contracts),
    )
    problems = [
        FieldProblem(issue.record, issue.external_id, issue.field, issue.code, issue.message)
        for issue in validate_dataset(dataset)
    ]
    problems.extend(storable_problems(focus, kind))
    if problems:
        raise InvalidInput(_summary(problems), problems)


def ensure_storable(record: BaseModel, kind: str) -> None:
    """Raise InvalidInput before a value a column cannot hold reaches a query."""
    problems = list(storable_problems(record, kind))
    if problems:
        raise InvalidInput(_summary(problems), problems)


def merge(model: type[B], current: dict[str, Any], changes: dict[str, Any], kind: str) -> B:
    """Apply a PATCH (absent: keep, present: replace) and validate the whole record again."""
    merged = {**current, **changes}
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        problems = list(validation_problems(exc, kind, current.get("external_id")))
        raise InvalidInput(_summary(problems), problems) from None


def validation_problems(
    exc: ValidationError, kind: str, external_id: str | None
) -> Iterable[FieldProblem]:
    """pydantic's errors as problems naming the record and field."""
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or None
        yield FieldProblem(kind, external_id, field, error["type"], error["msg"])


def _summary(problems: Sequence[FieldProblem]) -> str:
    first = problems[0].message
    return first if len(problems) == 1 else f"{first} (and {len(problems) - 1} more problems)"
