"""Peak resident memory of the service's processes while a benchmark runs (Linux).

python benchmarks/peak_rss.py -- python benchmarks/bench_pages.py DATASET.json

Runs the command and, every 0.2 s, reads the peak resident set (`VmHWM` in
/proc/PID/status: the kernel's own high-water mark, so nothing between samples is
missed while the process lives) of every process under it; at the end prints the
largest per role: `api` (`jet-match serve`), `worker` (`jet-match worker`) and
`solver` (a child of the worker: the solve of one run). Used for docs/operations.md,
"Memory".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _children() -> dict[int, int]:
    """Every process's parent, by pid."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    return parents


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _role(pid: int, parents: dict[int, int], roles: dict[int, str]) -> str | None:
    if pid in roles:
        return roles[pid]
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    if " serve" in command:
        return "api"
    if command.rstrip().endswith(" worker"):
        return "worker"
    if roles.get(parents.get(pid, 0)) in ("worker", "solver"):  # its solve (or forkserver)
        return "solver"
    return None


def main() -> None:
    command = sys.argv[sys.argv.index("--") + 1 :]
    top = subprocess.Popen(command)
    peaks: dict[str, int] = {}
    roles: dict[int, str] = {}
    while top.poll() is None:
        parents = _children()
        under = {top.pid}
        for pid, parent in sorted(parents.items(), key=lambda item: item[0]):
            if parent in under:
                under.add(pid)
        for pid in sorted(under - {top.pid, os.getpid()}):
            role = _role(pid, parents, roles)
            if role is None:
                continue
            roles[pid] = role
            peaks[role] = max(peaks.get(role, 0), _peak_kb(pid))
        time.sleep(0.2)
    for role in ("api", "worker", "solver"):
        print(f"peak RSS {role:7} {peaks.get(role, 0) / 1024:.0f} MB", flush=True)
    sys.exit(top.returncode)


if __name__ == "__main__":
    main()
