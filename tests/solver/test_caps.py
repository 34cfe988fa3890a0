"""The country-cap key: one encoding, used by the engines, the checks and the metrics."""

from __future__ import annotations

import numpy as np
from solver_builders import opening, org, person, problem

from jet_match.solver import prepare
from jet_match.solver.caps import PREFECTURE_CODES, cap_key, cap_key_count, split_cap_key


class TestCapKey:
    def test_a_key_splits_back_into_its_country_and_prefecture(self) -> None:
        for country, prefecture in [(0, 1), (3, 47), (12, 13)]:
            assert split_cap_key(cap_key(country, prefecture)) == (country, prefecture)

    def test_arrays_encode_and_decode_like_scalars(self) -> None:
        countries, prefectures = np.array([0, 2, 5]), np.array([47, 1, 13])
        keys = cap_key(countries, prefectures)
        pairs = zip(countries.tolist(), prefectures.tolist(), strict=True)
        assert keys.tolist() == [cap_key(c, p) for c, p in pairs]
        back = split_cap_key(keys)
        assert back[0].tolist() == countries.tolist()
        assert back[1].tolist() == prefectures.tolist()

    def test_every_key_of_n_countries_is_below_the_key_count(self) -> None:
        assert cap_key(2, PREFECTURE_CODES - 1) == cap_key_count(3) - 1

    def test_the_instance_keys_pairs_by_citizenship_and_prefecture(self) -> None:
        records = problem(
            [org("G1", 13), org("G2", 27)],
            [opening("O1", "G1"), opening("O2", "G2")],
            [person("P1"), person("P2", citizenship="GB")],
            max_country_share_per_prefecture=0.5,
        )
        inst = prepare(records)
        t = inst.tables
        keys = inst.country_prefecture(inst.pair_p.astype(np.int64), inst.pair_o.astype(np.int64))
        countries, prefectures = split_cap_key(keys)
        assert [t.country_codes[c] for c in countries] == [
            "US" if t.participant_ids[p] == "P1" else "GB" for p in inst.pair_p
        ]
        assert prefectures.tolist() == t.o_prefecture[inst.pair_o].tolist()
