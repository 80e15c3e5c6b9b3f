"""The one interface both inference routes go through: a Codec turns an HTTP request into the
model's input, and the model's readings into the HTTP answer.

server/rest_codec.py speaks POST /predict_digit, server/v2_codec.py the Open Inference Protocol's
infer; server/routes.py runs either the same way (decode, Runtime.read, encode). A codec refuses
by raising (server/errors.py or digits/errors.py), never by building an error response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import numpy as np
from flask import Request, Response

from server.model import Reading

Options = TypeVar("Options")


@dataclass(frozen=True)
class PredictRequest(Generic[Options]):
    images: list[np.ndarray]  # uint8[H, W, 4] RGBA each: the model's input
    options: Options  # what the client chose about its answer, in the codec's own terms


class Codec(Protocol[Options]):
    # A blank image fails the request (422) rather than answering the model's blank label.
    refuse_blank: bool

    def decode(self, request: Request) -> PredictRequest[Options]: ...

    def encode(self, readings: Sequence[Reading], options: Options, model_version: str) -> Response: ...
