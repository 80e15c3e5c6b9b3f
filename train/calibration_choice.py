"""Choose the confidence power and the "not sure" threshold for a trained model on the whole real
development set, by the rules digits/calibration.py states: `python -m train.calibration_choice`.

The power is the one whose larger ECE, of the server's answer (the mean over the views) and of one
upright row alone, is smallest; the threshold the lowest whose (share of wrong answers caught -
share of right answers flagged) is within 0.02 of the best. It prints both tables and the values
to put in digits/calibration.py; it writes nothing. Like train/real_check.py it reads the real
digits only to score a fitted model.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402

from digits.artifacts import BEST_MODEL, missing_inputs  # noqa: E402
from digits.calibration import calibrate, expected_calibration_error, not_sure_stats  # noqa: E402
from digits.cli import OneLineParser  # noqa: E402
from digits.views import average_views  # noqa: E402
from evaluation.handwriting.render import load  # noqa: E402
from train.drawings_check import view_shares  # noqa: E402
from train.real_check import real_features  # noqa: E402

POWERS = np.round(np.arange(2.0, 4.51, 0.1), 1)
THRESHOLDS = np.round(np.arange(0.50, 0.951, 0.05), 2)
THRESHOLD_MARGIN = 0.02


def power_table(shares: np.ndarray, views: int, classes: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    rows = []
    for power in POWERS:
        calibrated = calibrate(shares, float(power))
        answer = average_views(calibrated, views)
        upright = calibrated.reshape(len(y), views, -1)[:, 0]
        right, right_up = classes[answer.argmax(axis=1)] == y, classes[upright.argmax(axis=1)] == y
        rows.append({"power": float(power), "accuracy": float(right.mean()),
                     "ece": expected_calibration_error(answer.max(axis=1), right),
                     "ece_upright": expected_calibration_error(upright.max(axis=1), right_up)})
    return rows


def choose_threshold(confidence: np.ndarray, right: np.ndarray) -> tuple[float, list[dict[str, Any]]]:
    stats = [not_sure_stats(confidence, right, float(t)) for t in THRESHOLDS]
    gains = [s["wrong_caught"] - s["right_flagged"] for s in stats]
    best = max(gains)
    return next(float(t) for t, g in zip(THRESHOLDS, gains) if g >= best - THRESHOLD_MARGIN), stats


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m train.calibration_choice", description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    args = parser.parse_args(argv)
    missing = missing_inputs(args.artifacts, (BEST_MODEL,))
    if missing:
        print(missing, file=sys.stderr)
        return 1
    model = joblib.load(args.artifacts / BEST_MODEL)
    X, y, _, _ = real_features(len(load().labels))
    shares = view_shares(model, X)
    table = power_table(shares, X.shape[1], model.classes_, y)
    chosen = min(table, key=lambda row: max(row["ece"], row["ece_upright"]))
    print(f"{len(y)} uploads\n\n| power | accuracy, views | ECE, views | ECE, upright row |\n|---|---|---|---|")
    for row in table:
        print(f"| {row['power']:.1f} | {row['accuracy']:.4f} | {row['ece']:.3f} | {row['ece_upright']:.3f} |")
    answer = average_views(calibrate(shares, chosen["power"]), X.shape[1])
    right = model.classes_[answer.argmax(axis=1)] == y
    threshold, stats = choose_threshold(answer.max(axis=1), right)
    print("\n| not sure below | wrong caught | right flagged |\n|---|---|---|")
    for s in stats:
        print(f"| {s['threshold']:.2f} | {s['wrong_caught']:.3f} | {s['right_flagged']:.3f} |")
    print(f"\nCONFIDENCE_POWER = {chosen['power']:.1f}  NOT_SURE_BELOW = {threshold:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
