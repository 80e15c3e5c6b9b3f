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
            with path.open("rb") as model_file:
                # Streamed: the file is never in memory whole beside the session's own copy.
                sha256 = hashlib.file_digest(model_file, "sha256").hexdigest()
                empty = model_file.tell() == 0
        except OSError as exc:
            raise ModelLoadError(f"cannot read model file {path}: {exc.strerror or exc}") from None
        if empty:
            raise ModelLoadError(f"model file {path} is empty")
        session = _session(path, intra_op_threads)
        _check_contract(path, session)
        model = cls(path, session, sha256)
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


def _session(path: Path, intra_op_threads: int) -> ort.InferenceSession:
    """The onnxruntime session for the model file, with every option chosen here."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # our own error line says it better than ORT's log
    # The optimisers find nothing to gain in a tree ensemble (the basic level removes one
    # redundant Cast) but walk its large attributes: ~85 ms of every start-up for the basic
    # level, ~0.3 s for all; the outputs are identical either way (bench/README.md).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    # The arena would keep the largest run's tensors resident for good, and a memory pattern is
    # planned and kept per input shape (each batch size is one): without them a run's buffers are
    # freed when it ends (docs/reliability.md, "Memory", has what each buys).
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    try:
        # From the path: a session made from the file's bytes kept ~20 MiB more resident.
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own unrelated exception types
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"model file {path} is not a valid ONNX model: {first_line}") from None


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
