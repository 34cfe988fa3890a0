"""The rules of the season's records: the contracts of the JETs in post and the posts
of the openings they hold.

An opening's `posts` count every JET it employs, new places included, so they are never
fewer than its `slots`; a contract names an organization and an opening of the dataset,
the opening is one of that organization's and of the contract's position, and the
contract ends on or after the day it starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue


def posts_hold_the_slots(records: Records) -> Iterator[DatasetIssue]:
    """An opening's `posts` (JETs employed in all), when given, are at least its `slots`."""
    for index, opening in enumerate(records.dataset.openings):
        if opening.posts is not None and opening.posts < opening.slots:
            yield issue(
                "opening",
                opening.external_id,
                "posts",
                "posts_below_slots",
                f"opening {opening.external_id} has {opening.posts} posts but {opening.slots} "
                "slots: the posts count every JET it employs, new places included",
                index,
            )


def contract_references_exist(records: Records) -> Iterator[DatasetIssue]:
    """Every contract names an organization and an opening of the dataset."""
    for index, contract in enumerate(records.dataset.contracts):
        for field_name, list_name in (("organization", "organizations"), ("opening", "openings")):
            named = getattr(contract, field_name)
            if not records.is_known(list_name, named):
                yield issue(
                    "contract",
                    contract.external_id,
                    field_name,
                    f"unknown_{field_name}",
                    f"contract {contract.external_id} names {field_name} '{named}', "
                    "which is not in the dataset",
                    index,
                )


def contract_opening_belongs_to_organization(records: Records) -> Iterator[DatasetIssue]:
    """A contract's opening is one of its organization's, and of the contract's position."""
    for index, contract in enumerate(records.dataset.contracts):
        opening = records.openings.get(contract.opening)
        if opening is None or not records.is_known("organizations", contract.organization):
            continue  # contract_references_exist says so
        if opening.organization != contract.organization:
            yield issue(
                "contract",
                contract.external_id,
                "opening",
                "opening_of_another_organization",
                f"contract {contract.external_id} holds opening {opening.external_id} of "
                f"organization {opening.organization}, not of {contract.organization}",
                index,
            )
        elif opening.position is not contract.position:
            yield issue(
                "contract",
                contract.external_id,
                "position",
                "position_differs_from_opening",
                f"contract {contract.external_id} is a {contract.position.value} contract on "
                f"{opening.position.value} opening {opening.external_id}",
                index,
            )


def contract_dates_in_order(records: Records) -> Iterator[DatasetIssue]:
    """A contract ends on or after the day it starts."""
    for index, contract in enumerate(records.dataset.contracts):
        if contract.ends_on < contract.started_on:
            yield issue(
                "contract",
                contract.external_id,
                "ends_on",
                "ends_before_start",
                f"contract {contract.external_id} ends on {contract.ends_on.isoformat()}, "
                f"before it starts ({contract.started_on.isoformat()})",
                index,
            )
