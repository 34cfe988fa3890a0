"""Dual prices and what they prove (data only: the bound and the certificate use them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: The rows a cut takes (`CutPrices.kind`): a participant's (key: participant index), an
#: opening's (opening index), a cap group's (cap key), a couple's in one group (couple
#: key: the couple's smaller member index x groups + the group), an earlier cut's (its
#: index among the cuts).
PARTICIPANT_ROW, OPENING_ROW, CAP_ROW, COUPLE_ROW, CUT_ROW = range(5)
#: Their names in the result's certificate (`result.CutRow.kind`), by kind.
ROW_KINDS = ("participant", "opening", "cap", "couple", "cut")


@dataclass(frozen=True)
class CutPrices:
    """Cuts dualised beside the openings, caps and cardinality row (`priced_cuts.py`).

    Cut k takes the rows `starts[k]:starts[k + 1]` of `kind`, `key` and `weight` (>= 0):
    `sum over pairs of floor(sum of weight x the pair's coefficient in each row) x <=
    rhs[k]`, `rhs[k]` = floor(sum of weight x each row's limit). It holds for every plan
    (a Chvatal-Gomory cut of rows every plan meets); its price is `price[k]` (>= 0).
    `at` and `penalty`: the usable pairs (positions) whose sum of price x coefficient
    is not 0, and that sum (sparse: a cut's coefficients are 0 on most pairs).
    """

    starts: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]
    key: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    rhs: npt.NDArray[np.float64]
    price: npt.NDArray[np.float64]
    at: npt.NDArray[np.int64]
    penalty: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.rhs)


@dataclass
class Prices:
    """Dual prices of the relaxed rows (all >= 0)."""

    opening: npt.NDArray[np.float64]  # per opening
    cap_key: npt.NDArray[np.float64]  # per cap key
    placement: float  # of the cardinality row
    cuts: CutPrices | None = None  # cuts dualised too (the LP with cuts, priced)


@dataclass(frozen=True)
class PricedBound:
    """Prices, the cardinality row they assume (`sum x >= placed_min`) and the bound they
    give, floored to a multiple of `unit` (over the free participants; unit profits for
    the placements). Every plan's value is a multiple of `unit` (the profits' greatest
    common divisor, `state.profit_unit`; 1 for the placements)."""

    prices: Prices
    placed_min: int
    bound: int
    unit: int = 1


@dataclass(frozen=True)
class SideCertificate:
    """What the prices prove: no plan places more than `placements.bound`; none placing
    `score.placed_min` has a higher profit than `score.bound` (either may be missing)."""

    placements: PricedBound | None
    score: PricedBound | None
