"""The cross-field and cross-record rules of a dataset, one small function per rule.

Each rule reads a `Records` index of a structurally valid dataset and yields a
`DatasetIssue` per problem, naming the record kind, its external_id, the field and a
stable `code`. `check_dataset` runs them all, so a coordinator sees every problem at
once. docs/dataset.md lists the codes; tests/dataset/test_dataset_rules.py breaks each rule alone.

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

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from jet_match.dataset.eligibility import REASON_TEXT, ineligibility_reasons
from jet_match.dataset.format import (
    Dataset,
    Opening,
    OpeningStatus,
    Organization,
    Pair,
    Participant,
    ParticipantStatus,
    Position,
)
from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.reference import is_country_code, is_region_code

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


def _external_id(record: Organization | Opening | Participant) -> str:
    return record.external_id


Rule = Callable[[Records], Iterable[DatasetIssue]]


def _issue(
    record: str, external_id: str | None, field: str | None, code: str, message: str, index: int
) -> DatasetIssue:
    return DatasetIssue(record, external_id, field, code, message, index)


# --- identifiers -----------------------------------------------------------------------


def duplicate_external_ids(records: Records) -> Iterator[DatasetIssue]:
    """Every organization, opening and participant has its own external_id."""
    lists: tuple[tuple[str, Sequence[Organization | Opening | Participant]], ...] = (
        ("organization", records.dataset.organizations),
        ("opening", records.dataset.openings),
        ("participant", records.dataset.participants),
    )
    for kind, items in lists:
        first_index: dict[str, int] = {}
        malformed = records.known_ids.get(kind + "s", set())
        for index, item in enumerate(items):
            rid = item.external_id
            if rid in first_index:
                yield _issue(
                    kind,
                    rid,
                    "external_id",
                    "duplicate_external_id",
                    f"{kind} external_id '{rid}' is used twice "
                    f"(first by {kind} #{first_index[rid]})",
                    index,
                )
            elif rid in malformed:
                yield _issue(
                    kind,
                    rid,
                    "external_id",
                    "duplicate_external_id",
                    f"{kind} external_id '{rid}' is also used by a malformed {kind}",
                    index,
                )
            first_index.setdefault(rid, index)


def duplicate_pairs(records: Records) -> Iterator[DatasetIssue]:
    """A pin, forbidden pair or previous placement is listed only once."""
    for list_name, kind in PAIR_LISTS:
        seen: dict[tuple[str, str], int] = {}
        for index, pair in enumerate(records.pairs(list_name)):
            key = (pair.participant, pair.opening)
            if key in seen:
                yield _issue(
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
            yield _issue(
                kind,
                pair.participant,
                "participant",
                code,
                f"participant {pair.participant} is {verb} twice: "
                f"to {earlier.opening} and to {pair.opening}",
                index,
            )


# --- references ------------------------------------------------------------------------


def opening_organization_exists(records: Records) -> Iterator[DatasetIssue]:
    """Every opening belongs to an organization of the dataset."""
    for index, opening in enumerate(records.dataset.openings):
        if not records.is_known("organizations", opening.organization):
            yield _issue(
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
            yield _issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "unknown_partner",
                f"participant {participant.external_id} names partner "
                f"'{partner.external_id}', who is not in the dataset",
                index,
            )


def pair_references_exist(records: Records) -> Iterator[DatasetIssue]:
    """Pins, forbidden pairs and the previous plan name existing participants and openings."""
    for list_name, kind in PAIR_LISTS:
        for index, pair in enumerate(records.pairs(list_name)):
            if not records.is_known("participants", pair.participant):
                yield _issue(
                    kind,
                    pair.participant,
                    "participant",
                    "unknown_participant",
                    f"{kind} names participant '{pair.participant}', who is not in the dataset",
                    index,
                )
            if not records.is_known("openings", pair.opening):
                yield _issue(
                    kind,
                    pair.participant,
                    "opening",
                    "unknown_opening",
                    f"{kind} of participant {pair.participant} names opening "
                    f"'{pair.opening}', which is not in the dataset",
                    index,
                )


# --- couples ---------------------------------------------------------------------------


def partner_is_someone_else(records: Records) -> Iterator[DatasetIssue]:
    """Nobody is their own partner."""
    for index, participant in enumerate(records.dataset.participants):
        if participant.partner is not None and (
            participant.partner.external_id == participant.external_id
        ):
            yield _issue(
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
            yield _issue(
                "participant",
                participant.external_id,
                "partner.external_id",
                "partner_not_mutual",
                f"participant {participant.external_id} names {partner.external_id} as partner, "
                f"but {partner.external_id} names no partner",
                index,
            )
        elif partner.partner.external_id != participant.external_id:
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
                "participant",
                participant.external_id,
                "citizenship",
                "unknown_country",
                f"citizenship '{participant.citizenship}' is not an ISO 3166-1 country code",
                index,
            )
    for index, opening in enumerate(records.dataset.openings):
        for position, code in enumerate(opening.requested_countries):
            if not is_country_code(code):
                yield _issue(
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
            yield _issue(
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
                yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
                "opening",
                opening.external_id,
                "sport",
                "sport_missing",
                f"SEA opening {opening.external_id} does not name its sport",
                index,
            )
    for index, participant in enumerate(records.dataset.participants):
        if participant.position is Position.SEA and participant.sport is None:
            yield _issue(
                "participant",
                participant.external_id,
                "sport",
                "sport_missing",
                f"SEA participant {participant.external_id} does not name their sport",
                index,
            )


# --- pins ------------------------------------------------------------------------------


def pins_hold_shortlisted_participants(records: Records) -> Iterator[DatasetIssue]:
    """Only shortlisted participants are pinned (not withdrawn people or alternates)."""
    for index, pair, participant, _opening in records.resolved_pairs("pins"):
        if participant.status is not ParticipantStatus.SHORTLISTED:
            yield _issue(
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
            yield _issue(
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
            yield _issue(
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
            yield _issue(
                "pin",
                pair.participant,
                "opening",
                "pin_ineligible",
                f"participant {pair.participant} is pinned to opening {pair.opening} but is "
                f"not eligible for it: {because} ({', '.join(reasons)})",
                index,
            )


#: Every rule, in the order their issues are reported.
RULES: tuple[Rule, ...] = (
    duplicate_external_ids,
    duplicate_pairs,
    participant_pinned_twice,
    participant_twice_in_previous_plan,
    opening_organization_exists,
    partner_exists,
    pair_references_exist,
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
    pins_hold_shortlisted_participants,
    pins_on_open_openings,
    pins_not_forbidden,
    pins_on_eligible_pairs,
)


def check_dataset(
    dataset: Dataset, *, known_ids: dict[str, set[str]] | None = None
) -> list[DatasetIssue]:
    """Run every rule on a structurally valid dataset; an empty list means it is valid."""
    records = Records(dataset, known_ids or {})
    return [issue for rule in RULES for issue in rule(records)]
