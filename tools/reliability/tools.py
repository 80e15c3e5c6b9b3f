"""What the command lines of the reliability tools share: the model they serve, and where the
results go (artifacts/reliability/<name>.json)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_model_and_out(parser: argparse.ArgumentParser, results_name: str) -> None:
    parser.add_argument("--model", type=Path, default=Path("artifacts/model.onnx"))
    parser.add_argument("--out", type=Path, default=Path("artifacts/reliability") / results_name)


def model_missing(model: Path) -> bool:
    """True, after one error line, if there is no model to serve."""
    if model.is_file():
        return False
    print(f"error: no model at {model} (run `make train export` first)", file=sys.stderr)
    return True
