"""The stack's ceiling: the same Flask + waitress, reading the upload and answering a constant.

No preprocessing, no model: whatever this route reaches is the most any route can on this stack.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

IMAGE_FIELD = "image"
CONSTANT_ANSWER = {"prediction": 0, "confidence": 1.0}


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/predict_digit")
    def predict_digit() -> Response:
        request.files[IMAGE_FIELD].read()
        return jsonify(CONSTANT_ANSWER)

    return app
