"""The seed design, as a baseline: Flask unpickles the scikit-learn model and calls `predict`.

Same multipart contract and the SAME preprocessing function as server/, so the only difference
measured is the model runtime (and the lean server's own hot path).
"""

from __future__ import annotations

from pathlib import Path

import joblib
from flask import Flask, Response, jsonify, request

from digits.preprocess import bytes_to_features

IMAGE_FIELD = "image"


def create_app(model_path: str | Path) -> Flask:
    app = Flask(__name__)
    model = joblib.load(model_path)

    @app.post("/predict_digit")
    def predict_digit() -> Response:
        features = bytes_to_features(request.files[IMAGE_FIELD].read())
        return jsonify(prediction=int(model.predict(features)[0]))

    return app
