"""Issue 17: a priced LP's pricing of every usable pair, chunked, beside the whole-array
formula it replaced, on the same prices in the same run.

    python benchmarks/bench_pricing.py /tmp/seeds/national_3pct_cap45_seed12.json

Solves the dataset (as `bench_proofs.py --once` does, target gap 0) with a wrapper around
`CutColumns.reduced` (`priced_cuts.py`: each solve of the proof's LP priced over every
usable pair): each call computes the reduced profits both ways (`MasterLP.reduced_profits`,
chunk by chunk; and the former five passes over whole arrays), times both, and checks that
they are equal bit for bit. Prints the calls, the seconds of each and whether all were
equal. Only seeds whose proof prices a step over every pair call it (national 3 % + cap:
generator seeds 5 and 12).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from bench_proofs import ours_once

from jet_match.solver.side import priced_cuts
from jet_match.solver.side.pairs import FloatArray
from jet_match.solver.side.priced_cuts import CutColumns

_chunked = CutColumns.reduced
_seconds = {"chunked": 0.0, "whole": 0.0}
_calls = {"calls": 0, "equal": 0}


def whole_arrays(columns: CutColumns, y: FloatArray, costs: FloatArray) -> FloatArray:
    """The reduced profits as `CutColumns.reduced` computed them before (3faa0ba)."""
    lp, pairs = columns.lp, columns.lp.pairs
    priced = np.concatenate([y, [0.0]])
    d = lp.own_row_prices(y)
    np.subtract(costs, d, out=d)
    d -= y[lp.first_opening_row : columns.first_couple][pairs.opening]
    if columns.key_row is not None:
        d -= priced[columns.key_row][pairs.cap_key]
    d -= y[lp.cardinality_row]
    if len(columns.rows):
        d -= columns.coefficients.T @ y[columns.rows]
    return d


def both(columns: CutColumns, y: FloatArray, costs: FloatArray) -> FloatArray:
    began = time.perf_counter()
    chunked = _chunked(columns, y, costs)
    _seconds["chunked"] += time.perf_counter() - began
    began = time.perf_counter()
    whole = whole_arrays(columns, y, costs)
    _seconds["whole"] += time.perf_counter() - began
    _calls["calls"] += 1
    _calls["equal"] += int(np.array_equal(chunked, whole))
    return chunked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()
    priced_cuts.CutColumns.reduced = both  # type: ignore[method-assign]
    ours_once(args.dataset, args.limit)
    calls = _calls["calls"]
    print(
        f"pricings of every pair: {calls}, equal bit for bit: {_calls['equal']}; "
        f"chunked {_seconds['chunked']:.2f}s, whole arrays (baseline) {_seconds['whole']:.2f}s"
        + (f", ratio {_seconds['chunked'] / _seconds['whole']:.2f}" if calls else "")
    )


if __name__ == "__main__":
    main()
