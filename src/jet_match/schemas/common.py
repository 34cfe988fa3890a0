"""Wire models every API area shares: pages, problem details, timestamps, names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive timestamps; they were written in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` to get the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Opaque cursor of the next page; null on the last page.",
        examples=["eyJrIjoiQUxULTAwMDUwIn0"],
    )


Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]


Name100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ProblemItem(BaseModel):
    """One problem, naming the record and the field."""

    record: str = Field(examples=["opening"])
    external_id: str | None = Field(examples=["OPN-0001"])
    field: str | None = Field(examples=["slots"])
    code: str = Field(examples=["greater_than_equal"])
    message: str = Field(examples=["'slots': Input should be greater than or equal to 1"])
    index: int | None = Field(default=None, description="Position in the list it came from.")
    row: int | None = Field(default=None, description="Sheet row (CSV/XLSX imports; 1 = header).")


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    # Published as `Problem` (title and component name), the name clients know:
    # api/problems.py renames the component.
    model_config = ConfigDict(title="Problem")

    type: str = Field(examples=["https://jet-match.example/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no opening 'OPN-0001'"])
    instance: str | None = Field(default=None, examples=["/api/v1/openings/OPN-0001"])
    request_id: str | None = None
    errors: list[ProblemItem] = Field(default_factory=list)
