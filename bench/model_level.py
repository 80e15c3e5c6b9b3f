"""Model level: scikit-learn `predict` vs onnxruntime (as the server calls it), 1 row and 1000 rows.

Each measurement times a block of calls (so a 20 us call is not lost in timer noise); the two
runtimes' blocks alternate, and the median per-call time over the blocks is reported.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any, Callable

import joblib
import numpy as np
from sklearn.datasets import load_digits

from server.model import Model

BATCH = 1000


def per_call_seconds(call: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def calls_per_block(call: Callable[[], Any], target_s: float = 0.02) -> int:
    """How many calls make a block of about `target_s` (at least 1)."""
    once = per_call_seconds(call, 1)
    return max(1, int(target_s / max(once, 1e-7)))


def compare(sklearn_model: Path, onnx_model: Path, repetitions: int = 30, ort_threads: int = 1) -> dict[str, Any]:
    forest = joblib.load(sklearn_model)
    onnx = Model.load(onnx_model, intra_op_threads=ort_threads)
    rows = load_digits().data.astype(np.float32)
    batch = np.resize(rows, (BATCH, rows.shape[1]))  # repeats Digits' 1797 rows to the batch size
    one = batch[:1]
    if not np.array_equal(forest.predict(batch), onnx.predict(batch).labels):
        raise RuntimeError("scikit-learn and onnxruntime disagree on the benchmark batch")
    cases = {"1 row": one, f"{BATCH} rows": batch}
    results = {}
    for case, features in cases.items():
        runtimes = {"sklearn": lambda f=features: forest.predict(f),
                    "onnxruntime": lambda f=features: onnx.predict(f)}
        blocks = {name: calls_per_block(call) for name, call in runtimes.items()}
        samples: dict[str, list[float]] = {name: [] for name in runtimes}
        for _ in range(repetitions):
            for name, call in runtimes.items():
                samples[name].append(per_call_seconds(call, blocks[name]))
        timing = {name: {"median_ms": round(statistics.median(s) * 1000, 4),
                         "min_ms": round(min(s) * 1000, 4),
                         "calls": blocks[name] * repetitions}
                  for name, s in samples.items()}
        sk, ort = timing["sklearn"]["median_ms"], timing["onnxruntime"]["median_ms"]
        results[case] = {**timing, "speedup": round(sk / ort, 1)}
    params = forest.get_params()
    return {
        "model": {"n_estimators": params["n_estimators"], "max_depth": params["max_depth"],
                  "n_jobs": params["n_jobs"], "onnx_sha256": onnx.sha256},
        "repetitions": repetitions,
        "ort_threads": ort_threads,
        "cases": results,
    }
