"""Keyset pagination: stable pages over a unique, ordered column, whatever is inserted.

A cursor is the opaque, URL-safe encoding of the last key of a page; the next page
starts strictly after it. Unlike offsets, a record written meanwhile never makes a page
repeat or skip others.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from sqlmodel import Session

from jet_match.errors import FieldProblem, InvalidInput

R = TypeVar("R")
#: Integer keys are ids of 32-bit INTEGER columns: a larger one was never given out (and
#: PostgreSQL would refuse to compare it).
MAX_KEY = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Where a page starts and how long it is."""

    cursor: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Rows(Generic[R]):
    """The rows of one page and the cursor of the next (None: last page)."""

    rows: Sequence[R]
    next_cursor: str | None


def encode_cursor(key: str | int) -> str:
    """The cursor that continues after `key`."""
    return base64.urlsafe_b64encode(orjson.dumps({"k": key})).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: type[str] | type[int]) -> Any:
    """The key a cursor continues after; InvalidInput if it was not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = orjson.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        key = None
    if (
        not isinstance(key, key_type)
        or isinstance(key, bool)
        or (isinstance(key, str) and ("\x00" in key or len(key) > 200))
        or (isinstance(key, int) and abs(key) > MAX_KEY)
    ):
        raise invalid_cursor()
    return key


def invalid_cursor() -> InvalidInput:
    """The refusal of a cursor this service did not give out."""
    return InvalidInput(
        "the cursor is not one this service gave out",
        [FieldProblem("query", None, "cursor", "invalid_cursor", "unknown cursor")],
    )


def paginate(
    session: Session,
    statement: Any,
    key: Any,
    page: PageRequest,
    *,
    key_type: type[str] | type[int] = str,
    descending: bool = False,
) -> Rows[Any]:
    """Run `statement` (selecting the table of `key` first) for one page ordered by `key`."""
    if page.cursor is not None:
        after = decode_cursor(page.cursor, key_type)
        statement = statement.where(key < after if descending else key > after)
    statement = statement.order_by(key.desc() if descending else key.asc()).limit(page.limit + 1)
    rows = list(session.execute(statement).all())
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = encode_cursor(_key_of(rows[-1], key)) if more and rows else None
    return Rows(rows, next_cursor)


def _key_of(row: Any, key: Any) -> Any:
    # The first entity of the row holds the key (statements select a table first).
    return getattr(row[0], key.key)
