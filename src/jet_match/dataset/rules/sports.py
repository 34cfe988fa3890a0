"""The rules of sports: Sports Exchange Advisor (SEA) openings and participants name
their sport, and only SEA openings ask for one.

A sport on an ALT or CIR opening would silently narrow who can take the post, so it is
refused; a non-SEA participant's sport is allowed and ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from jet_match.dataset.format import Position
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue


def sport_only_on_sea_openings(records: Records) -> Iterator[DatasetIssue]:
    """Only Sports Exchange Advisor openings ask for a sport."""
    for index, opening in enumerate(records.dataset.openings):
        if opening.sport is not None and opening.position is not Position.SEA:
            yield issue(
                "opening",
                opening.external_id,
                "sport",
                "sport_not_sea",
                f"opening {opening.external_id} ({opening.position.value}) asks for sport "
                f"'{opening.sport}'; only SEA openings have a sport",
                index,
            )


def sea_records_name_sport(records: Records) -> Iterator[DatasetIssue]:
    """SEA openings and SEA participants name their sport."""
    for index, opening in enumerate(records.dataset.openings):
        if opening.position is Position.SEA and opening.sport is None:
            yield issue(
                "opening",
                opening.external_id,
                "sport",
                "sport_missing",
                f"SEA opening {opening.external_id} does not name its sport",
                index,
            )
    for index, participant in enumerate(records.dataset.participants):
        if participant.position is Position.SEA and participant.sport is None:
            yield issue(
                "participant",
                participant.external_id,
                "sport",
                "sport_missing",
                f"SEA participant {participant.external_id} does not name their sport",
                index,
            )
