"""Wire models of placement notices (per host organization, per sending country)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from jet_match.dataset import format as fmt
from jet_match.schemas.common import UtcDatetime


class NoticeKind(StrEnum):
    """Who a notice is for."""

    ORGANIZATION = "organization"
    COUNTRY = "country"


class LineChange(StrEnum):
    """How a line of a re-issue differs from the notice issued before."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class NoticeLine(BaseModel):
    """A participant on a notice: who is placed where, position, arrival group."""

    participant: str
    family_name: str
    given_name: str
    citizenship: str
    position: fmt.Position
    opening: str
    organization: str
    organization_name: str
    organization_name_ja: str | None
    prefecture: int
    group: str | None
    arrives_on: dt.date | None
    change: LineChange | None = Field(
        description="In a re-issue: added, removed or changed since the last issue (a "
        "removed line shows the place as issued before); null in a first issue."
    )
    previous_opening: str | None = Field(description="A changed line's opening before.")
    previous_group: str | None = Field(description="A changed line's arrival group before.")


class NoticeIssuePublic(BaseModel):
    """One issue of a notice: which published version, who issued it, when."""

    version: int
    issued_at: UtcDatetime
    issued_by: str


class Notice(BaseModel):
    """A placement notice for a published version of a round."""

    round: str
    kind: NoticeKind
    subject: str = Field(description="The organization's external_id, or the country code.")
    subject_name: str = Field(description="The organization's name, or the country code.")
    version: int = Field(description="The published version it states.")
    reissue: bool = Field(description="An earlier version was issued to the same recipient.")
    since_version: int | None = Field(description="The version a re-issue compares with.")
    full: bool = Field(description="Every line, not only the changes.")
    lines: list[NoticeLine]
    issues: list[NoticeIssuePublic] = Field(description="Every issue of this notice, oldest first.")
