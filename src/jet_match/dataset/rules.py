"""The cross-field and cross-record rules of a dataset, one small function per rule.

Each rule reads a `Records` index of a structurally valid dataset and yields a
`DatasetIssue` per problem, naming the record kind, its external_id, the field and a
stable `code`. `check_dataset` runs them all, so a coordinator sees every problem at
once. docs/dataset.md lists the codes; tests/dataset/test_dataset_rules.py breaks each rule
alone. The rules of pins, forbidden pairs and the previous plan are in `pair_rules.py`;
the index they all read is `record_index.py`.

Decisions the rules encode (see docs/dataset.md):
- a couple may hold different positions (an ALT and a CIR of the same organization);
- an alternate must have an `alternate_rank`, unique per position, so the upgrade order
  is never left to chance;
- SEA openings and SEA participants must name their sport; other openings must not
  (a sport would silently narrow who can take an ALT or CIR post), while a non-SEA
  participant's sport is allowed and ignored;
- pins hold only shortlisted participants on open openings they are eligible for;
  more pins than slots is *not* a format error: the solver reports it as infeasible.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from jet_match.dataset import pair_rules
from jet_match.dataset.format import (
    Contract,
    Dataset,
    Opening,
    Organization,
    Participant,
    ParticipantStatus,
    Position,
)
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, Rule, issue
from jet_match.dataset.reference import is_country_code, is_region_code

_T = TypeVar("_T")

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


# --- couples ---------------------------------------------------------------------------


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


# --- values inside one record ----------------------------------------------------------


def _repeats(values: Sequence[_T]) -> Iterator[tuple[int, _T]]:
    seen: set[_T] = set()
    for position, value in enumerate(values):
        if value in seen:
            yield position, value
        seen.add(value)


def preferred_prefectures_distinct(records: Records) -> Iterator[DatasetIssue]:
    """A participant's preferred prefectures are three different places at most."""
    for index, participant in enumerate(records.dataset.participants):
        for position, code in _repeats(participant.preferred_prefectures):
            yield issue(
                "participant",
                participant.external_id,
                f"preferred_prefectures[{position}]",
                "preferred_prefecture_repeated",
                f"participant {participant.external_id} lists prefecture {code} more than once "
                f"in preferred_prefectures (choices must be different prefectures)",
                index,
            )


def requested_countries_distinct(records: Records) -> Iterator[DatasetIssue]:
    """An opening requests each country once."""
    for index, opening in enumerate(records.dataset.openings):
        for position, code in _repeats(opening.requested_countries):
            yield issue(
                "opening",
                opening.external_id,
                f"requested_countries[{position}]",
                "requested_country_repeated",
                f"opening {opening.external_id} requests country {code} more than once",
                index,
            )


def sister_regions_distinct(records: Records) -> Iterator[DatasetIssue]:
    """An organization lists each sister region once."""
    for index, organization in enumerate(records.dataset.organizations):
        for position, code in _repeats(organization.sister_regions):
            yield issue(
                "organization",
                organization.external_id,
                f"sister_regions[{position}]",
                "sister_region_repeated",
                f"organization {organization.external_id} lists sister region {code} "
                f"more than once",
                index,
            )


def required_country_is_named(records: Records) -> Iterator[DatasetIssue]:
    """An opening that only takes some countries names at least one."""
    for index, opening in enumerate(records.dataset.openings):
        if opening.country_required and not opening.requested_countries:
            yield issue(
                "opening",
                opening.external_id,
                "country_required",
                "country_required_without_countries",
                f"opening {opening.external_id} has country_required but no "
                f"requested_countries, so nobody could take it",
                index,
            )


def country_codes_assigned(records: Records) -> Iterator[DatasetIssue]:
    """Citizenships and requested countries are assigned ISO 3166-1 codes."""
    for index, participant in enumerate(records.dataset.participants):
        if not is_country_code(participant.citizenship):
            yield issue(
                "participant",
                participant.external_id,
                "citizenship",
                "unknown_country",
                f"citizenship '{participant.citizenship}' is not an ISO 3166-1 country code",
                index,
            )
    for index, contract in enumerate(records.dataset.contracts):
        if not is_country_code(contract.citizenship):
            yield issue(
                "contract",
                contract.external_id,
                "citizenship",
                "unknown_country",
                f"citizenship '{contract.citizenship}' is not an ISO 3166-1 country code",
                index,
            )
    for index, opening in enumerate(records.dataset.openings):
        for position, code in enumerate(opening.requested_countries):
            if not is_country_code(code):
                yield issue(
                    "opening",
                    opening.external_id,
                    f"requested_countries[{position}]",
                    "unknown_country",
                    f"requested country '{code}' is not an ISO 3166-1 country code",
                    index,
                )


def region_codes_assigned(records: Records) -> Iterator[DatasetIssue]:
    """Home regions and sister regions are ISO 3166-1 countries or ISO 3166-2 subdivisions."""
    for index, participant in enumerate(records.dataset.participants):
        region = participant.home_region
        if region is not None and not is_region_code(region):
            yield issue(
                "participant",
                participant.external_id,
                "home_region",
                "unknown_region",
                f"home_region '{region}' is neither an ISO 3166-1 country "
                f"nor an ISO 3166-2 subdivision code",
                index,
            )
    for index, organization in enumerate(records.dataset.organizations):
        for position, code in enumerate(organization.sister_regions):
            if not is_region_code(code):
                yield issue(
                    "organization",
                    organization.external_id,
                    f"sister_regions[{position}]",
                    "unknown_region",
                    f"sister region '{code}' is neither an ISO 3166-1 country "
                    f"nor an ISO 3166-2 subdivision code",
                    index,
                )


# --- alternates ------------------------------------------------------------------------


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


# --- sports ----------------------------------------------------------------------------


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


# --- contracts in post and posts (the season) --------------------------------------------


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


#: Every rule, in the order their issues are reported.
RULES: tuple[Rule, ...] = (
    duplicate_external_ids,
    pair_rules.duplicate_pairs,
    pair_rules.participant_pinned_twice,
    pair_rules.participant_twice_in_previous_plan,
    opening_organization_exists,
    partner_exists,
    pair_rules.pair_references_exist,
    partner_is_someone_else,
    partners_name_each_other,
    partners_agree_on_constraint,
    preferred_prefectures_distinct,
    requested_countries_distinct,
    sister_regions_distinct,
    required_country_is_named,
    country_codes_assigned,
    region_codes_assigned,
    alternate_rank_only_on_alternates,
    alternates_are_ranked,
    alternate_ranks_unique_per_position,
    sport_only_on_sea_openings,
    sea_records_name_sport,
    pair_rules.pins_hold_shortlisted_participants,
    pair_rules.pins_on_open_openings,
    pair_rules.pins_not_forbidden,
    pair_rules.pins_on_eligible_pairs,
    posts_hold_the_slots,
    contract_references_exist,
    contract_opening_belongs_to_organization,
    contract_dates_in_order,
)


def check_dataset(
    dataset: Dataset, *, known_ids: dict[str, set[str]] | None = None
) -> list[DatasetIssue]:
    """Run every rule on a structurally valid dataset; an empty list means it is valid."""
    records = Records(dataset, known_ids or {})
    return [issue for rule in RULES for issue in rule(records)]
