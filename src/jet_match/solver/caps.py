"""The country-share cap's key: one (country, prefecture) group as one integer.

Prefecture codes run 1..47 (0 unused), so a key is `country x PREFECTURE_CODES +
prefecture`; every module that counts placements per cap group (the engines, the checks,
the metrics) encodes and decodes keys here, so that the encoding lives in one place.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

#: Integer arrays as the policy's tables hold them (not imported from policy: policy
#: imports problem, which imports this module).
IntArray = npt.NDArray[np.int64]

#: Prefecture codes 0..47 (0 unused): the size of any per-prefecture table.
PREFECTURE_CODES = 48


@overload
def cap_key(country: int, prefecture: int) -> int: ...
@overload
def cap_key(country: IntArray, prefecture: IntArray) -> IntArray: ...
def cap_key(country: int | IntArray, prefecture: int | IntArray) -> int | IntArray:
    """The key of the (country, prefecture) cap group (vectorised over arrays)."""
    return country * PREFECTURE_CODES + prefecture


@overload
def split_cap_key(key: int) -> tuple[int, int]: ...
@overload
def split_cap_key(key: IntArray) -> tuple[IntArray, IntArray]: ...
def split_cap_key(key: int | IntArray) -> tuple[int, int] | tuple[IntArray, IntArray]:
    """(country index, prefecture code) of a cap key (vectorised over arrays)."""
    if isinstance(key, int):
        return divmod(key, PREFECTURE_CODES)
    return key // PREFECTURE_CODES, key % PREFECTURE_CODES


def cap_key_count(countries: int) -> int:
    """Number of keys of `countries` countries (every prefecture code of each)."""
    return countries * PREFECTURE_CODES
