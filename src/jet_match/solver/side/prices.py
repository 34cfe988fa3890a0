"""Dual prices and what they prove (data only: the bound and the certificate use them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass
class Prices:
    """Dual prices of the relaxed rows (all >= 0)."""

    opening: npt.NDArray[np.float64]  # per opening
    cap_key: npt.NDArray[np.float64]  # per cap key
    placement: float  # of the cardinality row


@dataclass(frozen=True)
class PricedBound:
    """Prices, the cardinality row they assume (`sum x >= placed_min`) and the bound they
    give, floored (over the free participants; unit profits for the placements)."""

    prices: Prices
    placed_min: int
    bound: int


@dataclass(frozen=True)
class SideCertificate:
    """What the prices prove: no plan places more than `placements.bound`; none placing
    `score.placed_min` has a higher profit than `score.bound` (either may be missing)."""

    placements: PricedBound | None
    score: PricedBound | None
