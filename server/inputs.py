"""A /predict_digit request -> float32[N, 64], whichever of the accepted shapes it came in.

- multipart/form-data, one or more `image` file parts (the seed's curl contract)
- a raw image body: Content-Type image/png, image/jpeg, image/gif, image/bmp or image/webp
- JSON {"pixels": [64 numbers 0..16]} or {"instances": [[64 numbers], ...]}
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import IO, Any, Final, Sequence

import numpy as np
from flask import Request

from digits.contract import GRID_SIDE, N_FEATURES, PIXEL_MAX
from digits.preprocess import bytes_to_features
from server.errors import BadRequest, UnsupportedMediaType

IMAGE_FIELD: Final = "image"
IMAGE_MEDIA_TYPES: Final = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp"}
)
MAX_BATCH: Final = 256


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
class ParsedRequest:
    features: np.ndarray  # float32[N, 64]
    batch: bool  # answer {"predictions": [...]} rather than one flat object


def parse_predict_request(request: Request, max_image_pixels: int) -> ParsedRequest:
    media_type = request.mimetype
    if media_type == "multipart/form-data":
        return _from_multipart(request, max_image_pixels)
    if media_type in IMAGE_MEDIA_TYPES:
        return ParsedRequest(bytes_to_features(request.get_data(), max_image_pixels), batch=False)
    if media_type == "application/json":
        return _from_json(request)
    raise UnsupportedMediaType(
        f"unsupported media type {media_type or '(none)'}: send multipart/form-data with an "
        f"'{IMAGE_FIELD}' file, an image/png|jpeg|gif|bmp|webp body, or application/json"
    )


def _from_multipart(request: Request, max_image_pixels: int) -> ParsedRequest:
    uploads = request.files.getlist(IMAGE_FIELD)
    if not uploads:
        if IMAGE_FIELD in request.form:
            raise BadRequest(f"field '{IMAGE_FIELD}' must be a file upload (curl -F \"image=@file.png\")")
        raise BadRequest(f"missing multipart field '{IMAGE_FIELD}'")
    if len(uploads) > MAX_BATCH:
        raise BadRequest(f"at most {MAX_BATCH} images per request")
    rows = [bytes_to_features(upload.read(), max_image_pixels) for upload in uploads]
    return ParsedRequest(np.concatenate(rows), batch=len(rows) > 1)


def json_object(data: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is invalid, nested too deeply or not an object."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." thousands deep
        return None
    return body if isinstance(body, dict) else None


def _from_json(request: Request) -> ParsedRequest:
    body = json_object(request.get_data())
    if body is None:
        raise BadRequest('invalid JSON: expected an object {"pixels": [...]} or {"instances": [...]}')
    if "pixels" in body:
        return ParsedRequest(grid_to_features(body["pixels"]), batch=False)
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise BadRequest("'instances' must be a non-empty list of 64-number rows")
        if len(instances) > MAX_BATCH:
            raise BadRequest(f"at most {MAX_BATCH} instances per request")
        return ParsedRequest(np.concatenate([grid_to_features(row) for row in instances]), batch=True)
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
