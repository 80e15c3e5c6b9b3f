"""How the models do on real handwriting (evaluation/handwriting/real/), scored in-process for the report.

The real digits are a development set: they choose preprocessing, augmentation and calibration,
and are never a training or tuning row (tests/train/test_real_isolation.py). This module is
only called after the models are fitted. `make eval-real` measures all of them over HTTP.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import bootstrap

from digits.calibration import NOT_SURE_BELOW, calibrate, expected_calibration_error, not_sure_stats, reliability
from digits.decode import decode
from digits.errors import BlankImage
from digits.views import VIEWS, average_views
from evaluation.drawings.grid import encode
from evaluation.handwriting.render import STYLES, iter_uploads, load, spread
from train.compare import CONFIDENCE, Answers
from train.drawings_check import accuracy_by_style, right_answers, view_shares
from train.featurize import image_views

ECE_RESAMPLES = 1000

# Every 25th digit (all classes, in proportion) in each of the 8 styles: 1,600 uploads, well
# under a minute of preprocessing.
REPORT_DIGITS = 200


def real_features(count: int = REPORT_DIGITS) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features (float[N, VIEWS, 64]), labels, styles and digit indices of `count` real digits
    spread over the set, in every style, from the upload bytes."""
    features, labels, styles, indices = [], [], [], []
    digits = load()
    for upload in iter_uploads(digits, tuple(STYLES), spread(count, len(digits.labels))):
        try:
            # zlib level 1: the same pixels as a paint app's PNG, in half the encoding time.
            features.append(image_views(decode(encode(upload.image, compress_level=1))))
        except BlankImage:  # scored as wrong, as the server's 422 would be
            features.append(np.full((VIEWS, 64), -1.0, dtype=np.float32))
        labels.append(upload.label)
        styles.append(upload.style)
        indices.append(upload.index)
    return np.array(features), np.array(labels), np.array(styles), np.array(indices)


def ece_interval(confidence: np.ndarray, right: np.ndarray, groups: np.ndarray, seed: int = 0,
                 resamples: int = ECE_RESAMPLES) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the ECE, resampling digits (each with all its uploads):
    on a few hundred digits the ECE moves by points from one sample to the next."""
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]

    def ece_of(picked: np.ndarray) -> float:
        rows = np.concatenate([members[int(i)] for i in picked])
        return expected_calibration_error(confidence[rows], right[rows])

    result = bootstrap((np.arange(len(members)),), ece_of, n_resamples=resamples, vectorized=False,
                       confidence_level=CONFIDENCE, method="percentile", rng=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def calibration(model: Any, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    """ECE and reliability of `confidence` before and after the calibration the export applies."""
    shares = view_shares(model, X)
    answers = {"raw": average_views(shares, X.shape[1]),
               "calibrated": average_views(calibrate(shares), X.shape[1])}
    right = model.classes_[answers["calibrated"].argmax(axis=1)] == y
    result: dict[str, Any] = {}
    for name, probabilities in answers.items():
        confidence = probabilities.max(axis=1)
        result[name] = {
            "ece": expected_calibration_error(confidence, right),
            "ece_interval": ece_interval(confidence, right, groups),
            "mean_confidence": float(confidence.mean()),
            "reliability": reliability(confidence, right),
        }
    result["accuracy"] = float(right.mean())
    result["not_sure"] = not_sure_stats(answers["calibrated"].max(axis=1), right, NOT_SURE_BELOW)
    return result


def real_accuracy(models: dict[str, Any], count: int = REPORT_DIGITS) -> tuple[dict[str, Any], Answers]:
    """Accuracy per model and style; the answers are grouped by digit, as its 8 uploads are one
    writer's one digit."""
    X, y, styles, digits = real_features(count)
    right = right_answers(models, X, y)
    result: dict[str, Any] = {"uploads": int(len(y)), "digits": count}
    for name in models:
        result[name] = accuracy_by_style(right[name], styles)
    result["calibration"] = calibration(models["tuned"], X, y, digits)
    return result, Answers(right, groups=digits)
