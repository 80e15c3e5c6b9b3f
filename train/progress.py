"""How the study got to its best CV score: whether fewer trials would have found it."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

CHECKPOINTS: Final = (10, 25, 50)


@dataclass(frozen=True)
class Checkpoint:
    trials: int
    best: float  # best CV score among the first `trials` trials
    short_of_final: float  # final best minus `best`


def best_so_far(scores: Sequence[float], checkpoints: Sequence[int] = CHECKPOINTS) -> list[Checkpoint]:
    """The best score after each checkpoint (in trial order), and after the last trial if later."""
    counts = [n for n in checkpoints if n <= len(scores)]
    if scores and (not counts or counts[-1] != len(scores)):
        counts.append(len(scores))
    final = max(scores, default=math.nan)
    return [Checkpoint(n, max(scores[:n]), final - max(scores[:n])) for n in counts]


def first_within(scores: Sequence[float], margin: float) -> int | None:
    """How many trials it took to come within `margin` of the final best (None: no trials)."""
    if not scores:
        return None
    final = max(scores)
    return next(n for n in range(1, len(scores) + 1) if final - max(scores[:n]) <= margin)


@dataclass(frozen=True)
class Spread:
    trials: int
    best: float
    worst: float
    sd: float


def top_spread(scores: Sequence[float], top: int) -> Spread:
    """Range and standard deviation of the `top` best scores."""
    best = sorted(scores, reverse=True)[:top]
    return Spread(len(best), best[0], best[-1], statistics.pstdev(best))


def repeated(params: Sequence[Mapping[str, object]]) -> int:
    """Trials whose parameters an earlier trial already had: budget spent learning nothing new."""
    seen: set[tuple] = set()
    repeats = 0
    for trial in params:
        key = tuple(sorted(trial.items()))
        repeats += key in seen
        seen.add(key)
    return repeats
