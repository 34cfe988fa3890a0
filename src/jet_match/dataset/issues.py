"""`DatasetIssue`: one problem in a dataset, as the rules report it and validation raises it.

A module of its own so that the rules (`rules/`) and reading/validation
(`validation.py`) both use it without importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DatasetIssue:
    """One problem in a dataset.

    `record` is the record kind (`participant`, `opening`, ..., or `dataset` for the
    document itself), `external_id` the record's id when it has one (for pins and other
    pairs, the participant's), `index` its position in its list, `field` a dotted path
    inside the record (`partner.constraint`, `preferred_prefectures[2]`), `code` a stable
    machine-readable name of the rule and `message` a sentence for a person.
    """

    record: str
    external_id: str | None
    field: str | None
    code: str
    message: str
    index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by `--json` and the API)."""
        return asdict(self)

    def subject(self) -> str:
        """The record in words: `participant P-1`, or `pin #3` when it has no id."""
        if self.external_id is not None:
            return f"{self.record} {self.external_id}"
        if self.index is not None:
            return f"{self.record} #{self.index}"
        return self.record

    def location(self) -> str:
        """`participant P-1 .preferred_prefectures` style, for tables and logs."""
        return f"{self.subject()} .{self.field}" if self.field else self.subject()
