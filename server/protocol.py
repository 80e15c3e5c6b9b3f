"""The wire formats: an HTTP request -> RGBA images for the model, and its answers -> the HTTP answer.

/predict_digit accepts
- multipart/form-data, one or more `image` file parts (the curl contract),
- a raw image body (Content-Type image/png, image/jpeg, image/gif, image/bmp or image/webp),
- JSON {"pixels": [64 numbers 0..16]} or {"instances": [[64 numbers], ...]}: Digits rows, each
  read as the 8x8 icon it describes, through the same model as an upload.
Uploads are decoded here (digits/decode.py: format policy, pixel limit, EXIF, JPEG draft) and
become uint8[H, W, 4] RGBA; everything after that is the model's (docs/contract.md).
/v2/models/digits/infer speaks the Open Inference Protocol v2 (KServe / Triton HTTP) for the model
as it is: one RGBA image in as a UINT8 tensor, its outputs out, as plain JSON tensors or the
binary tensor extension tritonclient uses by default (a JSON header of
`Inference-Header-Content-Length` bytes followed by raw little-endian data).

Every refusal is an exception (server/errors.py or digits/errors.py), never a response built here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

import numpy as np
from flask import Request, Response, jsonify

from digits.contract import (
    CLASSES,
    FEATURES_OUTPUT,
    GRID_SIDE,
    IMAGE_INPUT,
    LABEL_OUTPUT,
    N_FEATURES,
    PIXEL_MAX,
    PROBABILITIES_OUTPUT,
    SURE_OUTPUT,
)
from digits.decode import decode
from digits.pixels import rgba, row_to_rgba
from digits.views import VIEWS
from server.errors import BadRequest, UnsupportedMediaType
from server.model import Reading

IMAGE_FIELD: Final = "image"
IMAGE_MEDIA_TYPES: Final = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp"}
)
MAX_BATCH: Final = 256  # images or instances per request
V2_MODEL_NAME: Final = "digits"
V2_HEADER_LENGTH: Final = "Inference-Header-Content-Length"
_V2_DTYPES: Final = {"INT64": np.dtype("<i8"), "FP32": np.dtype("<f4"), "UINT8": np.dtype("u1"),
                     "BOOL": np.dtype("?")}
V2_MAX_ID: Final = 256  # characters of the client's "id", which the answer echoes
_CHANNELS: Final = 4  # RGBA
# The model's cost grows faster than its pixels along one very long side (a 1x500,000 line costs
# seconds; 1x8192 milliseconds, docs/reliability.md): uploads never reach it, their decode reduces
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


class InMemoryRequest(Request):
    """Multipart file parts kept in memory rather than spooled to a temp file past 500 KB.

    Bodies are capped at DIGITS_MAX_UPLOAD_BYTES before parsing, so memory stays bounded, and
    uploads work on a read-only root filesystem (no writable /tmp in `docker run --read-only`).
    """

    def _get_file_stream(
        self, total_content_length: int | None, content_type: str | None,
        filename: str | None = None, content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


@dataclass(frozen=True)
class PredictRequest:
    images: list[np.ndarray]  # uint8[H, W, 4] each
    batch: bool  # answer {"predictions": [...]} rather than one flat object


@dataclass(frozen=True)
class V2Request:
    image: np.ndarray  # uint8[H, W, 4]
    outputs: tuple[tuple[str, bool], ...]  # (output name, as binary), in the order asked
    request_id: str | None  # the client's "id", echoed back


class RequestDecoder:
    """Turns requests into the model's input under the limits of one app's settings."""

    def __init__(self, max_image_pixels: int) -> None:
        self.max_image_pixels = max_image_pixels

    def image(self, data: bytes) -> np.ndarray:
        """Image bytes -> uint8[H, W, 4] RGBA, decoded and reduced to analysis size."""
        return rgba(decode(data, self.max_image_pixels))

    def predict_request(self, request: Request) -> PredictRequest:
        media_type = request.mimetype
        if media_type == "multipart/form-data":
            return self._multipart(request)
        if media_type in IMAGE_MEDIA_TYPES:
            return PredictRequest([self.image(request.get_data())], batch=False)
        if media_type == "application/json":
            return _json_grids(request.get_data())
        raise UnsupportedMediaType(
            f"unsupported media type {media_type or '(none)'}: send multipart/form-data with an "
            f"'{IMAGE_FIELD}' file, an image/png|jpeg|gif|bmp|webp body, or application/json"
        )

    def v2_request(self, request: Request) -> V2Request:
        return v2_request(request, self.max_image_pixels)

    def _multipart(self, request: Request) -> PredictRequest:
        uploads = request.files.getlist(IMAGE_FIELD)
        if not uploads:
            if IMAGE_FIELD in request.form:
                raise BadRequest(f"field '{IMAGE_FIELD}' must be a file upload (curl -F \"image=@file.png\")")
            raise BadRequest(f"missing multipart field '{IMAGE_FIELD}'")
        if len(uploads) > MAX_BATCH:
            raise BadRequest(f"at most {MAX_BATCH} images per request")
        images = [self.image(upload.read()) for upload in uploads]
        return PredictRequest(images, batch=len(images) > 1)


def predict_answer(readings: Sequence[Reading], request: PredictRequest, explain: bool) -> Response:
    """The /predict_digit answer: one object, or {"predictions": [...]} for a batch."""
    answers = [_answer(reading, explain) for reading in readings]
    return jsonify({"predictions": answers} if request.batch else answers[0])


def _answer(reading: Reading, explain: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "prediction": reading.label,
        "confidence": round(float(reading.probabilities.max()), 4),
        # The model applies the not-sure threshold; the page says "not sure" when this is false.
        "sure": reading.sure,
        "probabilities": [round(float(p), 4) for p in reading.probabilities],
    }
    if explain:  # the upright view: the 8x8 grid the digit was read as
        answer["features"] = reading.features[0].reshape(GRID_SIDE, GRID_SIDE).tolist()
    return answer


def json_object(data: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is invalid, nested too deeply or not an object."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." thousands deep
        return None
    return body if isinstance(body, dict) else None


def _json_grids(data: bytes) -> PredictRequest:
    body = json_object(data)
    if body is None:
        raise BadRequest('invalid JSON: expected an object {"pixels": [...]} or {"instances": [...]}')
    if "pixels" in body:
        return PredictRequest([row_to_rgba(grid_to_features(body["pixels"]))], batch=False)
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise BadRequest("'instances' must be a non-empty list of 64-number rows")
        if len(instances) > MAX_BATCH:
            raise BadRequest(f"at most {MAX_BATCH} instances per request")
        return PredictRequest([row_to_rgba(grid_to_features(row)) for row in instances], batch=True)
    raise BadRequest("missing field 'pixels' (or 'instances')")


def grid_to_features(grid: Sequence[float] | np.ndarray) -> np.ndarray:
    """64 values (flat or 8x8) already on the 0..16 scale -> float32[1, 64], validated."""
    shape_error = f"pixels must be {N_FEATURES} numbers (flat or {GRID_SIDE}x{GRID_SIDE})"
    values = as_numbers(grid, shape_error)
    if values.size != N_FEATURES or values.shape not in ((N_FEATURES,), (GRID_SIDE, GRID_SIDE)):
        raise BadRequest(f"{shape_error}, got shape {list(values.shape)}")
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > PIXEL_MAX:
        raise BadRequest(f"pixel values must be numbers in 0..{PIXEL_MAX:g}")
    return values.reshape(1, N_FEATURES)


def as_numbers(values: object, message: str) -> np.ndarray:
    """A (nested) list of JSON numbers -> float32 array; anything else -> BadRequest(message).

    Strings ("1"), booleans, ragged lists and integers too large for a float (10**400 is valid
    JSON) are refused here rather than coerced by numpy or left to overflow later.
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest(message) from None
    if array.dtype.kind not in "iuf":
        raise BadRequest(message)
    return array.astype(np.float32)


# --- Open Inference Protocol v2 ------------------------------------------------------------

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


def v2_request(request: Request, max_pixels: int) -> V2Request:
    body, binary = _v2_split_body(request)
    return V2Request(_v2_input_tensor(body, binary, max_pixels), _v2_requested_outputs(body), _v2_id(body))


def v2_answer(reading: Reading, request: V2Request, version: str) -> Response:
    tensors = {
        LABEL_OUTPUT: np.array([reading.label], dtype=np.int64),
        PROBABILITIES_OUTPUT: reading.probabilities.reshape(1, -1),
        SURE_OUTPUT: np.array([reading.sure]),
        FEATURES_OUTPUT: reading.features,
    }
    answer: dict[str, Any] = {"model_name": V2_MODEL_NAME, "model_version": version}
    if request.request_id is not None:
        answer["id"] = request.request_id
    outputs, payload = [], []
    for name, as_binary in request.outputs:
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


def _v2_split_body(request: Request) -> tuple[dict[str, Any], bytes]:
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


def _v2_input_tensor(body: dict[str, Any], binary: bytes, max_pixels: int) -> np.ndarray:
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
    size = _v2_parameters(tensor).get("binary_data_size")
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


def _v2_requested_outputs(body: dict[str, Any]) -> tuple[tuple[str, bool], ...]:
    default_binary = _v2_flag(body, "binary_data_output", False)
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
        chosen[name] = _v2_flag(entry, "binary_data", default_binary)
    return tuple(chosen.items())


def _v2_flag(node: dict[str, Any], name: str, default: bool) -> bool:
    """A boolean parameter: JSON true or false only ("false", a string, is truthy in Python)."""
    value = _v2_parameters(node).get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"parameter '{name}' must be true or false")
    return value


def _v2_id(body: dict[str, Any]) -> str | None:
    """The client's request id, echoed in the answer: a string (NaN, say, would make the answer
    invalid JSON), and short."""
    request_id = body.get("id")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > V2_MAX_ID):
        raise BadRequest(f"'id' must be a string of at most {V2_MAX_ID} characters")
    return request_id


def quoted(value: object, limit: int = 60) -> str:
    """A client's value for an error message: JSON, cut short."""
    try:
        text = json.dumps(value)
    except (ValueError, TypeError, RecursionError):  # ValueError: an int too long to print
        text = "a value that cannot be shown"
    return text if len(text) <= limit else text[:limit] + "..."


def _v2_parameters(node: dict[str, Any]) -> dict[str, Any]:
    """A request's, tensor's or output's optional "parameters" object."""
    parameters = node.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise BadRequest("'parameters' must be a JSON object")
    return parameters
