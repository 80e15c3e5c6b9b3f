"""Open Inference Protocol v2 (KServe / Triton HTTP): health, model metadata and infer.

Speaks plain JSON tensors and the binary tensor extension that tritonclient uses by default
(a JSON header of `Inference-Header-Content-Length` bytes followed by raw little-endian data).
"""

from __future__ import annotations

import json
from typing import Any, Final

import numpy as np
from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from digits.contract import CLASSES, INPUT_NAME, LABEL_OUTPUT, N_FEATURES, PROBABILITIES_OUTPUT
from server.errors import BadRequest
from server.inputs import as_numbers, grid_to_features, json_object
from server.runtime import current_runtime

MODEL_NAME: Final = "digits"
HEADER_LENGTH: Final = "Inference-Header-Content-Length"
_DTYPES: Final = {"INT64": np.dtype("<i8"), "FP32": np.dtype("<f4")}

blueprint = Blueprint("v2", __name__, url_prefix="/v2")
_MODEL_ROUTES: Final = ("/models/digits", "/models/digits/versions/<version>")


def _route(suffix: str, **options: Any):
    """Register a view under both /models/digits<suffix> and .../versions/<v><suffix>."""

    def register(view):
        for prefix in _MODEL_ROUTES:
            blueprint.add_url_rule(prefix + suffix, view_func=view, **options)
        return view

    return register


@blueprint.get("")
def server_metadata() -> Response:
    return jsonify(name="digits-onnx", version="1", extensions=["binary_tensor_data"])


@blueprint.get("/health/live")
def live() -> Response:
    return jsonify(live=True)


@blueprint.get("/health/ready")
def ready() -> Response:
    current_runtime()
    return jsonify(ready=True)


@_route("")
def model_metadata(version: str | None = None) -> Response:
    _check_version(version)
    return jsonify(
        name=MODEL_NAME,
        versions=[_model_version()],
        platform="onnxruntime_onnx",
        inputs=[{"name": INPUT_NAME, "datatype": "FP32", "shape": [-1, N_FEATURES]}],
        outputs=[
            {"name": LABEL_OUTPUT, "datatype": "INT64", "shape": [-1]},
            {"name": PROBABILITIES_OUTPUT, "datatype": "FP32", "shape": [-1, len(CLASSES)]},
        ],
    )


@_route("/ready")
def model_ready(version: str | None = None) -> Response:
    _check_version(version)
    return jsonify(name=MODEL_NAME, ready=True)


@_route("/infer", methods=["POST"])
def infer(version: str | None = None) -> Response:
    _check_version(version)
    body, binary = _split_body()
    features = _input_tensor(body, binary)
    runtime = current_runtime()
    prediction = runtime.model.predict(features)
    runtime.metrics.count_predictions(prediction.labels)
    tensors = {
        LABEL_OUTPUT: ("INT64", prediction.labels),
        PROBABILITIES_OUTPUT: ("FP32", prediction.probabilities),
    }
    answer: dict[str, Any] = {"model_name": MODEL_NAME, "model_version": _model_version()}
    if "id" in body:
        answer["id"] = body["id"]
    outputs, payload = [], b""
    for name, as_binary in _requested_outputs(body):
        datatype, values = tensors[name]
        entry: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(values.shape)}
        if as_binary:
            raw = np.ascontiguousarray(values, dtype=_DTYPES[datatype]).tobytes()
            entry["parameters"] = {"binary_data_size": len(raw)}
            payload += raw
        else:
            entry["data"] = values.reshape(-1).tolist()
        outputs.append(entry)
    answer["outputs"] = outputs
    if not payload:
        return jsonify(answer)
    header = json.dumps(answer).encode()
    response = Response(header + payload, mimetype="application/octet-stream")
    response.headers[HEADER_LENGTH] = str(len(header))
    return response


def _model_version() -> str:
    return str(current_runtime().model.session.get_modelmeta().version or 1)


def _check_version(version: str | None) -> None:
    if version is not None and version != _model_version():
        raise NotFound(f"model {MODEL_NAME} has no version {version}")


def _split_body() -> tuple[dict[str, Any], bytes]:
    data = request.get_data()
    header_length = request.headers.get(HEADER_LENGTH)
    if header_length is None:
        header, binary = data, b""
    else:
        # isdigit() alone accepts "²", which int() refuses.
        if not (header_length.isascii() and header_length.isdigit()) or int(header_length) > len(data):
            raise BadRequest(f"invalid {HEADER_LENGTH} header")
        header, binary = data[: int(header_length)], data[int(header_length) :]
    body = json_object(header)
    if body is None:
        raise BadRequest("invalid JSON inference request: expected a JSON object")
    return body, binary


def _input_tensor(body: dict[str, Any], binary: bytes) -> np.ndarray:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise BadRequest(f"expected exactly one input tensor named '{INPUT_NAME}'")
    tensor = inputs[0]
    if tensor.get("name") != INPUT_NAME:
        raise BadRequest(f"unknown input {tensor.get('name')!r}; the model's input is '{INPUT_NAME}'")
    if tensor.get("datatype") != "FP32":
        raise BadRequest(f"input '{INPUT_NAME}' must have datatype FP32, got {tensor.get('datatype')!r}")
    shape = tensor.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) != 2
        or shape[1] != N_FEATURES
        or not isinstance(shape[0], int)
        or isinstance(shape[0], bool)
        or shape[0] < 1
    ):
        raise BadRequest(f"input '{INPUT_NAME}' must have shape [N, {N_FEATURES}], got {shape!r}")
    size = _parameters(tensor).get("binary_data_size")
    if size is not None:
        if size != len(binary) or size != shape[0] * N_FEATURES * 4:
            raise BadRequest(f"binary_data_size does not match shape {shape} FP32")
        values = np.frombuffer(binary, dtype=_DTYPES["FP32"])
    else:
        values = as_numbers(tensor.get("data"), f"input '{INPUT_NAME}' data must be numbers").reshape(-1)
    if values.size != shape[0] * N_FEATURES:
        raise BadRequest(f"input '{INPUT_NAME}' has {values.size} values, shape {shape} needs {shape[0] * N_FEATURES}")
    return np.concatenate([grid_to_features(row) for row in values.reshape(shape[0], N_FEATURES)])


def _requested_outputs(body: dict[str, Any]) -> list[tuple[str, bool]]:
    default_binary = bool(_parameters(body).get("binary_data_output", False))
    requested = body.get("outputs")
    if not requested:
        return [(LABEL_OUTPUT, default_binary), (PROBABILITIES_OUTPUT, default_binary)]
    if not isinstance(requested, list):
        raise BadRequest("'outputs' must be a list")
    chosen = []
    for entry in requested:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in (LABEL_OUTPUT, PROBABILITIES_OUTPUT):
            raise BadRequest(f"unknown output {name!r}; outputs are '{LABEL_OUTPUT}' and '{PROBABILITIES_OUTPUT}'")
        chosen.append((name, bool(_parameters(entry).get("binary_data", default_binary))))
    return chosen


def _parameters(node: dict[str, Any]) -> dict[str, Any]:
    """A request's, tensor's or output's optional "parameters" object."""
    parameters = node.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise BadRequest("'parameters' must be a JSON object")
    return parameters
