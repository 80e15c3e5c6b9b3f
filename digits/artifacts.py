"""The files the stages hand each other in artifacts/, and how they are written.

Writes are atomic: readers only ever see the old complete file or the new complete one, so an
interrupted run leaves no half-written artifact.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

BEST_MODEL: Final = "best_model.pkl"  # tuned RandomForest (train -> export)
BASELINE_MODEL: Final = "baseline_model.pkl"  # default RandomForest, for the report
TUNING_FILE: Final = "tuning.json"  # the study's best parameters and CV scores
METRICS_FILE: Final = "metrics.json"  # held-out scores of both models
MODEL_FILE: Final = "model.onnx"  # the whole recognizer, RGBA pixels in: what the server runs and users embed
FOREST_FILE: Final = "forest.onnx"  # the forest alone, 64 Digits features in (Digits rows, the parity gate)
MODEL_FACTS_FILE: Final = "model.json"  # model.onnx's metadata, readable without onnx
PARITY_FILE: Final = "parity.json"  # the export gate's verdict


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only if the block succeeds.

    The temporary file lives in the same directory so the final os.replace is atomic
    (same filesystem), and an interrupted run (exception, Ctrl-C) leaves the old file untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_with(target: Path, writer: Callable[[Path], None]) -> Path:
    """Run `writer(tmp_path)` and publish the result at `target` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_text(target: Path, text: str) -> Path:
    return write_with(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(target: Path, data: Any) -> Path:
    return write_text(target, json.dumps(data, indent=2, sort_keys=True) + "\n")


def missing_inputs(artifacts: Path, names: tuple[str, ...]) -> str | None:
    """One-line error naming the inputs a stage lacks, or None when all are there."""
    missing = [name for name in names if not (artifacts / name).exists()]
    if not missing:
        return None
    return f"error: {artifacts} lacks {', '.join(missing)}; run `make train` first"
