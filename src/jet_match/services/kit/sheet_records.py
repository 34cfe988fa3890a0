"""Dataset-shaped records from a sheet's rows: each column read by the type of its field.

A list field's cell holds its items separated by `;`; a partner's two columns
(`partner.external_id`, `partner.constraint`) become the record's `partner`. A text
field's whole number (an XLSX id typed as `20240001`) is read as its digits; free text
(no pattern) is kept exactly, spaces included, other cells are trimmed; a blank cell is
"not given" (the field's default), or the empty text in a required text column that may
be empty (`given_name`). One leading `'` (formula escaping) is stripped. Reading the
sheet itself is `spreadsheets.py`'s.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from jet_match.dataset import format as fmt
from jet_match.errors import FieldProblem, InvalidInput
from jet_match.services.kit.spreadsheets import (
    KIND_RECORDS,
    LIST_FIELDS,
    LIST_SEPARATOR,
    columns,
    unescape_formula,
)


def records_from_rows(
    kind: str, header: Sequence[str], rows: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Dataset-shaped records from sheet rows; unknown columns are refused up front."""
    known = set(columns(kind))
    unknown = [name for name in header if name and name not in known]
    if unknown:
        problems = [
            FieldProblem(
                KIND_RECORDS[kind][0],
                None,
                name,
                "unknown_column",
                f"unknown column '{name}'; the columns are: {', '.join(columns(kind))}",
            )
            for name in unknown
        ]
        raise InvalidInput(problems[0].message, problems)
    rules = _column_rules(kind)
    present = [name for name in header if name]
    return [_record(rules, present, row) for row in rows]


@dataclass(frozen=True, slots=True)
class _Column:
    """How a column's cells are read, from the type of the field it holds."""

    text: bool = False  # a string field: a number in the cell is read as its digits
    name: bool = False  # free text (no pattern): kept exactly, spaces included
    blank_is_empty: bool = False  # required and may be "": a blank cell is ""


@cache
def _column_rules(kind: str) -> dict[str, _Column]:
    model = KIND_RECORDS[kind][1]
    rules = {name: _column_of(field) for name, field in model.model_fields.items()}
    for name, field in fmt.Partner.model_fields.items():
        rules[f"partner.{name}"] = _column_of(field)
    return rules


def _column_of(field: FieldInfo) -> _Column:
    annotation, metadata = field.annotation, list(field.metadata)
    if get_origin(annotation) in (Union, types.UnionType):  # `X | None`
        options = [option for option in get_args(annotation) if option is not type(None)]
        annotation = options[0] if len(options) == 1 else None
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata += extra
    if annotation is not str:
        return _Column()
    patterned = any(getattr(item, "pattern", None) for item in metadata)
    may_be_empty = not any(getattr(item, "min_length", None) for item in metadata)
    return _Column(
        text=True,
        name=not patterned,
        blank_is_empty=field.is_required() and not patterned and may_be_empty,
    )


def _record(
    rules: dict[str, _Column], header: Sequence[str], row: dict[str, Any]
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    partner: dict[str, Any] = {}
    for name in header:
        value = _value(rules.get(name, _Column()), row.get(name))
        if value is None:
            continue
        if name in LIST_FIELDS:
            value = [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]
        if name.startswith("partner."):
            partner[name.removeprefix("partner.")] = value
        else:
            record[name] = value
    if partner:
        record["partner"] = partner
    return record


def _value(column: _Column, cell: Any) -> Any:
    """A cell's value for the record; None: not given (the field's default applies)."""
    if isinstance(cell, str):
        cell = unescape_formula(cell if column.name else cell.strip())
    elif column.text and isinstance(cell, int | float) and not isinstance(cell, bool):
        cell = str(cell)  # whole numbers are ints already (`_cell`): no ".0"
    if cell is None or cell == "":
        return "" if column.blank_is_empty else None
    return cell
