"""create_app(config): the route table. Routes stay thin; the work is in the modules they call.

`GET /` is the draw-a-digit page: static files in server/static/ (Flask's static folder), which
call POST /predict_digit like any other client.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Mapping

import numpy as np
from flask import Flask, Response, current_app, jsonify, request

from server import v2
from server.config import Settings
from digits.contract import GRID_SIDE
from server.errors import register_error_handlers
from server.inputs import InMemoryRequest, parse_predict_request
from server.model import Model, Prediction
from server.observability import Metrics, instrument
from server.runtime import EXTENSION_KEY, Runtime, current_runtime

# The page loads nothing but its own files and has no inline script or handler; this keeps it so.
PAGE_CSP: Final = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app and load the model (raises ModelLoadError if it cannot be served)."""
    app = Flask(__name__)
    app.request_class = InMemoryRequest
    app.config.from_mapping(Settings().flask_config())
    app.config.from_mapping(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"]
    app.json.sort_keys = False  # keep prediction first in the answer

    model = Model.load(app.config["MODEL_PATH"], intra_op_threads=app.config["ORT_THREADS"])
    metrics = Metrics()
    app.extensions[EXTENSION_KEY] = Runtime(model, metrics, app.config["MAX_IMAGE_PIXELS"])

    register_error_handlers(app)
    instrument(app, metrics)
    app.register_blueprint(v2.blueprint)

    app.add_url_rule("/", view_func=page)
    app.add_url_rule("/predict_digit", view_func=predict_digit, methods=["POST"])
    app.add_url_rule("/healthz", view_func=healthz)
    app.add_url_rule("/readyz", view_func=readyz)
    app.add_url_rule("/model", view_func=model_metadata)
    app.add_url_rule("/metrics", view_func=lambda: current_runtime().metrics.exposition(), endpoint="metrics")
    app.add_url_rule("/openapi.json", view_func=lambda: jsonify(openapi_document()), endpoint="openapi")
    return app


def predict_digit() -> Response:
    runtime = current_runtime()
    parsed = parse_predict_request(request, runtime.max_image_pixels)
    prediction = runtime.model.predict(parsed.features)
    runtime.metrics.count_predictions(prediction.labels)
    explain = request.args.get("explain", "").lower() in ("1", "true", "yes")
    answers = [
        _answer(prediction, row, parsed.features[row] if explain else None)
        for row in range(len(prediction.labels))
    ]
    return jsonify({"predictions": answers} if parsed.batch else answers[0])


def page() -> Response:
    response = current_app.send_static_file("index.html")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def healthz() -> Response:
    return jsonify(status="alive")


def readyz() -> Response:
    # The model is loaded and warmed up inside create_app(), so an app that exists is ready.
    runtime = current_runtime()
    return jsonify(status="ready", model_sha256=runtime.model.sha256)


def model_metadata() -> Response:
    return jsonify(current_runtime().model.metadata())


def _answer(prediction: Prediction, row: int, features: np.ndarray | None) -> dict[str, Any]:
    probabilities = prediction.probabilities[row]
    answer: dict[str, Any] = {
        "prediction": int(prediction.labels[row]),
        "confidence": round(float(probabilities.max()), 4),
        "probabilities": [round(float(p), 4) for p in probabilities],
    }
    if features is not None:
        answer["features"] = features.reshape(GRID_SIDE, GRID_SIDE).tolist()
    return answer


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, read on first use (few clients fetch it; start-up stays short).

    server/openapi.yaml is the source; `make openapi` renders it to openapi.json, so the runtime
    needs no YAML parser."""
    return json.loads(resources.files("server").joinpath("openapi.json").read_text(encoding="utf-8"))
