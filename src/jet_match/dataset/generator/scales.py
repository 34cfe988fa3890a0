"""The named sizes of a generated dataset (`SCALES`), the demo's seed and the programme year."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ScaleName(StrEnum):
    """The named sizes of `SCALES`."""

    DEMO = "demo"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Scale:
    """The size of a generated dataset."""

    participants: int
    organizations: int
    openings: int
    #: Open slots per shortlisted participant of each position (a little above 1).
    slot_ratio: float = 1.17


#: Named sizes: `demo` for the demo and tests, `national` for a whole placement year.
SCALES: dict[ScaleName, Scale] = {
    ScaleName.DEMO: Scale(participants=300, organizations=60, openings=110),
    ScaleName.NATIONAL: Scale(participants=5_933, organizations=1_000, openings=2_000),
}
#: The seed fixtures/demo.json was generated with (and the CLI's default seed).
DEMO_SEED = 1
#: The programme year the named scales' contracts in post decide for.
PROGRAMME_YEAR = 2026
