"""Score the tuned and baseline models on the held-out split: `python -m train.evaluate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from digits.artifacts import BASELINE_MODEL, BEST_MODEL, METRICS_FILE, TUNING_FILE, missing_inputs, write_json
from digits.cli import OneLineParser
from train.compare import Answers
from train.data import Split, load_split


def score_predictions(y: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    return {
        "accuracy": float(accuracy_score(y, predicted)),
        "macro_f1": float(f1_score(y, predicted, average="macro")),
        "classification_report": classification_report(y, predicted, output_dict=True, digits=4),
        "confusion_matrix": confusion_matrix(y, predicted, labels=np.arange(10)).tolist(),
    }


def evaluate_all(models: dict[str, Any], split: Split) -> tuple[dict[str, Any], Answers]:
    """Held-out scores of every model, and which rows each got right (for the comparisons)."""
    predicted = {name: model.predict(split.X_test) for name, model in models.items()}
    metrics: dict[str, Any] = {name: score_predictions(split.y_test, p) for name, p in predicted.items()}
    metrics["held_out_rows"] = int(len(split.y_test))
    return metrics, Answers({name: p == split.y_test for name, p in predicted.items()})


def evaluate_models(best: Any, baseline: Any, split: Split) -> dict[str, Any]:
    return evaluate_all({"tuned": best, "baseline": baseline}, split)[0]


def format_metrics(metrics: dict[str, Any]) -> str:
    lines = [f"held-out rows: {metrics['held_out_rows']}"]
    for name in ("tuned", "baseline"):
        m = metrics[name]
        lines.append(f"{name:>8}: accuracy {m['accuracy']:.4f}  macro F1 {m['macro_f1']:.4f}")
    lines.append("tuned per-class recall: " + " ".join(
        f"{c}:{metrics['tuned']['classification_report'][str(c)]['recall']:.2f}" for c in range(10)
    ))
    return "\n".join(lines)


def evaluate_artifacts(artifacts: Path) -> dict[str, Any]:
    tuning = json.loads((artifacts / TUNING_FILE).read_text())
    split = load_split(seed=tuning["seed"], test_size=tuning["test_size"])
    metrics = evaluate_models(
        joblib.load(artifacts / BEST_MODEL), joblib.load(artifacts / BASELINE_MODEL), split
    )
    write_json(artifacts / METRICS_FILE, metrics)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="python -m train.evaluate",
        description="Evaluate artifacts/best_model.pkl and baseline_model.pkl on the held-out split.",
    )
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"),
                        help="directory holding the models and tuning.json (default: artifacts)")
    args = parser.parse_args(argv)
    problem = missing_inputs(args.artifacts, (BEST_MODEL, BASELINE_MODEL, TUNING_FILE))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print(format_metrics(evaluate_artifacts(args.artifacts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
