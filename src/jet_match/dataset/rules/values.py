"""The rules of values inside one record: lists that name each thing once, an opening
that takes only some countries names one, and country and region codes that exist.

Preferred prefectures are up to three *different* choices; requested countries and sister
regions are sets written as lists. Citizenships and requested countries are ISO 3166-1
codes; home and sister regions are ISO 3166-1 countries or ISO 3166-2 subdivisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from jet_match.dataset.issues import DatasetIssue
from jet_match.dataset.record_index import Records, issue
from jet_match.dataset.reference import is_country_code, is_region_code

_T = TypeVar("_T")


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
