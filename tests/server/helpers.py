"""Small shared bits for the server tests: Digits samples and their drawings, and decoding in
the decode workers as `python -m server` does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from digits.decode import use_decoder
from drawings.grid import GridStyle, encode, render_grid
from server.config import Settings
from server.decoding import DecodeWorkers
from train.data import load_split


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Digits rows the test model was fitted on (the default split's training part).

    The session's model comes from a deliberately quick tuning run, so it may miss a few held-out
    rows; these tests check the server's plumbing, not the model's generalisation.
    """
    split = load_split(seed=42)
    return split.X_train, split.y_train


def first_of(label: int) -> np.ndarray:
    features, labels = digits()
    return features[np.flatnonzero(labels == label)[0]]


def drawing(label: int, style: GridStyle = GridStyle(), fmt: str = "PNG") -> bytes:
    """A clear drawing of the first Digits sample of `label`, as file bytes."""
    return encode(render_grid(first_of(label), style), fmt)


@contextmanager
def isolated_decoding(settings: Settings, count: int = 1) -> Iterator[DecodeWorkers]:
    """digits.decode.decode runs in decode workers with `settings`' budgets, as in the server."""
    workers = DecodeWorkers(count, settings.decode_cpu_ms, settings.decode_memory_mib, settings.max_request_pixels)
    use_decoder(workers.decode)
    try:
        yield workers
    finally:
        use_decoder(None)
        workers.close()
