"""The cross-field and cross-record rules of a dataset, one small function per rule, in
one module per theme: `identifiers` (own external_ids, references), `couples`, `values`
(lists without repeats, country and region codes), `alternates`, `sports`, `contracts`
(contracts in post and openings' posts), `pairs` (pins, forbidden pairs and the previous
plan).

Each rule reads a `Records` index of a structurally valid dataset and yields a
`DatasetIssue` per problem, naming the record kind, its external_id, the field and a
stable `code`. `check_dataset` runs them all, in the order of `RULES` (the order their
issues are reported), so a coordinator sees every problem at once. docs/dataset.md lists
the codes; tests/dataset/test_dataset_rules.py breaks each rule alone. The index they
all read is `dataset/record_index.py`.

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

from jet_match.dataset.format import Dataset
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, Rule
from jet_match.dataset.rules import (
    alternates,
    contracts,
    couples,
    identifiers,
    pairs,
    sports,
    values,
)

#: Every rule, in the order their issues are reported.
RULES: tuple[Rule, ...] = (
    identifiers.duplicate_external_ids,
    pairs.duplicate_pairs,
    pairs.participant_pinned_twice,
    pairs.participant_twice_in_previous_plan,
    identifiers.opening_organization_exists,
    identifiers.partner_exists,
    pairs.pair_references_exist,
    couples.partner_is_someone_else,
    couples.partners_name_each_other,
    couples.partners_agree_on_constraint,
    values.preferred_prefectures_distinct,
    values.requested_countries_distinct,
    values.sister_regions_distinct,
    values.required_country_is_named,
    values.country_codes_assigned,
    values.region_codes_assigned,
    alternates.alternate_rank_only_on_alternates,
    alternates.alternates_are_ranked,
    alternates.alternate_ranks_unique_per_position,
    sports.sport_only_on_sea_openings,
    sports.sea_records_name_sport,
    pairs.pins_hold_shortlisted_participants,
    pairs.pins_on_open_openings,
    pairs.pins_not_forbidden,
    pairs.pins_on_eligible_pairs,
    contracts.posts_hold_the_slots,
    contracts.contract_references_exist,
    contracts.contract_opening_belongs_to_organization,
    contracts.contract_dates_in_order,
)


def check_dataset(
    dataset: Dataset, *, known_ids: dict[str, set[str]] | None = None
) -> list[DatasetIssue]:
    """Run every rule on a structurally valid dataset; an empty list means it is valid."""
    records = Records(dataset, known_ids or {})
    return [issue for rule in RULES for issue in rule(records)]
