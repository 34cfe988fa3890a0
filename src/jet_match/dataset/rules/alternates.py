"""The rules of alternates: only alternates carry an `alternate_rank`, every alternate
has one, and two alternates of the same position never share it.

Vacancies after publication are offered to alternates in rank order, so the upgrade
order is never left to chance.
"""

from __future__ import annotations

from collections.abc import Iterator

from jet_match.dataset.format import ParticipantStatus, Position
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue


def alternate_rank_only_on_alternates(records: Records) -> Iterator[DatasetIssue]:
    """Only alternates carry an alternate_rank."""
    for index, participant in enumerate(records.dataset.participants):
        if (
            participant.alternate_rank is not None
            and participant.status is not ParticipantStatus.ALTERNATE
        ):
            yield issue(
                "participant",
                participant.external_id,
                "alternate_rank",
                "alternate_rank_not_alternate",
                f"participant {participant.external_id} is {participant.status.value} "
                f"but has alternate_rank {participant.alternate_rank}",
                index,
            )


def alternates_are_ranked(records: Records) -> Iterator[DatasetIssue]:
    """Every alternate has an alternate_rank, so vacancies are offered in a known order."""
    for index, participant in enumerate(records.dataset.participants):
        if participant.status is ParticipantStatus.ALTERNATE and participant.alternate_rank is None:
            yield issue(
                "participant",
                participant.external_id,
                "alternate_rank",
                "alternate_rank_missing",
                f"participant {participant.external_id} is an alternate without alternate_rank",
                index,
            )


def alternate_ranks_unique_per_position(records: Records) -> Iterator[DatasetIssue]:
    """Two alternates of the same position never share a rank."""
    first: dict[tuple[Position, int], str] = {}
    for index, participant in enumerate(records.dataset.participants):
        if (
            participant.status is not ParticipantStatus.ALTERNATE
            or participant.alternate_rank is None
        ):
            continue
        key = (participant.position, participant.alternate_rank)
        holder = first.setdefault(key, participant.external_id)
        if holder != participant.external_id:
            yield issue(
                "participant",
                participant.external_id,
                "alternate_rank",
                "alternate_rank_repeated",
                f"{participant.position.value} alternates {holder} and "
                f"{participant.external_id} share alternate_rank {participant.alternate_rank}",
                index,
            )
