"""Realistic, deterministic datasets shaped like a JET Programme placement year.

`generate_dataset(participants=..., organizations=..., openings=..., seed=...)` builds a
valid `Dataset` of any size; `generate_scale("demo" | "national", seed=...)` the two named
sizes. Everything is drawn from one `random.Random(seed)` in a fixed order (lists, never
set or dict-hash order), so a seed always gives the same dataset. The figures the
generator is grounded in, and which of them are approximations, are in docs/fixtures.md.
"""

from jet_match.dataset.generator.generate import generate_dataset, generate_scale
from jet_match.dataset.generator.scales import DEMO_SEED, PROGRAMME_YEAR, SCALES, Scale, ScaleName

__all__ = [
    "DEMO_SEED",
    "PROGRAMME_YEAR",
    "SCALES",
    "Scale",
    "ScaleName",
    "generate_dataset",
    "generate_scale",
]
