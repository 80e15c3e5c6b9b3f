"""What a step of the run costs: process CPU seconds and wall seconds, side by side.

The CPU figure is the one to compare between runs on a shared machine; wall time also counts
whatever else the cores were doing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


@contextlib.contextmanager
def measured(costs: dict[str, dict[str, float]], step: str) -> Iterator[None]:
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    costs[step] = {"cpu_s": round(time.process_time() - cpu, 2),
                   "wall_s": round(time.perf_counter() - wall, 2)}


def format_costs(costs: dict[str, dict[str, float]]) -> str:
    return "cost (CPU s / wall s): " + ", ".join(
        f"{step} {c['cpu_s']:.1f}/{c['wall_s']:.1f}" for step, c in costs.items())
