"""The Open Inference Protocol v2 (KServe / Triton HTTP) for the model as it is.

One RGBA image in as a UINT8 tensor, its outputs out, as plain JSON tensors or the binary tensor
extension tritonclient uses by default (a JSON header of `Inference-Header-Content-Length` bytes
followed by raw little-endian data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from flask import Request, Response, jsonify

from digits.contract import (
    CLASSES,
    FEATURES_OUTPUT,
    IMAGE_INPUT,
    LABEL_OUTPUT,
    N_FEATURES,
    PROBABILITIES_OUTPUT,
    SURE_OUTPUT,
)
from digits.views import VIEWS
from server.codec import PredictRequest
from server.errors import BadRequest
from server.json_input import as_numbers, json_object, quoted
from server.model import Reading

V2_MODEL_NAME: Final = "digits"
V2_HEADER_LENGTH: Final = "Inference-Header-Content-Length"
_V2_DTYPES: Final = {"INT64": np.dtype("<i8"), "FP32": np.dtype("<f4"), "UINT8": np.dtype("u1"),
                     "BOOL": np.dtype("?")}
V2_MAX_ID: Final = 256  # characters of the client's "id", which the answer echoes
_CHANNELS: Final = 4  # RGBA
# The model's cost grows faster than its pixels along one very long side (docs/results.md, "The
# server runs model.onnx"): uploads never reach it, their decode reduces
# them to analysis size first, but a v2 tensor is the model's input as sent.
V2_MAX_SIDE: Final = 8192
# The largest v2 answer: each output once (repeats are refused), an id of V2_MAX_ID characters.
# JSON is the larger form: the features' VIEWS x 64 values of at most 22 characters plus ", " each
# (~4.6 KiB), ten probabilities, a label and a flag. tests/server/test_v2_bounds.py checks it.
V2_MAX_ANSWER_BYTES: Final = 8 * 1024
_HEADER_LENGTH_DIGITS: Final = 10  # more than any body under the upload limit needs
# Each output, its v2 datatype and its shape (the model's, docs/contract.md).
_V2_OUTPUTS: Final = {
    LABEL_OUTPUT: ("INT64", [1]),
    PROBABILITIES_OUTPUT: ("FP32", [1, len(CLASSES)]),
    SURE_OUTPUT: ("BOOL", [1]),
    FEATURES_OUTPUT: ("FP32", [VIEWS, N_FEATURES]),
}


@dataclass(frozen=True)
class V2Options:
    outputs: tuple[tuple[str, bool], ...]  # (output name, as binary), in the order asked
    request_id: str | None  # the client's "id", echoed back


def v2_model_metadata(version: str) -> dict[str, Any]:
    """The model as it is: one RGBA image of any size in, its four outputs out."""
    return {
        "name": V2_MODEL_NAME,
        "versions": [version],
        "platform": "onnxruntime_onnx",
        "inputs": [{"name": IMAGE_INPUT, "datatype": "UINT8", "shape": [-1, -1, _CHANNELS]}],
        "outputs": [{"name": name, "datatype": datatype, "shape": shape}
                    for name, (datatype, shape) in _V2_OUTPUTS.items()],
    }


class V2Codec:
    """Turns v2 infer requests into the model's input under the limits of one app's settings."""

    refuse_blank: Final = False  # v2 serves the model as it is: its blank label is an answer

    def __init__(self, max_image_pixels: int) -> None:
        self.max_image_pixels = max_image_pixels

    def decode(self, request: Request) -> PredictRequest[V2Options]:
        body, binary = _split_body(request)
        image = _input_tensor(body, binary, self.max_image_pixels)
        return PredictRequest([image], V2Options(_requested_outputs(body), _request_id(body)))

    def encode(self, readings: Sequence[Reading], options: V2Options, model_version: str) -> Response:
        [reading] = readings
        tensors = {
            LABEL_OUTPUT: np.array([reading.label], dtype=np.int64),
            PROBABILITIES_OUTPUT: reading.probabilities.reshape(1, -1),
            SURE_OUTPUT: np.array([reading.sure]),
            FEATURES_OUTPUT: reading.features,
        }
        answer: dict[str, Any] = {"model_name": V2_MODEL_NAME, "model_version": model_version}
        if options.request_id is not None:
            answer["id"] = options.request_id
        outputs, payload = [], []
        for name, as_binary in options.outputs:
            datatype, values = _V2_OUTPUTS[name][0], tensors[name]
            entry: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(values.shape)}
            if as_binary:
                raw = np.ascontiguousarray(values, dtype=_V2_DTYPES[datatype]).tobytes()
                entry["parameters"] = {"binary_data_size": len(raw)}
                payload.append(raw)
            else:
                entry["data"] = values.reshape(-1).tolist()
            outputs.append(entry)
        answer["outputs"] = outputs
        if not payload:
            return jsonify(answer)
        header = json.dumps(answer).encode()
        response = Response(b"".join([header, *payload]), mimetype="application/octet-stream")
        response.headers[V2_HEADER_LENGTH] = str(len(header))
        return response


def _split_body(request: Request) -> tuple[dict[str, Any], bytes]:
    data = request.get_data()
    header_length = request.headers.get(V2_HEADER_LENGTH)
    if header_length is None:
        header, binary = data, b""
    else:
        # isdigit() alone accepts "²", which int() refuses; and int() refuses over 4300 digits.
        if (not (header_length.isascii() and header_length.isdigit()) or len(header_length) > _HEADER_LENGTH_DIGITS
                or int(header_length) > len(data)):
            raise BadRequest(f"invalid {V2_HEADER_LENGTH} header: the JSON part's length in bytes")
        header, binary = data[: int(header_length)], data[int(header_length) :]
    body = json_object(header)
    if body is None:
        raise BadRequest("invalid JSON inference request: expected a JSON object")
    return body, binary


def _input_tensor(body: dict[str, Any], binary: bytes, max_pixels: int) -> np.ndarray:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise BadRequest(f"expected exactly one input tensor named '{IMAGE_INPUT}'")
    tensor = inputs[0]
    if tensor.get("name") != IMAGE_INPUT:
        raise BadRequest(f"unknown input {quoted(tensor.get('name'))}; the model's input is '{IMAGE_INPUT}'")
    if tensor.get("datatype") != "UINT8":
        raise BadRequest(f"input '{IMAGE_INPUT}' must have datatype UINT8, got {quoted(tensor.get('datatype'))}")
    shape = tensor.get("shape")
    wanted = f"input '{IMAGE_INPUT}' must have shape [height, width, {_CHANNELS}] (RGBA)"
    if (not isinstance(shape, list) or len(shape) != 3 or shape[2] != _CHANNELS
            or not all(isinstance(side, int) and not isinstance(side, bool) and side >= 1 for side in shape[:2])):
        raise BadRequest(f"{wanted}, got {quoted(shape)}")
    height, width = shape[0], shape[1]
    if max(height, width) > V2_MAX_SIDE:
        raise BadRequest(f"input '{IMAGE_INPUT}' may have at most {V2_MAX_SIDE} pixels a side, got {quoted(shape)}")
    if height * width > max_pixels:
        raise BadRequest(f"input '{IMAGE_INPUT}' has {height * width} pixels; at most {max_pixels} allowed")
    size = _parameters(tensor).get("binary_data_size")
    expected = height * width * _CHANNELS
    if size is not None:
        if size != len(binary) or size != expected:
            raise BadRequest(f"binary_data_size does not match shape {shape} UINT8")
        values = np.frombuffer(binary, dtype=np.uint8)
    else:
        message = f"input '{IMAGE_INPUT}' data must be integers 0..255"
        numbers = as_numbers(tensor.get("data"), message).reshape(-1)
        if numbers.size != expected:
            raise BadRequest(f"input '{IMAGE_INPUT}' has {numbers.size} values, shape {shape} needs {expected}")
        if not np.all((numbers >= 0) & (numbers <= 255) & (numbers == np.floor(numbers))):
            raise BadRequest(message)
        values = numbers.astype(np.uint8)
    return values.reshape(height, width, _CHANNELS)


def _requested_outputs(body: dict[str, Any]) -> tuple[tuple[str, bool], ...]:
    default_binary = _flag(body, "binary_data_output", False)
    requested = body.get("outputs")
    if not requested:
        return tuple((name, default_binary) for name in _V2_OUTPUTS)
    if not isinstance(requested, list):
        raise BadRequest("'outputs' must be a list")
    chosen: dict[str, bool] = {}
    for entry in requested:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name not in _V2_OUTPUTS:
            raise BadRequest(f"unknown output {quoted(name)}; outputs are {', '.join(map(repr, _V2_OUTPUTS))}")
        # Each repeat would repeat the whole tensor in the answer.
        if name in chosen:
            raise BadRequest(f"output '{name}' requested more than once")
        chosen[name] = _flag(entry, "binary_data", default_binary)
    return tuple(chosen.items())


def _flag(node: dict[str, Any], name: str, default: bool) -> bool:
    """A boolean parameter: JSON true or false only ("false", a string, is truthy in Python)."""
    value = _parameters(node).get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"parameter '{name}' must be true or false")
    return value


def _request_id(body: dict[str, Any]) -> str | None:
    """The client's request id, echoed in the answer: a string (NaN, say, would make the answer
    invalid JSON), and short."""
    request_id = body.get("id")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > V2_MAX_ID):
        raise BadRequest(f"'id' must be a string of at most {V2_MAX_ID} characters")
    return request_id


def _parameters(node: dict[str, Any]) -> dict[str, Any]:
    """A request's, tensor's or output's optional "parameters" object."""
    parameters = node.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise BadRequest("'parameters' must be a JSON object")
    return parameters
