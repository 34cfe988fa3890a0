"""What the tables share: constraint names, timestamps, text and external-id columns,
JSON lists, and external ids unique without regard to case (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so that migrations can name what they alter or drop.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTERNAL_ID_LENGTH = 64


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def timestamp(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column, now by default."""
    return Field(
        default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False, **kwargs
    )


def text(length: int, *, nullable: bool = False, **kwargs: Any) -> Any:
    """A string column of at most `length` characters."""
    return Field(sa_type=sa.String(length), nullable=nullable, **kwargs)


def external_id_column() -> Any:
    """A record's external id: unique (see also `unique_ignoring_case`)."""
    return Field(sa_type=sa.String(EXTERNAL_ID_LENGTH), nullable=False, unique=True)


def json_list() -> Any:
    """A list stored as JSON, empty by default."""
    return Field(default_factory=list, sa_type=sa.JSON, nullable=False)


def unique_ignoring_case(table: type[SQLModel]) -> None:
    """A unique index on lower(external_id): `ORG-1` and `org-1` cannot both exist."""
    name = f"uq_{table.__tablename__}_external_id_lower"
    sa.Index(name, sa.func.lower(table.__table__.c.external_id), unique=True)  # type: ignore[attr-defined]
