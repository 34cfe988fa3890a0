"""What a service process's allocator does with memory it frees (glibc, Linux).

By default glibc serves every large block (a numpy array of the national problem: tens
of megabytes) with a mapping of its own and hands it back to the kernel when freed, and
trims the heap's free top. On a virtual machine the host reclaims, within seconds, the
pages a guest's kernel holds free; a process that allocates its arrays again after a
pause then faults in every page anew, slowly. Measured on a 2-core VM (benchmarks/
README.md, "Freed memory kept in the process"): the same numpy work took 0.106 s back to
back, 0.221 s after 3 s idle and 0.491 s after 8 s (`bench_idle_memory.py`); a re-solve
after one withdrawal, through the API with a coordinator's 3 s pause between re-solves,
0.48-0.63 s median.

`keep_freed_memory` makes large blocks come from the heap (no mapping of their own) and
never trims it: freed memory stays in the process and is reused at once (the numpy work
0.076-0.079 s whatever the pause; the re-solve 0.45-0.47 s). The process's resident size
then stays near its peak between uses, which is what docs/operations.md ("Memory") sizes
a host for; the peaks moved by 2 % (a solver process's by 7 % after repeated solves).
`JET_MATCH_KEEP_FREED_MEMORY=false` keeps glibc's defaults.

It also turns off numpy's huge-page advice: numpy asks the kernel for 2 MB pages
(`madvise(MADV_HUGEPAGE)`) over every array of 4 MB or more, and with large blocks now on
the heap that advice covers the heap as it grows, each fault of it a 2 MB page to clear
(or to assemble by compaction). A national solve with 3 % couples and a 45 % cap, the six
generator seeds (benchmarks/README.md, "Kept memory without numpy's huge-page advice"):
kept memory alone 0.3-2.3 s faster than glibc's defaults, kept memory without the advice
1.2-2.1 s (9-19 %) faster, the same plans. An operator's own `NUMPY_MADVISE_HUGEPAGE`
(numpy reads it at import) is left to decide.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameters (glibc's malloc.h)
_M_MMAP_MAX = -4
_NEVER = 2**31 - 1  # a trim threshold no heap top reaches (mallopt takes an int)


def keep_freed_memory() -> bool:
    """Keep what this process frees for its own later allocations (see the module). True
    when the C library took both settings (glibc); False elsewhere (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    no_own_mappings: bool = mallopt(_M_MMAP_MAX, 0) == 1
    never_trimmed: bool = mallopt(_M_TRIM_THRESHOLD, _NEVER) == 1
    _no_huge_page_advice()
    return no_own_mappings and never_trimmed


def _no_huge_page_advice() -> None:
    """numpy no longer advises huge pages for its arrays (see the module), unless the
    environment says what it wants (`NUMPY_MADVISE_HUGEPAGE`)."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    multiarray = importlib.import_module("numpy._core.multiarray")
    switch = getattr(multiarray, "_set_madvise_hugepage", None)  # numpy's own switch
    if switch is not None:
        switch(False)
