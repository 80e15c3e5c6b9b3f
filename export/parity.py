"""The parity gate: onnxruntime must agree with scikit-learn before a model is published."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from digits.calibration import calibrate
from digits.contract import (
    BLANK_LABEL,
    IMAGE_INPUT,
    INPUT_NAME,
    LABEL_OUTPUT,
    N_FEATURES,
    PIXEL_MAX,
    PROBABILITIES_OUTPUT,
)
from digits.pixels import rgba, row_to_rgba
from evaluation.drawings.generate import iter_drawings
from evaluation.handwriting.render import STYLES, iter_uploads, load, spread
from recognizer.run import Featurizer, session_options

PROBABILITY_TOLERANCE = 1e-5


@dataclass(frozen=True)
class ParityResult:
    rows: int
    label_mismatches: int  # disagreements where scikit-learn's top two shares differ by more than the tolerance
    tie_rows: int  # rows where they are within the tolerance of each other
    tie_label_mismatches: int  # disagreements on those rows: either answer is right
    max_abs_probability_diff: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return self.label_mismatches == 0 and self.max_abs_probability_diff <= self.tolerance

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def probe_inputs(digits: np.ndarray, random_rows: int, seed: int) -> dict[str, np.ndarray]:
    """The rows the gate checks: every Digits row, uniform noise, integer noise and jittered digits.

    Integer and half-integer inputs sit exactly on the trees' k+0.5 thresholds' neighbours, and
    continuous noise lands anywhere, so both rounding paths of the comparison are exercised.
    """
    rng = np.random.default_rng(seed)
    third = random_rows // 3
    base = digits[rng.integers(0, len(digits), random_rows - 2 * third)]
    jittered = base + rng.normal(0.0, 2.0, base.shape)
    return {
        "digits": digits.astype(np.float32),
        "uniform": rng.uniform(0.0, PIXEL_MAX, (third, N_FEATURES)).astype(np.float32),
        "integers": rng.integers(0, int(PIXEL_MAX) + 1, (third, N_FEATURES)).astype(np.float32),
        "jittered_digits": np.clip(jittered, 0.0, PIXEL_MAX).astype(np.float32),
    }


def run_onnx(onnx_bytes: bytes, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    session = ort.InferenceSession(onnx_bytes, session_options(), providers=["CPUExecutionProvider"])
    labels, probabilities = session.run([LABEL_OUTPUT, PROBABILITIES_OUTPUT], {INPUT_NAME: X})
    return labels, probabilities


def compare(sk_model: Any, onnx_bytes: bytes, X: np.ndarray,
            tolerance: float = PROBABILITY_TOLERANCE) -> ParityResult:
    shares = sk_model.predict_proba(X)
    sk_labels = sk_model.classes_[np.argmax(shares, axis=1)]
    # What the graph must compute: the forest's shares, calibrated as digits/calibration.py says.
    sk_probabilities = calibrate(shares)
    onnx_labels, onnx_probabilities = run_onnx(onnx_bytes, X)
    # Ties are the forest's: top two shares closer than the tolerance. With sample weights the
    # shares are no longer multiples of 1/trees, and float32 (onnxruntime) cannot order two
    # shares a few ulps apart the way float64 (scikit-learn) does.
    top_two = np.sort(shares, axis=1)[:, -2:]
    tie = top_two[:, 1] - top_two[:, 0] <= tolerance
    mismatch = onnx_labels != sk_labels
    return ParityResult(
        rows=int(len(X)),
        label_mismatches=int(np.sum(mismatch & ~tie)),
        tie_rows=int(np.sum(tie)),
        tie_label_mismatches=int(np.sum(mismatch & tie)),
        max_abs_probability_diff=float(np.max(np.abs(onnx_probabilities - sk_probabilities))),
        tolerance=tolerance,
    )


def gate(sk_model: Any, onnx_bytes: bytes, probes: dict[str, np.ndarray],
         tolerance: float = PROBABILITY_TOLERANCE) -> dict[str, Any]:
    """Compare on each probe set; `passed` only if every set passes."""
    return _summary({name: compare(sk_model, onnx_bytes, X, tolerance) for name, X in probes.items()}, tolerance)


def _summary(by_set: dict[str, ParityResult], tolerance: float) -> dict[str, Any]:
    return {
        "passed": all(result.passed for result in by_set.values()),
        "tolerance": tolerance,
        "rows": sum(result.rows for result in by_set.values()),
        "label_mismatches": sum(r.label_mismatches for r in by_set.values()),
        "tie_rows": sum(r.tie_rows for r in by_set.values()),
        "max_abs_probability_diff": max(r.max_abs_probability_diff for r in by_set.values()),
        "sets": {name: result.to_json() for name, result in by_set.items()},
    }


def image_probes(digits: np.ndarray, seed: int, drawings_per_class: int = 10,
                 real_digits: int = 50) -> dict[str, list[np.ndarray]]:
    """The images the whole-file gate checks: every Digits row drawn as the 8x8 icon it describes,
    generated drawings of every style, and real development uploads of every style."""
    uploads = iter_uploads(load(), tuple(STYLES), spread(real_digits, len(load().labels)))
    return {
        "digits_as_icons": [row_to_rgba(row) for row in digits],
        "drawings": [rgba(drawing.image) for drawing in iter_drawings(seed, drawings_per_class)],
        "real_uploads": [rgba(upload.image) for upload in uploads],
    }


def compare_images(sk_model: Any, model_bytes: bytes, images: list[np.ndarray], featurizer: Featurizer,
                   tolerance: float = PROBABILITY_TOLERANCE) -> ParityResult:
    """The published file against its parts: the featurizer graph's views -> scikit-learn's
    predict_proba -> calibrate -> the mean over the views. A blank image must answer BLANK_LABEL
    with all-zero probabilities."""
    session = ort.InferenceSession(model_bytes, session_options(), providers=["CPUExecutionProvider"])
    answers = [session.run([LABEL_OUTPUT, PROBABILITIES_OUTPUT], {IMAGE_INPUT: pixels}) for pixels in images]
    labels = np.array([int(label[0]) for label, _ in answers])
    probabilities = np.vstack([p for _, p in answers])
    views = [featurizer.views(pixels) for pixels in images]
    blank = np.array([is_blank for _, is_blank in views])
    rows = np.vstack([features for features, _ in views])
    per_view = calibrate(sk_model.predict_proba(rows)).reshape(len(images), -1, probabilities.shape[1])
    expected = per_view.mean(axis=1)
    expected[blank] = 0.0
    expected_labels = np.where(blank, BLANK_LABEL, sk_model.classes_[np.argmax(expected, axis=1)])
    top_two = np.sort(expected, axis=1)[:, -2:]
    tie = ~blank & (top_two[:, 1] - top_two[:, 0] <= tolerance)
    mismatch = labels != expected_labels
    return ParityResult(
        rows=len(images),
        label_mismatches=int(np.sum(mismatch & ~tie)),
        tie_rows=int(np.sum(tie)),
        tie_label_mismatches=int(np.sum(mismatch & tie)),
        max_abs_probability_diff=float(np.max(np.abs(probabilities - expected))),
        tolerance=tolerance,
    )


def gate_images(sk_model: Any, model_bytes: bytes, probes: dict[str, list[np.ndarray]],
                tolerance: float = PROBABILITY_TOLERANCE) -> dict[str, Any]:
    featurizer = Featurizer()
    return _summary({name: compare_images(sk_model, model_bytes, images, featurizer, tolerance)
                     for name, images in probes.items()}, tolerance)
