"""A dataset indexed for its rules: records by external_id, and one way to name an issue.

Every rule of `dataset/rules/` (about records, and in `rules/pairs.py` about pins,
forbidden pairs and the previous plan) reads a `Records` index and yields
`DatasetIssue`s made by `issue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from jet_match.dataset.format import (
    Contract,
    Dataset,
    Opening,
    Organization,
    Pair,
    Participant,
)
from jet_match.dataset.issues import DatasetIssue

_T = TypeVar("_T")

#: Pair lists and the record kind their issues name.
PAIR_LISTS: tuple[tuple[str, str], ...] = (
    ("pins", "pin"),
    ("forbidden", "forbidden"),
    ("previous_plan", "previous_plan"),
)


def _first_by_id(records: Sequence[_T], key: Callable[[_T], str]) -> dict[str, _T]:
    by_id: dict[str, _T] = {}
    for record in records:
        by_id.setdefault(key(record), record)
    return by_id


@dataclass(frozen=True)
class Records:
    """A dataset indexed by external_id (first record wins for duplicated ids).

    `known_ids` holds, per list name, ids of records that exist but were left out
    because they are malformed: references to them are neither dangling nor checked.
    """

    dataset: Dataset
    known_ids: dict[str, set[str]] = field(default_factory=dict)
    organizations: dict[str, Organization] = field(init=False)
    openings: dict[str, Opening] = field(init=False)
    participants: dict[str, Participant] = field(init=False)

    def __post_init__(self) -> None:
        ds = self.dataset
        object.__setattr__(self, "organizations", _first_by_id(ds.organizations, _external_id))
        object.__setattr__(self, "openings", _first_by_id(ds.openings, _external_id))
        object.__setattr__(self, "participants", _first_by_id(ds.participants, _external_id))

    def is_known(self, list_name: str, external_id: str) -> bool:
        """The id names a record of `list_name`, well-formed or not."""
        table: dict[str, object] = getattr(self, list_name)
        return external_id in table or external_id in self.known_ids.get(list_name, set())

    def pairs(self, list_name: str) -> list[Pair]:
        """The pins, forbidden pairs or previous plan."""
        pairs: list[Pair] = getattr(self.dataset, list_name)
        return pairs

    def resolved_pairs(self, list_name: str) -> Iterator[tuple[int, Pair, Participant, Opening]]:
        """Pairs whose participant and opening are both well-formed records."""
        for index, pair in enumerate(self.pairs(list_name)):
            participant = self.participants.get(pair.participant)
            opening = self.openings.get(pair.opening)
            if participant is not None and opening is not None:
                yield index, pair, participant, opening


def _external_id(record: Organization | Opening | Participant | Contract) -> str:
    return record.external_id


Rule = Callable[[Records], Iterable[DatasetIssue]]


def issue(
    record: str, external_id: str | None, field: str | None, code: str, message: str, index: int
) -> DatasetIssue:
    return DatasetIssue(record, external_id, field, code, message, index)
