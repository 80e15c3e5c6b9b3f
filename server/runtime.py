"""What a running app holds, and the one inference path every protocol goes through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from flask import Flask, current_app

from digits.errors import BlankImage
from server.allocator import LARGE_REQUEST_PIXELS, release_free_heap
from server.model import Model, Reading
from server.observability import Metrics
from server.rest_codec import RestCodec
from server.v2_codec import V2Codec

EXTENSION_KEY = "digits"


@dataclass(frozen=True)
class Runtime:
    model: Model
    metrics: Metrics
    rest: RestCodec  # POST /predict_digit
    v2: V2Codec  # POST /v2/models/digits/infer

    def read(self, images: Sequence[np.ndarray], refuse_blank: bool) -> list[Reading]:
        """uint8[H, W, 4] images -> the model's answer for each, counted in the metrics:
        /predict_digit and v2 alike. refuse_blank: a blank image fails the request (422) rather
        than answering the model's blank label."""
        readings = [self.model.read(pixels) for pixels in images]
        if sum(pixels.shape[0] * pixels.shape[1] for pixels in images) > LARGE_REQUEST_PIXELS:
            release_free_heap()
        if refuse_blank and any(reading.blank for reading in readings):
            raise BlankImage()
        self.metrics.count_predictions([reading.label for reading in readings if not reading.blank])
        return readings


def current_runtime() -> Runtime:
    return runtime_of(current_app)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions[EXTENSION_KEY]
