"""POST /predict_digit's wire format: uploads or Digits rows in, JSON answers out.

It accepts
- multipart/form-data, one or more `image` file parts (the curl contract),
- a raw image body (Content-Type image/png, image/jpeg, image/gif, image/bmp or image/webp),
- JSON {"pixels": [64 numbers 0..16]} or {"instances": [[64 numbers], ...]}: Digits rows, each
  read as the 8x8 icon it describes, through the same model as an upload.
Uploads are decoded here (digits/decode.py: format policy, pixel limit, EXIF, JPEG draft) and
become uint8[H, W, 4] RGBA; everything after that is the model's (docs/contract.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from flask import Request, Response, jsonify

from digits.contract import GRID_SIDE, N_FEATURES, PIXEL_MAX
from digits.decode import decode
from digits.pixels import rgba, row_to_rgba
from server.codec import PredictRequest
from server.errors import BadRequest, UnsupportedMediaType
from server.json_input import as_numbers, json_object
from server.model import Reading

IMAGE_FIELD: Final = "image"
IMAGE_MEDIA_TYPES: Final = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp", "image/x-ms-bmp", "image/webp"}
)
MAX_BATCH: Final = 256  # images or instances per request
_TRUE: Final = ("1", "true", "yes")


@dataclass(frozen=True)
class RestOptions:
    batch: bool  # answer {"predictions": [...]} rather than one flat object
    explain: bool  # add the 8x8 grid each digit was read as (?explain=1)


class RestCodec:
    """Turns /predict_digit requests into the model's input under the limits of one app's settings."""

    refuse_blank: Final = True  # an upload with no digit is a mistake worth a 422

    def __init__(self, max_image_pixels: int) -> None:
        self.max_image_pixels = max_image_pixels

    def image(self, data: bytes) -> np.ndarray:
        """Image bytes -> uint8[H, W, 4] RGBA, decoded and reduced to analysis size."""
        return rgba(decode(data, self.max_image_pixels))

    def decode(self, request: Request) -> PredictRequest[RestOptions]:
        images, batch = self._images(request)
        explain = request.args.get("explain", "").lower() in _TRUE
        return PredictRequest(images, RestOptions(batch=batch, explain=explain))

    def encode(self, readings: Sequence[Reading], options: RestOptions, model_version: str) -> Response:
        """One object, or {"predictions": [...]} for a batch."""
        answers = [_answer(reading, options.explain) for reading in readings]
        return jsonify({"predictions": answers} if options.batch else answers[0])

    def _images(self, request: Request) -> tuple[list[np.ndarray], bool]:
        media_type = request.mimetype
        if media_type == "multipart/form-data":
            return self._multipart(request)
        if media_type in IMAGE_MEDIA_TYPES:
            return [self.image(request.get_data())], False
        if media_type == "application/json":
            return _json_grids(request.get_data())
        raise UnsupportedMediaType(
            f"unsupported media type {media_type or '(none)'}: send multipart/form-data with an "
            f"'{IMAGE_FIELD}' file, an image/png|jpeg|gif|bmp|webp body, or application/json"
        )

    def _multipart(self, request: Request) -> tuple[list[np.ndarray], bool]:
        uploads = request.files.getlist(IMAGE_FIELD)
        if not uploads:
            if IMAGE_FIELD in request.form:
                raise BadRequest(f"field '{IMAGE_FIELD}' must be a file upload (curl -F \"image=@file.png\")")
            raise BadRequest(f"missing multipart field '{IMAGE_FIELD}'")
        if len(uploads) > MAX_BATCH:
            raise BadRequest(f"at most {MAX_BATCH} images per request")
        images = [self.image(upload.read()) for upload in uploads]
        return images, len(images) > 1


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


def _json_grids(data: bytes) -> tuple[list[np.ndarray], bool]:
    body = json_object(data)
    if body is None:
        raise BadRequest('invalid JSON: expected an object {"pixels": [...]} or {"instances": [...]}')
    if "pixels" in body:
        return [row_to_rgba(grid_to_features(body["pixels"]))], False
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise BadRequest("'instances' must be a non-empty list of 64-number rows")
        if len(instances) > MAX_BATCH:
            raise BadRequest(f"at most {MAX_BATCH} instances per request")
        return [row_to_rgba(grid_to_features(row)) for row in instances], True
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
