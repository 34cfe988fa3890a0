"""Drawing helpers shared by the generator's modules: weighted choices and samples, whole
numbers apportioned by weights, ASCII slugs."""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

_T = TypeVar("_T")


def weighted_choice(rng: random.Random, items: Sequence[tuple[_T, float]]) -> _T:
    values = [item for item, _ in items]
    weights = [weight for _, weight in items]
    return rng.choices(values, weights=weights, k=1)[0]


def weighted_sample(
    rng: random.Random, values: Sequence[_T], weights: Sequence[float], k: int
) -> list[_T]:
    """k distinct values, each drawn with probability proportional to its weight."""
    keyed = sorted(
        ((rng.random() ** (1.0 / weight), index) for index, weight in enumerate(weights)),
        reverse=True,
    )
    return [values[index] for _, index in keyed[:k]]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder; ties by position)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    kept = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -"))
    return "-".join(kept.lower().replace("-", " ").split())
