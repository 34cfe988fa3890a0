"""Allocating after idling, with glibc's defaults and with freed memory kept (issue 17).

python benchmarks/bench_idle_memory.py [--repeat 4] [--pauses 0,3,8]

The same numpy work (allocate arrays of a national problem's size, compute, free) after
sleeping each pause, median of `repeat`, in two fresh processes side by side: one with
glibc's defaults (the baseline), one after `process_memory.keep_freed_memory()` (what
every service process does under JET_MATCH_KEEP_FREED_MEMORY, the default). Also a pure
Python loop, which allocates nothing: whether computing itself slows after idling. See
benchmarks/README.md, "Freed memory kept in the process".
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

_ROWS = 6_000_000  # about the national problem's eligible pairs


def _numpy_work() -> float:
    import numpy as np

    began = time.perf_counter()
    values = np.arange(_ROWS, dtype=np.float64)
    for _ in range(5):
        doubled = values * 2.0
        order = np.argsort(doubled[: _ROWS // 12])
        int((doubled > _ROWS).sum() + order[0])
    return time.perf_counter() - began


def _python_work() -> float:
    began = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - began


def _child(mode: str, repeat: int, pauses: list[float]) -> None:
    """Print one line per work: the median seconds after each pause."""
    if mode == "kept":
        from jet_match.process_memory import keep_freed_memory

        assert keep_freed_memory(), "not glibc: nothing to compare"
    for work in (_numpy_work, _python_work):
        work()  # warm
        medians = []
        for pause in pauses:
            times = []
            for _ in range(repeat):
                time.sleep(pause)
                times.append(work())
            medians.append(statistics.median(times))
        print(work.__name__, *(f"{m:.3f}" for m in medians))


def main() -> None:
    """Run the benchmark: both modes, each in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--pauses", default="0,3,8")
    parser.add_argument("--child", choices=["defaults", "kept"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    pauses = [float(p) for p in args.pauses.split(",")]
    if args.child:
        _child(args.child, args.repeat, pauses)
        return
    print(f"# idle memory: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    header = " ".join(f"{'after ' + format(p, 'g') + ' s':>11}" for p in pauses)
    print(f"{'work':14} {'allocator':9} {header}")
    for mode in ("defaults", "kept"):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                mode,
                "--repeat",
                str(args.repeat),
                "--pauses",
                args.pauses,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for line in out.splitlines():
            name, *medians = line.split()
            label = "numpy" if name == "_numpy_work" else "pure Python"
            print(f"{label:14} {mode:9} " + " ".join(f"{m + ' s':>11}" for m in medians))


if __name__ == "__main__":
    main()
