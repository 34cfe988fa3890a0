"""Preparing a national run's pairs (`prepare`: eligibility and scores of every pair), ours
beside another tree's, interleaved.

    python benchmarks/bench_prepare.py /tmp/seeds/national_3pct_cap45_seed1.json \
        --baseline-src /tmp/exp/base/src --repeat 3

Each repeat runs ours and the baseline in turn first, each in a fresh child process that
reads the dataset, then times `prepare` three times (the first pays the process's first
allocations). Printed per child: the three times, its peak RSS and an MD5 over the pair
arrays (the two trees must print the same); then each side's median and the ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from bench_proofs import child
from bench_solve import median, peak_mb

from jet_match.dataset.validation import read_dataset_file
from jet_match.services.bridge.solving import problem_from_dataset
from jet_match.solver import prepare

HERE = Path(__file__).resolve()


def prepare_once(path: Path) -> None:
    """Three `prepare`s of one dataset in this process; their figures as a JSON line."""
    problem = problem_from_dataset(read_dataset_file(path))
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        inst = prepare(problem)
        seconds.append(time.perf_counter() - started)
    digest = hashlib.md5()
    for array in (inst.pair_p, inst.pair_o, inst.pair_score, inst.pair_top):
        digest.update(np.ascontiguousarray(array).tobytes())
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "pairs": digest.hexdigest()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--baseline-src", type=Path, help="another tree's src")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.once:
        prepare_once(args.path)
        return
    if args.baseline_src is None:
        parser.error("--baseline-src is needed")
    command = [sys.executable, str(HERE), str(args.path), "--once"]
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for repeat in range(args.repeat):
        sources = {"ours": None, "baseline": args.baseline_src}
        order = list(sources) if repeat % 2 == 0 else list(reversed(sources))
        for name in order:
            run = child(command, sources[name])
            times[name] += run["seconds"]
            shown = " ".join(f"{s:.3f}" for s in run["seconds"])
            print(f"{name}: {shown} s, peak {run['peak_mb']:.0f} MB, pairs {run['pairs'][:12]}")
    ours, base = median(times["ours"]), median(times["baseline"])
    print(f"median: ours {ours:.3f} s, baseline {base:.3f} s, ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
