"""HiGHS models as the engine creates them: quiet, seeded, with a time limit."""

from __future__ import annotations

import os
from functools import cache

import highspy


@cache
def silence_banner() -> bool:
    """HiGHS prints a banner on stdout the first time a model is created in a process;
    create that first one with stdout muted (once), so that stdout stays clean."""
    saved = os.dup(1)
    with open(os.devnull, "w") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    return True


def new_highs(seed: int, time_limit: float) -> highspy.Highs:
    """A silent HiGHS instance with the engine's seed and a time limit (seconds)."""
    silence_banner()
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    highs.setOptionValue("time_limit", max(0.01, float(time_limit)))
    return highs
