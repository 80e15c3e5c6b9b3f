"""Digits samples and their clear drawings, shared by the digits, recognizer and server tests."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from evaluation.drawings.grid import GridStyle, encode, render_grid
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
