"""Model level: scikit-learn `predict` vs onnxruntime on the same forest (forest.onnx, the forest
inside model.onnx), 1 row and 1000 rows.

Each measurement times a block of calls (so a 20 us call is not lost in timer noise); the two
runtimes' blocks alternate, and the median per-call time over the blocks is reported.

A third case times single calls right after the CPU caches were flushed: that is what a request
pays, because decoding and preprocessing an image evict the forest's nodes between predictions.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import onnxruntime as ort
from sklearn.datasets import load_digits

from digits.contract import INPUT_NAME

BATCH = 1000
FLUSH_BYTES = 64 * 2**20  # larger than any L3 cache this runs on
COLD_CASE = "1 row, caches flushed"


def per_call_seconds(call: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def calls_per_block(call: Callable[[], Any], target_s: float = 0.02) -> int:
    """How many calls make a block of about `target_s` (at least 1)."""
    once = per_call_seconds(call, 1)
    return max(1, int(target_s / max(once, 1e-7)))


def cold_call_seconds(call: Callable[[], Any], flush: np.ndarray) -> float:
    flush += 1  # writes every cache line of a buffer larger than the caches
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


class Forest:
    """forest.onnx in onnxruntime, optimisers off as the server has them."""

    def __init__(self, path: Path, ort_threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = ort_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.session.run(None, {INPUT_NAME: features})[0]


def compare(sklearn_model: Path, forest_model: Path, repetitions: int = 30, ort_threads: int = 1) -> dict[str, Any]:
    forest = joblib.load(sklearn_model)
    onnx = Forest(forest_model, ort_threads)
    rows = load_digits().data.astype(np.float32)
    batch = np.resize(rows, (BATCH, rows.shape[1]))  # repeats Digits' 1797 rows to the batch size
    one = batch[:1]
    if not np.array_equal(forest.predict(batch), onnx.predict(batch)):
        raise RuntimeError("scikit-learn and onnxruntime disagree on the benchmark batch")
    results = {}
    for case, features in {"1 row": one, f"{BATCH} rows": batch}.items():
        runtimes = _runtimes(forest, onnx, features)
        blocks = {name: calls_per_block(call) for name, call in runtimes.items()}
        samples = _alternate(runtimes, repetitions, lambda name, call: per_call_seconds(call, blocks[name]))  # noqa: B023 (called inside this iteration)
        results[case] = _summary(samples, {name: blocks[name] * repetitions for name in runtimes})
    flush = np.zeros(FLUSH_BYTES, dtype=np.uint8)
    samples = _alternate(_runtimes(forest, onnx, one), repetitions, lambda _, call: cold_call_seconds(call, flush))
    results[COLD_CASE] = _summary(samples, dict.fromkeys(samples, repetitions))
    params = forest.get_params()
    return {
        "model": {"n_estimators": params["n_estimators"], "max_depth": params["max_depth"],
                  "n_jobs": params["n_jobs"], "onnx_sha256": onnx.sha256},
        "repetitions": repetitions,
        "ort_threads": ort_threads,
        "cases": results,
    }


def _runtimes(forest: Any, onnx: Forest, features: np.ndarray) -> dict[str, Callable[[], Any]]:
    return {"sklearn": lambda: forest.predict(features), "onnxruntime": lambda: onnx.predict(features)}


def _alternate(runtimes: dict[str, Callable[[], Any]], repetitions: int,
               measure: Callable[[str, Callable[[], Any]], float]) -> dict[str, list[float]]:
    """`repetitions` measurements of each runtime, taken in turn (A B A B ...)."""
    samples: dict[str, list[float]] = {name: [] for name in runtimes}
    for _ in range(repetitions):
        for name, call in runtimes.items():
            samples[name].append(measure(name, call))
    return samples


def _summary(samples: dict[str, list[float]], calls: dict[str, int]) -> dict[str, Any]:
    timing = {name: {"median_ms": round(statistics.median(s) * 1000, 4), "min_ms": round(min(s) * 1000, 4),
                     "calls": calls[name]}
              for name, s in samples.items()}
    sk, ort = timing["sklearn"]["median_ms"], timing["onnxruntime"]["median_ms"]
    return {**timing, "speedup": round(sk / ort, 1)}
