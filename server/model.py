"""The onnxruntime session: loaded once, checked against server/contract.py, warmed up."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from digits.contract import (
    CLASSES,
    INPUT_NAME,
    LABEL_OUTPUT,
    MODEL_VERSION_KEY,
    N_FEATURES,
    PROBABILITIES_OUTPUT,
)
from server.errors import ModelLoadError


@dataclass(frozen=True)
class Prediction:
    labels: np.ndarray  # int64[N]
    probabilities: np.ndarray  # float32[N, 10]


class Model:
    """A loaded .onnx model. Thread-safe: onnxruntime allows concurrent run() on one session."""

    def __init__(self, path: Path, session: ort.InferenceSession, sha256: str) -> None:
        self.path = path
        self.session = session
        self.sha256 = sha256

    @classmethod
    def load(cls, path: str | Path, intra_op_threads: int = 1) -> Model:
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ModelLoadError(f"cannot read model file {path}: {exc.strerror or exc}") from None
        if not content:
            raise ModelLoadError(f"model file {path} is empty")
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 4  # our own error line says it better than ORT's log
        # The optimisers find nothing to gain in a tree ensemble (the basic level removes one
        # redundant Cast) but walk its large attributes: ~85 ms of every start-up for the basic
        # level, ~0.3 s for all; the outputs are identical either way (bench/README.md).
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            session = ort.InferenceSession(content, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unrelated exception types
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelLoadError(f"model file {path} is not a valid ONNX model: {first_line}") from None
        _check_contract(path, session)
        model = cls(path, session, hashlib.sha256(content).hexdigest())
        model.warm_up()
        return model

    def predict(self, features: np.ndarray) -> Prediction:
        """float32[N, 64] -> labels + class probabilities."""
        labels, probabilities = self.session.run(
            [LABEL_OUTPUT, PROBABILITIES_OUTPUT],
            {INPUT_NAME: np.ascontiguousarray(features, dtype=np.float32)},
        )
        return Prediction(np.asarray(labels, dtype=np.int64), np.asarray(probabilities, dtype=np.float32))

    def warm_up(self) -> None:
        # First run allocates ORT's arenas; do it before /readyz says yes.
        self.predict(np.zeros((1, N_FEATURES), dtype=np.float32))

    @cached_property
    def version(self) -> str:
        """The one version reported everywhere (/model, v2, /readyz, logs): the `model_version`
        export writes into the ONNX metadata, else (a model from elsewhere) the file's digest."""
        written = self.session.get_modelmeta().custom_metadata_map.get(MODEL_VERSION_KEY)
        return written or f"sha256-{self.sha256[:12]}"

    def metadata(self) -> dict[str, Any]:
        meta = self.session.get_modelmeta()
        return {
            "version": self.version,
            "path": str(self.path),
            "sha256": self.sha256,
            "producer": meta.producer_name,
            "graph_name": meta.graph_name,
            "domain": meta.domain,
            "description": meta.description,
            "metadata": dict(meta.custom_metadata_map),
            "inputs": [_describe(arg) for arg in self.session.get_inputs()],
            "outputs": [_describe(arg) for arg in self.session.get_outputs()],
        }


def _describe(arg: ort.NodeArg) -> dict[str, Any]:
    shape = [dim if isinstance(dim, int) else -1 for dim in arg.shape]
    return {"name": arg.name, "type": arg.type, "shape": shape}


def _check_contract(path: Path, session: ort.InferenceSession) -> None:
    inputs = {arg.name: arg for arg in session.get_inputs()}
    outputs = {arg.name: arg for arg in session.get_outputs()}
    problems = []
    if INPUT_NAME not in inputs or inputs[INPUT_NAME].type != "tensor(float)":
        problems.append(f"input {INPUT_NAME!r} float32 [N, {N_FEATURES}]")
    elif inputs[INPUT_NAME].shape[-1] != N_FEATURES:
        problems.append(f"input {INPUT_NAME!r} with {N_FEATURES} features")
    if LABEL_OUTPUT not in outputs:
        problems.append(f"output {LABEL_OUTPUT!r}")
    probabilities = outputs.get(PROBABILITIES_OUTPUT)
    if probabilities is None or probabilities.type != "tensor(float)":
        problems.append(f"output {PROBABILITIES_OUTPUT!r} float32 [N, {len(CLASSES)}] (ZipMap off)")
    if problems:
        raise ModelLoadError(
            f"model file {path} does not match digits/contract.py: expected " + ", ".join(problems)
        )
