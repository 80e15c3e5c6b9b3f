"""Fit the tuned and the default RandomForest on the training split and save them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier

from digits.artifacts import BASELINE_MODEL, BEST_MODEL, write_with


def fit_best(params: dict[str, Any], X: np.ndarray, y: np.ndarray, seed: int, n_jobs: int = 1,
             sample_weight: np.ndarray | None = None):
    """A RandomForest with `params` (empty: scikit-learn's defaults, the baseline)."""
    return RandomForestClassifier(**params, random_state=seed, n_jobs=n_jobs).fit(
        X, y, sample_weight=sample_weight)


def dump_model(target: Path, model: Any) -> Path:
    return write_with(target, lambda tmp: joblib.dump(model, tmp))


def save_models(artifacts: Path, best, baseline) -> tuple[Path, Path]:
    # n_jobs is a fitting choice, not part of the model: saved models predict single-threaded.
    for model in (best, baseline):
        model.set_params(n_jobs=None)
    return dump_model(artifacts / BEST_MODEL, best), dump_model(artifacts / BASELINE_MODEL, baseline)
