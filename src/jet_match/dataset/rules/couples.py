"""The rules of couples: a partner is someone else, the couple is mutual, and both
halves ask for the same closeness (same organization or same prefecture).

A couple may hold different positions (an ALT and a CIR of the same organization). A
partner who is not in the dataset is reported by `identifiers.partner_exists`, not here.
"""

from __future__ import annotations

from collections.abc import Iterator

from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue


def partner_is_someone_else(records: Records) -> Iterator[DatasetIssue]:
    """Nobody is their own partner."""
    for index, participant in enumerate(records.dataset.participants):
        if participant.partner is not None and (
            participant.partner.external_id == participant.external_id
        ):
            yield issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "partner_self",
                f"participant {participant.external_id} names themselves as partner",
                index,
            )


def partners_name_each_other(records: Records) -> Iterator[DatasetIssue]:
    """A couple is mutual: if A names B as partner, B names A."""
    for index, participant in enumerate(records.dataset.participants):
        partner_ref = participant.partner
        if partner_ref is None or partner_ref.external_id == participant.external_id:
            continue
        partner = records.participants.get(partner_ref.external_id)
        if partner is None:
            continue  # dangling or malformed: reported elsewhere
        if partner.partner is None:
            yield issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "partner_not_mutual",
                f"participant {participant.external_id} names {partner.external_id} as partner, "
                f"but {partner.external_id} names no partner",
                index,
            )
        elif partner.partner.external_id != participant.external_id:
            yield issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "partner_not_mutual",
                f"participant {participant.external_id} names {partner.external_id} as partner, "
                f"but {partner.external_id} names {partner.partner.external_id}",
                index,
            )


def partners_agree_on_constraint(records: Records) -> Iterator[DatasetIssue]:
    """Both halves of a couple ask for the same closeness (same organization or prefecture)."""
    for index, participant in enumerate(records.dataset.participants):
        partner_ref = participant.partner
        if partner_ref is None:
            continue
        partner = records.participants.get(partner_ref.external_id)
        if partner is None or partner.partner is None:
            continue
        if partner.partner.external_id != participant.external_id:
            continue
        if partner.partner.constraint is not partner_ref.constraint:
            yield issue(
                "participant",
                participant.external_id,
                "partner.constraint",
                "partner_constraint_mismatch",
                f"participant {participant.external_id} asks for {partner_ref.constraint.value} "
                f"with {partner.external_id}, who asks for {partner.partner.constraint.value}",
                index,
            )
