"""The result's certificate (`result.Certificate`) from the side engine's prices: openings,
cap groups, participants and couples named by their external ids, the bounds in the
result's terms."""

from __future__ import annotations

import numpy as np

from jet_match.solver.caps import split_cap_key
from jet_match.solver.instance import Instance
from jet_match.solver.result import Certificate, Cut, CutRow, DualPrices
from jet_match.solver.side.certificate import PricedBound, SideCertificate
from jet_match.solver.side.prices import CUT_ROW, ROW_KINDS, CutPrices
from jet_match.solver.side.problem import couple_groups


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
    caps = {
        _cap_name(instance, int(key)): float(priced.prices.cap_key[key])
        for key in np.flatnonzero(priced.prices.cap_key > 0).tolist()
    }
    cuts = priced.prices.cuts
    return DualPrices(
        openings={t.opening_ids[j]: float(opening[j]) for j in np.flatnonzero(opening > 0)},
        caps=caps,
        placement=float(priced.prices.placement),
        placed_min=priced.placed_min,
        bound=priced.bound,
        unit=priced.unit,
        cuts=_cuts(instance, cuts) if cuts is not None else (),
    )


def _cap_name(instance: Instance, key: int) -> str:
    country, prefecture = split_cap_key(key)
    codes = instance.tables.country_codes
    return f"{codes[country] if country < len(codes) else ''}:{prefecture}"


def _cuts(instance: Instance, cuts: CutPrices) -> tuple[Cut, ...]:
    """The cuts with a price, and the earlier cuts they take (each named `c<index>`)."""
    needed = cuts.price > 0
    for k in range(len(cuts) - 1, -1, -1):
        if needed[k]:
            rows = slice(cuts.starts[k], cuts.starts[k + 1])
            taken = cuts.key[rows][cuts.kind[rows] == CUT_ROW]
            needed[taken] = True
    return tuple(
        Cut(
            id=f"c{k}",
            rows=tuple(
                _row(instance, int(kind), int(key), float(weight))
                for kind, key, weight in zip(
                    cuts.kind[cuts.starts[k] : cuts.starts[k + 1]].tolist(),
                    cuts.key[cuts.starts[k] : cuts.starts[k + 1]].tolist(),
                    cuts.weight[cuts.starts[k] : cuts.starts[k + 1]].tolist(),
                    strict=True,
                )
            ),
            rhs=round(float(cuts.rhs[k])),
            price=float(cuts.price[k]),
        )
        for k in np.flatnonzero(needed).tolist()
    )


def _row(instance: Instance, kind: int, key: int, weight: float) -> CutRow:
    t = instance.tables
    name = ROW_KINDS[kind]
    if name == "couple":
        n_organizations = len(t.organization_ids)
        couple, group = divmod(key, couple_groups(instance))
        partner = t.participant_ids[int(instance.partner_of[couple])]
        where = (
            f"organization:{t.organization_ids[group]}"
            if group < n_organizations
            else f"prefecture:{group - n_organizations}"
        )
        return CutRow(name, t.participant_ids[couple], weight, partner, where)
    if name == "participant":
        return CutRow(name, t.participant_ids[key], weight)
    if name == "opening":
        return CutRow(name, t.opening_ids[key], weight)
    if name == "cap":
        return CutRow(name, _cap_name(instance, key), weight)
    return CutRow(name, f"c{key}", weight)  # an earlier cut
