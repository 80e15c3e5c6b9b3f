"""Convert the tuned forest, check it behind the parity gate, publish model.onnx and forest.onnx.

Both files are renamed into place only if onnxruntime agrees with scikit-learn on feature rows and
the whole file agrees with its parts on images; otherwise the previous files stay.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.datasets import load_digits

from digits.artifacts import (
    BEST_MODEL,
    FOREST_FILE,
    METRICS_FILE,
    MODEL_FACTS_FILE,
    MODEL_FILE,
    PARITY_FILE,
    TUNING_FILE,
    atomic_path,
    write_json,
)
from digits.contract import (
    BLANK_LABEL,
    CLASSES,
    FEATURES_OUTPUT,
    GRID_SIDE,
    IMAGE_INPUT,
    INPUT_NAME,
    LABEL_OUTPUT,
    MODEL_VERSION_KEY,
    N_FEATURES,
    PIXEL_MAX,
    PROBABILITIES_OUTPUT,
    SURE_OUTPUT,
)
from digits.views import VIEWS
from export.convert import opset_imports, set_metadata, to_onnx
from export.parity import gate, gate_images, image_probes, probe_inputs
from recognizer.compose import recognizer_model

LIBRARIES = ("scikit-learn", "skl2onnx", "onnx", "onnxruntime", "optuna", "numpy")


class GateFailed(Exception):
    pass


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_facts(artifacts: Path, source_sha256: str) -> dict[str, Any]:
    """What travels inside the .onnx (metadata_props) and in model.json."""
    tuning = json.loads((artifacts / TUNING_FILE).read_text())
    metrics = json.loads((artifacts / METRICS_FILE).read_text())
    return {
        MODEL_VERSION_KEY: f"rf-{source_sha256[:12]}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_model_sha256": source_sha256,
        "training_params": tuning["best_params"],
        "cv_accuracy_mean": tuning["best_cv_mean"],
        "cv_accuracy_std": tuning["best_cv_std"],
        "cv_folds": tuning["folds"],
        "held_out_accuracy": metrics["tuned"]["accuracy"],
        "held_out_macro_f1": metrics["tuned"]["macro_f1"],
        "class_labels": list(CLASSES),
        "library_versions": {name: version(name) for name in LIBRARIES},
    }


# What each published file takes and answers (docs/contract.md).
FOREST_IO: dict[str, Any] = {
    "input": {"name": INPUT_NAME, "dtype": "float32", "shape": ["N", N_FEATURES]},
    "outputs": {LABEL_OUTPUT: {"dtype": "int64", "shape": ["N"]},
                PROBABILITIES_OUTPUT: {"dtype": "float32", "shape": ["N", len(CLASSES)]}},
    "preprocessing": (f"{N_FEATURES} features: a {GRID_SIDE}x{GRID_SIDE} grid flattened row-major; "
                      f"each value 0..{PIXEL_MAX:g} counts ink pixels in a 4x4 block of a "
                      "normalised 32x32 bitmap, as in scikit-learn's Digits (UCI optdigits)"),
}
RECOGNIZER_IO: dict[str, Any] = {
    "input": {"name": IMAGE_INPUT, "dtype": "uint8", "shape": ["height", "width", 4],
              "meaning": "a decoded image, RGBA"},
    "outputs": {LABEL_OUTPUT: {"dtype": "int64", "shape": [1], "blank": BLANK_LABEL},
                PROBABILITIES_OUTPUT: {"dtype": "float32", "shape": [1, len(CLASSES)]},
                SURE_OUTPUT: {"dtype": "bool", "shape": [1]},
                FEATURES_OUTPUT: {"dtype": "float32", "shape": [VIEWS, N_FEATURES]}},
    "preprocessing": "inside the graph (docs/contract.md): ink from the background colour, crop, deslant, "
                     "narrow, stroke normalisation, 32x32 fit, centring by mass, 4x4 counts; "
                     f"{VIEWS} views averaged",
}


# What export reads; `python -m train` writes them.
INPUTS = (BEST_MODEL, TUNING_FILE, METRICS_FILE)


def export(artifacts: Path, *, tolerance: float, random_rows: int, seed: int) -> dict[str, Any]:
    """Convert, gate and publish; the summary is what model.json says. Raises GateFailed."""
    source = artifacts / BEST_MODEL
    sk_model = joblib.load(source)
    facts = model_facts(artifacts, sha256_of(source))
    forest = to_onnx(sk_model)
    whole = set_metadata(recognizer_model(forest), {**facts, **RECOGNIZER_IO})
    onx = set_metadata(forest, {**facts, **FOREST_IO})
    onnx_bytes = onx.SerializeToString()
    whole_bytes = whole.SerializeToString()
    digits = load_digits().data.astype(np.float32)
    rows = gate(sk_model, onnx_bytes, probe_inputs(digits, random_rows, seed), tolerance)
    images = gate_images(sk_model, whole_bytes, image_probes(digits, seed), tolerance)
    parity = {"passed": rows["passed"] and images["passed"], "forest_rows": rows, "whole_file_images": images}
    write_json(artifacts / PARITY_FILE, parity)
    for part, verdict in (("feature rows", rows), ("images", images)):
        if not verdict["passed"]:
            raise GateFailed(
                f"parity gate failed on {part}: {verdict['label_mismatches']} label mismatches outside ties, "
                f"max |Δp| {verdict['max_abs_probability_diff']:.2e} (tolerance {tolerance:g}); "
                f"{MODEL_FILE} and {FOREST_FILE} not published, see {artifacts / PARITY_FILE}")
    with atomic_path(artifacts / FOREST_FILE) as tmp:
        tmp.write_bytes(onnx_bytes)
    with atomic_path(artifacts / MODEL_FILE) as tmp:
        tmp.write_bytes(whole_bytes)
    summary = {**facts, **RECOGNIZER_IO, "onnx_sha256": hashlib.sha256(whole_bytes).hexdigest(),
               "onnx_bytes": len(whole_bytes), "opset_imports": opset_imports(whole),
               "forest": {**FOREST_IO, "sha256": hashlib.sha256(onnx_bytes).hexdigest(),
                          "bytes": len(onnx_bytes), "opset_imports": opset_imports(onx)},
               "parity": {part: {k: v for k, v in verdict.items() if k != "sets"}
                          for part, verdict in (("forest_rows", rows), ("whole_file_images", images))}}
    write_json(artifacts / MODEL_FACTS_FILE, summary)
    return summary


def published_lines(summary: dict[str, Any], artifacts: Path, tolerance: float) -> list[str]:
    """What was checked and published, one line each."""
    lines = [f"parity ({part}): {parity['rows']} checked, {parity['label_mismatches']} label mismatches "
             f"({parity['tie_rows']} near-ties reported apart), max |Δp| "
             f"{parity['max_abs_probability_diff']:.2e} <= {tolerance:g}"
             for part, parity in summary["parity"].items()]
    lines.append(f"published {artifacts / MODEL_FILE} ({summary['onnx_bytes']:,} bytes, "
                 f"sha256 {summary['onnx_sha256'][:16]}…, opsets {summary['opset_imports']})")
    forest = summary["forest"]
    lines.append(f"published {artifacts / FOREST_FILE} ({forest['bytes']:,} bytes, "
                 f"sha256 {forest['sha256'][:16]}…, opsets {forest['opset_imports']})")
    return lines
