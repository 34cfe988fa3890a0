"""The rules of identifiers: every record has its own external_id, and the records it
names exist.

An external_id is how every caller names a record (the service never asks for database
ids), so two records with one id would make every later reference ambiguous; a reference
to a malformed record counts as known (its structural error is reported instead).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from jet_match.dataset.format import Contract, Opening, Organization, Participant
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue

# --- identifiers -----------------------------------------------------------------------


def duplicate_external_ids(records: Records) -> Iterator[DatasetIssue]:
    """Every organization, opening and participant has its own external_id."""
    lists: tuple[tuple[str, Sequence[Organization | Opening | Participant | Contract]], ...] = (
        ("organization", records.dataset.organizations),
        ("opening", records.dataset.openings),
        ("participant", records.dataset.participants),
        ("contract", records.dataset.contracts),
    )
    for kind, items in lists:
        first_index: dict[str, int] = {}
        malformed = records.known_ids.get(kind + "s", set())
        for index, item in enumerate(items):
            rid = item.external_id
            if rid in first_index:
                yield issue(
                    kind,
                    rid,
                    "external_id",
                    "duplicate_external_id",
                    f"{kind} external_id '{rid}' is used twice "
                    f"(first by {kind} #{first_index[rid]})",
                    index,
                )
            elif rid in malformed:
                yield issue(
                    kind,
                    rid,
                    "external_id",
                    "duplicate_external_id",
                    f"{kind} external_id '{rid}' is also used by a malformed {kind}",
                    index,
                )
            first_index.setdefault(rid, index)


# --- references ------------------------------------------------------------------------


def opening_organization_exists(records: Records) -> Iterator[DatasetIssue]:
    """Every opening belongs to an organization of the dataset."""
    for index, opening in enumerate(records.dataset.openings):
        if not records.is_known("organizations", opening.organization):
            yield issue(
                "opening",
                opening.external_id,
                "organization",
                "unknown_organization",
                f"opening {opening.external_id} belongs to organization "
                f"'{opening.organization}', which is not in the dataset",
                index,
            )


def partner_exists(records: Records) -> Iterator[DatasetIssue]:
    """A participant's partner is a participant of the dataset."""
    for index, participant in enumerate(records.dataset.participants):
        partner = participant.partner
        if partner is not None and not records.is_known("participants", partner.external_id):
            yield issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "unknown_partner",
                f"participant {participant.external_id} names partner "
                f"'{partner.external_id}', who is not in the dataset",
                index,
            )
