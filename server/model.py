"""The onnxruntime session of the whole recognizer: loaded once, checked against
digits/contract.py, warmed up. The file does all the reading (docs/contract.md): the server hands
it decoded RGBA pixels and reports what it answers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from digits.contract import (
    BLANK_LABEL,
    CLASSES,
    FEATURES_OUTPUT,
    IMAGE_INPUT,
    LABEL_OUTPUT,
    MODEL_VERSION_KEY,
    N_FEATURES,
    PROBABILITIES_OUTPUT,
    SURE_OUTPUT,
)
from server.errors import ModelLoadError

_OUTPUTS = (LABEL_OUTPUT, PROBABILITIES_OUTPUT, SURE_OUTPUT, FEATURES_OUTPUT)
_WARM_UP_SIDE = 28  # a drawing-sized image: the first run allocates what later ones reuse


@dataclass(frozen=True)
class Reading:
    """What the model answers for one image."""

    label: int  # 0..9, or BLANK_LABEL when there is no digit to read
    probabilities: np.ndarray  # float32[10], calibrated, the mean over the views; all 0 when blank
    sure: bool  # the not-sure rule, applied inside the model
    features: np.ndarray  # float32[views, 64]: what each view was read as (row 0 upright)

    @property
    def blank(self) -> bool:
        return self.label == BLANK_LABEL


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

    def read(self, pixels: np.ndarray) -> Reading:
        """uint8[H, W, 4] RGBA -> the model's answer: one session.run, nothing else."""
        label, probabilities, sure, features = self.session.run(
            _OUTPUTS, {IMAGE_INPUT: np.ascontiguousarray(pixels, dtype=np.uint8)})
        return Reading(int(label[0]), probabilities[0], bool(sure[0]), features)

    def warm_up(self) -> None:
        # The first run loads kernels and sizes buffers; do it before /readyz says yes. A
        # diagonal line, so that every step of the graph runs (a blank image stops early).
        pixels = np.zeros((_WARM_UP_SIDE, _WARM_UP_SIDE, 4), dtype=np.uint8)
        pixels[np.arange(_WARM_UP_SIDE), np.arange(_WARM_UP_SIDE), 3] = 255
        self.read(pixels)

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
    # redundant Cast) but walk its large attributes, a cost paid at every start-up; the outputs are
    # identical either way (docs/results.md, "The server runs model.onnx"). The featurizer's sizes
    # are all dynamic, so there is nothing to fold there either.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    # The arena would keep the largest run's tensors resident for good, and a memory pattern is
    # planned and kept per input shape (each image size is one): without them a run's buffers are
    # freed when it ends (docs/reliability.md, "Memory", has what each buys).
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    try:
        # From the path: a session made from the file's bytes kept more resident (docs/reliability.md,
        # "Memory").
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own unrelated exception types
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"model file {path} is not a valid ONNX model: {first_line}") from None


def _describe(arg: ort.NodeArg) -> dict[str, Any]:
    shape = [dim if isinstance(dim, int) else -1 for dim in arg.shape]
    return {"name": arg.name, "type": arg.type, "shape": shape}


# What the server needs of the file: (kind, name, type, the shape as the contract writes it).
_CONTRACT = (
    ("input", IMAGE_INPUT, "tensor(uint8)", "[height, width, 4]"),
    ("output", LABEL_OUTPUT, "tensor(int64)", "[1]"),
    ("output", PROBABILITIES_OUTPUT, "tensor(float)", f"[1, {len(CLASSES)}]"),
    ("output", SURE_OUTPUT, "tensor(bool)", "[1]"),
    ("output", FEATURES_OUTPUT, "tensor(float)", f"[views, {N_FEATURES}]"),
)


def _check_contract(path: Path, session: ort.InferenceSession) -> None:
    found = {("input", arg.name): arg for arg in session.get_inputs()}
    found.update({("output", arg.name): arg for arg in session.get_outputs()})
    problems = []
    for kind, name, onnx_type, shape in _CONTRACT:
        arg = found.get((kind, name))
        if arg is None or arg.type != onnx_type:
            problems.append(f"{kind} {name!r} {onnx_type[7:-1]} {shape}")
    image = found.get(("input", IMAGE_INPUT))
    if image is not None and (len(image.shape) != 3 or image.shape[-1] != 4):
        problems.append(f"input {IMAGE_INPUT!r} of shape [height, width, 4] (RGBA)")
    if problems:
        raise ModelLoadError(
            f"model file {path} does not match digits/contract.py: expected " + ", ".join(problems)
            + " (the whole recognizer that `python -m export` writes as model.onnx)"
        )
