"""The final fit's training rows, rendered in a second process while the study tunes.

Rendering them (every Digits copy and font glyph through the featurizer graph; its cost:
docs/real-handwriting.md, "Training rows through the featurizer graph") does not depend on the
study, and tuning runs its forests on one core: on the 2-core machine the rows cost `make train`
no wall time this way. The child is spawned, not forked, so it starts its own
onnxruntime session instead of inheriting the parent's threads.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool

import numpy as np

from train.augment import TrainingSet, augment
from train.cost import measured
from train.glyphs import GLYPHS, glyph_rows


@dataclass(frozen=True)
class FitRows:
    data: TrainingSet
    glyphs: tuple[np.ndarray, np.ndarray] | None
    costs: dict[str, dict[str, float]]  # CPU and wall seconds of each step, in the process that ran it


def render_fit_rows(X: np.ndarray, y: np.ndarray, copies: int, seed: int, with_glyphs: bool) -> FitRows:
    costs: dict[str, dict[str, float]] = {}
    with measured(costs, "augment"):
        data = augment(X, y, copies, seed)
    glyphs = None
    if with_glyphs:
        with measured(costs, "render glyphs"):
            glyphs = glyph_rows(GLYPHS, seed)
    return FitRows(data, glyphs, costs)


class Background:
    """render_fit_rows in a spawned process; `result()` waits for it, `stop()` ends it unfinished."""

    def __init__(self, X: np.ndarray, y: np.ndarray, copies: int, seed: int, with_glyphs: bool) -> None:
        self.started = time.perf_counter()
        self.pool: Pool = multiprocessing.get_context("spawn").Pool(1)
        self.pending: AsyncResult = self.pool.apply_async(render_fit_rows, (X, y, copies, seed, with_glyphs))

    def result(self) -> FitRows:
        rows = self.pending.get()
        self.pool.close()
        self.pool.join()
        return rows

    def stop(self) -> None:
        self.pool.terminate()
        self.pool.join()
