"""What a running app holds, and the one inference path every protocol goes through."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask import Flask, current_app

from digits.views import average_views
from server.model import Model, Prediction
from server.observability import Metrics
from server.protocol import RequestDecoder

EXTENSION_KEY = "digits"


@dataclass(frozen=True)
class Runtime:
    model: Model
    metrics: Metrics
    decoder: RequestDecoder

    def predict(self, features: np.ndarray, views: int = 1) -> Prediction:
        """float32[N * views, 64] -> N predictions, each the mean of its views' probabilities,
        counted in the metrics: /predict_digit and v2 alike."""
        prediction = self.model.predict(features)
        if views > 1:
            probabilities = average_views(prediction.probabilities, views)
            prediction = Prediction(probabilities.argmax(axis=1).astype(np.int64), probabilities)
        self.metrics.count_predictions(prediction.labels)
        return prediction


def current_runtime() -> Runtime:
    return runtime_of(current_app)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions[EXTENSION_KEY]
