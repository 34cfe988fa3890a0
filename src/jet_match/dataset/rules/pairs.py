"""The rules of a dataset's pairs: pins, forbidden pairs and the previous plan.

Each pair names a participant and an opening that exist; a participant is pinned (and
placed in the previous plan) at most once; pins hold only shortlisted participants on
open openings they are eligible for, and never a forbidden pair. More pins than slots is
*not* a format error: the solver reports it as infeasible.
"""

from __future__ import annotations

from collections.abc import Iterator

from jet_match.dataset.eligibility import REASON_TEXT, ineligibility_reasons
from jet_match.dataset.format import OpeningStatus, Pair, ParticipantStatus
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import PAIR_LISTS, Records, issue


def duplicate_pairs(records: Records) -> Iterator[DatasetIssue]:
    """A pin, forbidden pair or previous placement is listed only once."""
    for list_name, kind in PAIR_LISTS:
        seen: dict[tuple[str, str], int] = {}
        for index, pair in enumerate(records.pairs(list_name)):
            key = (pair.participant, pair.opening)
            if key in seen:
                yield issue(
                    kind,
                    pair.participant,
                    "opening",
                    "duplicate_pair",
                    f"{kind} ({pair.participant}, {pair.opening}) is listed twice "
                    f"(first as {kind} #{seen[key]})",
                    index,
                )
            else:
                seen[key] = index


def participant_pinned_twice(records: Records) -> Iterator[DatasetIssue]:
    """A participant is pinned to one opening at most (a person is placed once)."""
    yield from _participant_twice(records, "pins", "pin", "pinned_twice", "pinned")


def participant_twice_in_previous_plan(records: Records) -> Iterator[DatasetIssue]:
    """A participant holds one placement at most in the previous plan."""
    yield from _participant_twice(
        records, "previous_plan", "previous_plan", "planned_twice", "placed by the previous plan"
    )


def _participant_twice(
    records: Records, list_name: str, kind: str, code: str, verb: str
) -> Iterator[DatasetIssue]:
    first: dict[str, Pair] = {}
    for index, pair in enumerate(records.pairs(list_name)):
        earlier = first.setdefault(pair.participant, pair)
        if earlier is not pair and earlier.opening != pair.opening:
            yield issue(
                kind,
                pair.participant,
                "participant",
                code,
                f"participant {pair.participant} is {verb} twice: "
                f"to {earlier.opening} and to {pair.opening}",
                index,
            )


def pair_references_exist(records: Records) -> Iterator[DatasetIssue]:
    """Pins, forbidden pairs and the previous plan name existing participants and openings."""
    for list_name, kind in PAIR_LISTS:
        for index, pair in enumerate(records.pairs(list_name)):
            if not records.is_known("participants", pair.participant):
                yield issue(
                    kind,
                    pair.participant,
                    "participant",
                    "unknown_participant",
                    f"{kind} names participant '{pair.participant}', who is not in the dataset",
                    index,
                )
            if not records.is_known("openings", pair.opening):
                yield issue(
                    kind,
                    pair.participant,
                    "opening",
                    "unknown_opening",
                    f"{kind} of participant {pair.participant} names opening "
                    f"'{pair.opening}', which is not in the dataset",
                    index,
                )


def pins_hold_shortlisted_participants(records: Records) -> Iterator[DatasetIssue]:
    """Only shortlisted participants are pinned (not withdrawn people or alternates)."""
    for index, pair, participant, _opening in records.resolved_pairs("pins"):
        if participant.status is not ParticipantStatus.SHORTLISTED:
            yield issue(
                "pin",
                pair.participant,
                "participant",
                "pin_participant_not_shortlisted",
                f"participant {pair.participant} is pinned to {pair.opening} but is "
                f"{participant.status.value}; only shortlisted participants can be pinned",
                index,
            )


def pins_on_open_openings(records: Records) -> Iterator[DatasetIssue]:
    """Pins are on open openings, never on cancelled ones."""
    for index, pair, _participant, opening in records.resolved_pairs("pins"):
        if opening.status is OpeningStatus.CANCELLED:
            yield issue(
                "pin",
                pair.participant,
                "opening",
                "pin_opening_cancelled",
                f"participant {pair.participant} is pinned to opening {pair.opening}, "
                f"which is cancelled",
                index,
            )


def pins_not_forbidden(records: Records) -> Iterator[DatasetIssue]:
    """A pair is not both pinned and forbidden."""
    forbidden = {(pair.participant, pair.opening) for pair in records.dataset.forbidden}
    for index, pair in enumerate(records.dataset.pins):
        if (pair.participant, pair.opening) in forbidden:
            yield issue(
                "pin",
                pair.participant,
                "opening",
                "pin_forbidden",
                f"participant {pair.participant} is both pinned to and forbidden from "
                f"opening {pair.opening}",
                index,
            )


def pins_on_eligible_pairs(records: Records) -> Iterator[DatasetIssue]:
    """A pinned participant is eligible for the opening (position, Japanese, driving, ...)."""
    for index, pair, participant, opening in records.resolved_pairs("pins"):
        organization = records.organizations.get(opening.organization)
        if organization is None:
            continue  # dangling organization: reported on the opening
        reasons = ineligibility_reasons(participant, opening, organization)
        if reasons:
            because = "; ".join(REASON_TEXT[reason] for reason in reasons)
            yield issue(
                "pin",
                pair.participant,
                "opening",
                "pin_ineligible",
                f"participant {pair.participant} is pinned to opening {pair.opening} but is "
                f"not eligible for it: {because} ({', '.join(reasons)})",
                index,
            )
