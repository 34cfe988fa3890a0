"""Contracts in post (the season): the JETs already placed, and whether each intends to
stay another year."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from jet_match.dataset.format import Contract, Intention, Opening
from jet_match.dataset.generator.draws import weighted_choice
from jet_match.dataset.generator.participants import draw_citizenships, draw_name
from jet_match.dataset.generator.tables import JAPANESE_BY_POSITION

#: The share of JETs in post in each year of the programme (1-5), and how many of them
#: reappoint: about six in ten overall; nobody stays past the fifth year.
YEARS_IN_PROGRAMME: tuple[tuple[int, float, float], ...] = (
    (1, 35, 0.72),
    (2, 28, 0.65),
    (3, 20, 0.55),
    (4, 10, 0.45),
    (5, 7, 0.0),
)
#: The share of JETs who have not decided yet when the ledger is read.
UNDECIDED_SHARE = 0.06
FIELDS_OF_STUDY: tuple[tuple[str | None, float], ...] = (
    ("English Literature", 14), ("Education", 14), ("Linguistics", 10),
    ("Japanese Studies", 10), ("History", 8), ("International Relations", 8),
    ("Psychology", 6), ("Business", 6), ("Biology", 4), ("Music", 3), (None, 17),
)  # fmt: skip


def draw_contracts(
    rng: random.Random, openings: list[Opening], programme_year: int
) -> tuple[list[Opening], list[Contract]]:
    """The JETs in post at every open opening, deciding for `programme_year`, and the
    openings with their `posts`: each opening's slots are exactly the places the ledger
    leaves (posts - reappointing - undecided), so applying the demand changes nothing."""
    citizenships = draw_citizenships(rng, sum(math.ceil(o.slots * 2.6) for o in openings))
    years = [(year, weight) for year, weight, _ in YEARS_IN_PROGRAMME]
    stay_chance = {year: chance for year, _, chance in YEARS_IN_PROGRAMME}
    with_posts: list[Opening] = []
    contracts: list[Contract] = []
    for opening in openings:
        if opening.status != "open":
            with_posts.append(opening)
            continue
        in_post = max(1, round(opening.slots * rng.uniform(1.8, 3.2)))
        staying = 0
        for _ in range(in_post):
            year = weighted_choice(rng, years)
            draw = rng.random()
            if draw < stay_chance[year]:
                intention = Intention.REAPPOINTING
            elif year < 5 and draw < stay_chance[year] + UNDECIDED_SHARE:
                intention = Intention.UNDECIDED
            else:
                intention = Intention.LEAVING
            staying += intention is not Intention.LEAVING
            citizenship = citizenships.pop() if citizenships else "US"
            family, given = draw_name(rng, citizenship)
            started = date(programme_year - 1, 7, 24) + timedelta(days=rng.randrange(0, 40))
            contracts.append(
                Contract(
                    external_id=f"C-{len(contracts) + 1:05d}",
                    family_name=family,
                    given_name=given,
                    citizenship=citizenship,
                    position=opening.position,
                    organization=opening.organization,
                    opening=opening.external_id,
                    started_on=started,
                    ends_on=date(programme_year, started.month, started.day) - timedelta(days=1),
                    year_in_programme=year,
                    japanese_level=weighted_choice(rng, JAPANESE_BY_POSITION[opening.position]),
                    field_of_study=weighted_choice(rng, FIELDS_OF_STUDY),
                    intention=intention,
                    intention_set_on=(
                        None
                        if intention is Intention.UNDECIDED
                        else date(programme_year - 1, 12, 1) + timedelta(days=rng.randrange(60))
                    ),
                )
            )
        posts = min(500, opening.slots + staying)
        with_posts.append(opening.model_copy(update={"posts": posts}))
    return with_posts, contracts
