"""What a running app holds: the model, its metrics and the limits requests are checked against."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from server.model import Model
from server.observability import Metrics

EXTENSION_KEY = "digits"


@dataclass(frozen=True)
class Runtime:
    model: Model
    metrics: Metrics
    max_image_pixels: int


def current_runtime() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
