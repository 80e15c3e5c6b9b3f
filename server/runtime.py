"""What a running app holds, and the one inference path every protocol goes through."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask import Flask, current_app

from server.model import Model, Prediction
from server.observability import Metrics
from server.protocol import RequestDecoder

EXTENSION_KEY = "digits"


@dataclass(frozen=True)
class Runtime:
    model: Model
    metrics: Metrics
    decoder: RequestDecoder

    def predict(self, features: np.ndarray) -> Prediction:
        """float32[N, 64] -> prediction, counted in the metrics: /predict_digit and v2 alike."""
        prediction = self.model.predict(features)
        self.metrics.count_predictions(prediction.labels)
        return prediction


def current_runtime() -> Runtime:
    return runtime_of(current_app)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions[EXTENSION_KEY]
