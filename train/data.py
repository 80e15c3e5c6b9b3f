"""Load scikit-learn's Digits and make the stratified held-out split every stage agrees on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

TEST_SIZE = 0.2


@dataclass(frozen=True)
class Split:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_xy() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 Digits rows as float32 [N, 64] (values 0..16) and int labels."""
    digits = load_digits()
    return digits.data.astype(np.float32), digits.target.astype(np.int64)


def load_split(seed: int, test_size: float = TEST_SIZE) -> Split:
    X, y = load_xy()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    return Split(X_train, X_test, y_train, y_test)
