"""The model's probabilities -> a confidence that means what it says, and how to measure that.

A RandomForest's class shares (the fraction of trees' votes) are not probabilities of being
right: on real handwriting they were badly calibrated (docs/real-handwriting.md). Raising them
to a power and renormalising (temperature scaling for vote shares) keeps every ranking, hence
every prediction, and fixes most of it. The export writes the same operation into the ONNX
graph (export/convert.py), so every runtime serves calibrated `probabilities`.
"""

from __future__ import annotations

from typing import Final

import numpy as np

# Chosen on the real development set (evaluation/handwriting/real/) for the default model (font glyphs in its
# fit: its vote shares are less sharp than a Digits-only forest's) as the power whose larger ECE,
# of the server's answer (the mean over digits/views.py's views) and of one upright row alone as a
# features-in runtime would send, is smallest (docs/real-handwriting.md, "Confidence"; chosen by
# `python -m train.calibration_choice`);
# re-measured by every training report.
CONFIDENCE_POWER: Final = 3.1
# Below this confidence an answer is "not sure": the lowest threshold within 0.02 of the best
# (share of wrong answers caught - share of right answers flagged) on the development set.
NOT_SURE_BELOW: Final = 0.75
RELIABILITY_BINS: Final = 10


def calibrate(probabilities: np.ndarray, power: float = CONFIDENCE_POWER) -> np.ndarray:
    """Rows of class shares -> rows of calibrated probabilities (same argmax, rows sum to 1)."""
    raised = np.power(np.asarray(probabilities, dtype=np.float64), power)
    return raised / raised.sum(axis=1, keepdims=True)


def reliability(confidence: np.ndarray, right: np.ndarray, bins: int = RELIABILITY_BINS
                ) -> list[tuple[float, float, int]]:
    """Per confidence bin (0.1 wide by default): (mean confidence, accuracy, count); empty bins left out."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    return [(float(confidence[which == b].mean()), float(right[which == b].mean()), int((which == b).sum()))
            for b in range(bins) if np.any(which == b)]


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray,
                               bins: int = RELIABILITY_BINS) -> float:
    """Mean |confidence - accuracy| over the bins, weighted by how many answers fall in each."""
    total = len(confidence)
    return sum(count / total * abs(conf - acc) for conf, acc, count in reliability(confidence, right, bins))


def not_sure_stats(confidence: np.ndarray, right: np.ndarray, threshold: float = NOT_SURE_BELOW
                   ) -> dict[str, float]:
    """What a "not sure" below `threshold` does: share of wrong answers caught, right ones flagged."""
    flagged = confidence < threshold
    wrong = ~right
    return {
        "threshold": threshold,
        "wrong_caught": float(flagged[wrong].mean()) if wrong.any() else float("nan"),
        "right_flagged": float(flagged[right].mean()) if right.any() else float("nan"),
        "flagged": float(flagged.mean()),
    }
