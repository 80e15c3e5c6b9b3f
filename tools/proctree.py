"""What a server process and the processes it started (its decode workers) use, from /proc.

The server decodes uploads in child processes, so its own /proc/<pid>/stat no longer holds all the
CPU a request costs: the benchmarks and the reliability tools measure the whole tree.
"""

from __future__ import annotations

import os
from pathlib import Path


def tree(pid: int) -> list[int]:
    """`pid` and every live descendant."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its descendants, the exited ones included (reaped children
    are in their parent's cutime/cstime)."""
    total = 0
    for each in tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def status_kib(pid: int, field: str) -> int:
    """A /proc/<pid>/status field in KiB (VmRSS, VmHWM), 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and its descendants, summed (shared pages counted per process)."""
    return sum(status_kib(each, "VmRSS") for each in tree(pid))


def reset_peaks(pid: int) -> None:
    """Set each process's VmHWM back to its current VmRSS (clear_refs 5; needs the same user)."""
    for each in tree(pid):
        try:
            Path(f"/proc/{each}/clear_refs").write_text("5")
        except OSError:
            continue


def peak_rise_kib(pid: int, before: dict[int, int]) -> int:
    """The largest VmHWM - VmRSS-before over the tree's processes (new processes: their VmHWM)."""
    return max((status_kib(each, "VmHWM") - before.get(each, 0) for each in tree(pid)), default=0)


def rss_by_process(pid: int) -> dict[int, int]:
    return {each: status_kib(each, "VmRSS") for each in tree(pid)}
