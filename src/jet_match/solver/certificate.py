"""The result's certificate (`result.Certificate`) from the side engine's prices: openings
and cap groups named by their external ids, the bounds in the result's terms."""

from __future__ import annotations

import numpy as np

from jet_match.solver.caps import split_cap_key
from jet_match.solver.instance import Instance
from jet_match.solver.result import Certificate, DualPrices
from jet_match.solver.side.certificate import PricedBound, SideCertificate


def certificate_of(
    instance: Instance, side: SideCertificate | None, pinned: int, score_offset: int
) -> Certificate | None:
    """The certificate of a side solve (None when the engine gave no prices)."""
    if side is None or (side.placements is None and side.score is None):
        return None
    placements = _prices(instance, side.placements)
    score = _prices(instance, side.score)
    return Certificate(
        placements=placements,
        score=score,
        pinned=pinned,
        score_offset=score_offset,
        placed_bound=placements.bound + pinned if placements is not None else None,
        score_bound=score.bound + score_offset if score is not None else None,
    )


def _prices(instance: Instance, priced: PricedBound | None) -> DualPrices | None:
    if priced is None:
        return None
    t = instance.tables
    opening = priced.prices.opening
    caps: dict[str, float] = {}
    for key in np.flatnonzero(priced.prices.cap_key > 0).tolist():
        country, prefecture = split_cap_key(int(key))
        code = t.country_codes[country] if country < len(t.country_codes) else ""
        caps[f"{code}:{prefecture}"] = float(priced.prices.cap_key[key])
    return DualPrices(
        openings={t.opening_ids[j]: float(opening[j]) for j in np.flatnonzero(opening > 0)},
        caps=caps,
        placement=float(priced.prices.placement),
        placed_min=priced.placed_min,
        bound=priced.bound,
    )
