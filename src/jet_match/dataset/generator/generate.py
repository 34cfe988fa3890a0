"""`generate_dataset` and `generate_scale`: one `random.Random(seed)` drawn in a fixed order
through the generator's modules."""

from __future__ import annotations

import random

from jet_match.dataset.format import Contract, Dataset, Participant
from jet_match.dataset.generator.contracts import draw_contracts
from jet_match.dataset.generator.openings import draw_openings
from jet_match.dataset.generator.organizations import draw_organizations
from jet_match.dataset.generator.participants import draw_participants
from jet_match.dataset.generator.scales import PROGRAMME_YEAR, SCALES, ScaleName
from jet_match.dataset.generator.tables import COUPLED_SHARE


def generate_dataset(
    *,
    participants: int,
    organizations: int,
    openings: int,
    seed: int,
    slot_ratio: float = 1.17,
    couple_share: float = COUPLED_SHARE,
    programme_year: int | None = None,
) -> Dataset:
    """A valid, realistic dataset of the given size; the same arguments give the same one.

    `couple_share` is the share of participants who apply as a couple (2 % by default;
    the solver benchmarks use 3 %). With `programme_year`, the dataset also holds the JETs
    in post (`contracts`, deciding for that year) and the openings' `posts`, drawn after
    everything else so that the other records stay the same.
    """
    if participants < 0 or organizations < 1 or openings < 0:
        raise ValueError("need participants >= 0, organizations >= 1 and openings >= 0")
    if not 0.0 <= couple_share <= 1.0:
        raise ValueError("need 0 <= couple_share <= 1")
    rng = random.Random(seed)  # noqa: S311 (reproducible fixtures, not secrets)
    orgs = draw_organizations(rng, organizations)
    people = draw_participants(rng, participants, couple_share)
    opening_records = draw_openings(rng, orgs, people, openings, slot_ratio)
    contracts: list[Contract] = []
    if programme_year is not None:
        opening_records, contracts = draw_contracts(rng, opening_records, programme_year)
    return Dataset(
        format="jet-match/dataset@1",
        organizations=[org.record() for org in orgs],
        openings=opening_records,
        participants=[Participant.model_validate(person) for person in people],
        contracts=contracts,
    )


def generate_scale(scale: ScaleName | str, *, seed: int) -> Dataset:
    """The `demo` or `national` dataset for a seed."""
    size = SCALES[ScaleName(scale)]
    return generate_dataset(
        participants=size.participants,
        organizations=size.organizations,
        openings=size.openings,
        seed=seed,
        slot_ratio=size.slot_ratio,
        programme_year=PROGRAMME_YEAR,
    )
