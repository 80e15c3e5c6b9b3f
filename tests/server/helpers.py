"""Small shared bits for the server tests: Digits samples and their drawings."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.datasets import load_digits

from tests.drawing import Style, encode, render


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    features, labels = load_digits(return_X_y=True)
    return features, labels


def first_of(label: int) -> np.ndarray:
    features, labels = digits()
    return features[np.flatnonzero(labels == label)[0]]


def drawing(label: int, style: Style = Style(), fmt: str = "PNG") -> bytes:
    """A clear drawing of the first Digits sample of `label`, as file bytes."""
    return encode(render(first_of(label), style), fmt)
