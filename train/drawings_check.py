"""How the models do on paint-app style drawings (evaluation/drawings/), scored in-process for the report.

The drawings are never trained or tuned on; they only show whether augmentation closes the gap
between Digits rows and what users upload. `make eval-drawings` measures the same over HTTP.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from digits.calibration import calibrate
from digits.errors import BlankImage
from digits.views import average_views
from evaluation.drawings.generate import iter_drawings
from train.compare import Answers
from train.featurize import image_views

REPORT_PER_CLASS = 10  # per digit per style: 800 drawings, a few seconds of preprocessing
REPORT_SEED = 2024  # not the seed of `make drawings`, so the report's sample is its own


def drawing_features(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    features, labels, styles = [], [], []
    for drawing in iter_drawings(seed=seed, per_class=per_class):
        try:
            features.append(image_views(drawing.image))
        except BlankImage:
            continue
        labels.append(drawing.label)
        styles.append(drawing.style)
    return np.array(features), np.array(labels), np.array(styles)


def accuracy_by_style(right: np.ndarray, styles: np.ndarray) -> dict[str, Any]:
    return {
        "overall": float(right.mean()),
        "per_style": {style: float(right[styles == style].mean())
                      for style in sorted(set(styles.tolist()))},
    }


def view_shares(model: Any, X: np.ndarray) -> np.ndarray:
    """float[N, VIEWS, 64] -> the model's class shares for every view, float[N * VIEWS, 10]."""
    return model.predict_proba(X.reshape(-1, X.shape[-1]))


def answer_probabilities(model: Any, X: np.ndarray) -> np.ndarray:
    """float[N, VIEWS, 64] -> float[N, 10]: what the server answers (calibrated in the exported
    graph, then averaged over the views)."""
    return average_views(calibrate(view_shares(model, X)), X.shape[1])


def right_answers(models: dict[str, Any], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    return {name: model.classes_[answer_probabilities(model, X).argmax(axis=1)] == y
            for name, model in models.items()}


def drawing_accuracy(models: dict[str, Any], per_class: int = REPORT_PER_CLASS,
                     seed: int = REPORT_SEED) -> tuple[dict[str, Any], Answers]:
    X, y, styles = drawing_features(per_class, seed)
    right = right_answers(models, X, y)
    result: dict[str, Any] = {"drawings": int(len(y)), "per_class_per_style": per_class}
    for name in models:
        result[name] = accuracy_by_style(right[name], styles)
    return result, Answers(right)
