"""The pickle design: Flask unpickles the scikit-learn model and calls `predict`.

The baseline of the benchmarks (`python -m tools.bench.serve pickle`, on the same waitress settings as
the runtime) and the app of the size-comparison image (deploy/docker/pickle/, `python -m
tools.bench.pickle_app` on Flask's own server). Same multipart contract and the SAME preprocessing as
server/, so what differs is the model runtime and the stack alone.
"""

from __future__ import annotations

import os
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


if __name__ == "__main__":
    # The image's entry point: the original stack, served by Flask's development server.
    create_app(os.environ.get("PICKLE_MODEL", "artifacts/best_model.pkl")).run(host="0.0.0.0", port=5000)
