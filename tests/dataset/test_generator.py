"""The fixture generator: realistic shape, deterministic, always valid."""

from __future__ import annotations

from collections import Counter
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jet_match.dataset.eligibility import count_eligible_pairs
from jet_match.dataset.format import (
    Dataset,
    OpeningStatus,
    OrganizationKind,
    ParticipantStatus,
    Position,
    dataset_to_json,
)
from jet_match.dataset.generator import generate_dataset, generate_scale
from jet_match.dataset.places import DESIGNATED_CITIES
from jet_match.dataset.validation import parse_dataset, validate_dataset


@cache
def _national() -> Dataset:
    return generate_scale("national", seed=1)


class TestNational:
    def test_is_valid(self) -> None:
        assert validate_dataset(_national()) == []

    def test_size_and_countries(self) -> None:
        dataset = _national()
        assert 5_500 <= len(dataset.participants) <= 6_500
        assert len({p.citizenship for p in dataset.participants}) >= 50
        assert 950 <= len(dataset.organizations) <= 1_050
        assert 1_900 <= len(dataset.openings) <= 2_100
        open_slots = sum(o.slots for o in dataset.openings if o.status is OpeningStatus.OPEN)
        assert 6_000 <= open_slots <= 7_000

    def test_organizations_cover_every_prefecture_and_designated_city(self) -> None:
        organizations = _national().organizations
        assert {o.prefecture for o in organizations} == set(range(1, 48))
        kinds = Counter(o.kind for o in organizations)
        assert kinds[OrganizationKind.PREFECTURE] == 47
        assert kinds[OrganizationKind.DESIGNATED_CITY] == len(DESIGNATED_CITIES) >= 18
        assert kinds[OrganizationKind.PRIVATE_SCHOOL] > 0
        names = {o.name for o in organizations}
        assert {"Sapporo City", "Yokohama City", "Kitakyushu City", "Kumamoto City"} <= names

    def test_position_shares_are_near_90_9_1(self) -> None:
        participants = _national().participants
        shares = {
            position: sum(p.position is position for p in participants) / len(participants)
            for position in Position
        }
        assert abs(shares[Position.ALT] - 0.90) <= 0.03
        assert abs(shares[Position.CIR] - 0.09) <= 0.03
        assert abs(shares[Position.SEA] - 0.01) <= 0.03

    def test_united_states_first_then_the_published_order(self) -> None:
        counts = Counter(p.citizenship for p in _national().participants)
        ranking = [code for code, _ in counts.most_common(8)]
        assert ranking == ["US", "GB", "CA", "AU", "NZ", "IE", "JM", "ZA"]

    def test_couples_alternates_and_withdrawals(self) -> None:
        participants = _national().participants
        coupled = sum(p.partner is not None for p in participants) / len(participants)
        assert 0.01 <= coupled <= 0.03
        alternates = [p for p in participants if p.status is ParticipantStatus.ALTERNATE]
        assert 0.04 <= len(alternates) / len(participants) <= 0.08
        for position in Position:
            ranks = sorted(p.alternate_rank or 0 for p in alternates if p.position is position)
            assert ranks == list(range(1, len(ranks) + 1))
        assert any(p.status is ParticipantStatus.WITHDRAWN for p in participants)

    def test_popular_prefectures_are_over_subscribed(self) -> None:
        dataset = _national()
        org_prefecture = {o.external_id: o.prefecture for o in dataset.organizations}
        slots = Counter[int]()
        for opening in dataset.openings:
            slots[org_prefecture[opening.organization]] += opening.slots
        first_choices = Counter(
            p.preferred_prefectures[0] for p in dataset.participants if p.preferred_prefectures
        )
        for tokyo_osaka_kyoto in (13, 27, 26):
            assert first_choices[tokyo_osaka_kyoto] > slots[tokyo_osaka_kyoto]

    def test_eligibility_is_dense(self) -> None:
        dataset = _national()
        shortlisted = sum(p.status is ParticipantStatus.SHORTLISTED for p in dataset.participants)
        open_posts = sum(o.status is OpeningStatus.OPEN for o in dataset.openings)
        pairs = count_eligible_pairs(dataset)
        assert 4_000_000 <= pairs <= 9_000_000
        # Nearly every ALT can take nearly any ALT post; CIR and SEA posts are a small rest.
        assert pairs / (shortlisted * open_posts) >= 0.5

    def test_names_are_real_world_unicode_and_emails_are_fake(self) -> None:
        participants = _national().participants
        names = {p.family_name for p in participants} | {p.given_name for p in participants}
        assert {"Nguyễn", "O'Connor", "Łukasz", "Zoë"} & names
        assert any(not name.isascii() for name in names)
        assert all(p.email.endswith(("@example.org", "@example.com")) for p in participants)
        assert len({p.email for p in participants}) == len(participants)

    def test_about_six_in_ten_jets_in_post_reappoint(self) -> None:
        contracts = _national().contracts
        intentions = Counter(contract.intention.value for contract in contracts)
        assert 0.55 <= intentions["reappointing"] / len(contracts) <= 0.65
        assert intentions["leaving"] > intentions["undecided"] > 0
        assert all(c.intention != "reappointing" for c in contracts if c.year_in_programme == 5)
        assert {c.ends_on.year for c in contracts} == {2026}

    def test_the_ledger_leaves_each_open_opening_its_slots(self) -> None:
        dataset = _national()
        staying = Counter(c.opening for c in dataset.contracts if c.intention.value != "leaving")
        for opening in dataset.openings:
            if opening.status is OpeningStatus.OPEN:
                assert opening.posts == opening.slots + staying[opening.external_id]


def test_the_same_seed_gives_the_same_dataset() -> None:
    first = generate_dataset(participants=120, organizations=30, openings=50, seed=3)
    again = generate_dataset(participants=120, organizations=30, openings=50, seed=3)
    other = generate_dataset(participants=120, organizations=30, openings=50, seed=4)
    assert dataset_to_json(first) == dataset_to_json(again)
    assert dataset_to_json(first) != dataset_to_json(other)


def test_couple_share_sets_the_number_of_couples() -> None:
    sizes = {"participants": 400, "organizations": 60, "openings": 120, "seed": 5}
    default = generate_dataset(**sizes)
    explicit = generate_dataset(**sizes, couple_share=0.02)
    tripled = generate_dataset(**sizes, couple_share=0.06)
    assert dataset_to_json(default) == dataset_to_json(explicit)
    coupled = sum(p.partner is not None for p in tripled.participants)
    assert coupled == 2 * round(400 * 0.06 / 2)
    assert validate_dataset(tripled) == []


def test_demo_scale_has_every_kind_of_record() -> None:
    dataset = generate_scale("demo", seed=1)
    participants = dataset.participants
    assert len(participants) == 300
    assert sum(p.partner is not None for p in participants) >= 4
    assert any(p.status is ParticipantStatus.ALTERNATE for p in participants)
    assert any(p.status is ParticipantStatus.WITHDRAWN for p in participants)
    assert {o.position for o in dataset.openings} == set(Position)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    participants=st.integers(min_value=0, max_value=150),
    organizations=st.integers(min_value=1, max_value=40),
    openings=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_generated_datasets_validate_and_survive_a_json_round_trip(
    participants: int, organizations: int, openings: int, seed: int
) -> None:
    dataset = generate_dataset(
        participants=participants, organizations=organizations, openings=openings, seed=seed
    )
    assert validate_dataset(dataset) == []
    for pretty in (False, True):
        raw = dataset_to_json(dataset, pretty=pretty)
        again = parse_dataset(raw)
        assert again == dataset
        assert dataset_to_json(again, pretty=pretty) == raw


def test_contracts_come_only_with_a_programme_year_and_change_nothing_else() -> None:
    plain = generate_dataset(participants=120, organizations=30, openings=50, seed=3)
    season = generate_dataset(
        participants=120, organizations=30, openings=50, seed=3, programme_year=2027
    )
    assert plain.contracts == []
    assert season.contracts
    assert {c.ends_on.year for c in season.contracts} == {2027}
    assert season.participants == plain.participants
    assert [o.model_copy(update={"posts": None}) for o in season.openings] == plain.openings
