"""Every route, in one style: thin views that decode, call Runtime.predict, and encode.

`GET /` is the draw-a-digit page (server/static/): it runs model.onnx in the browser with ONNX
Runtime Web (GET /model.onnx, GET /ort/<name>; server/assets.py) and calls POST /predict_digit like
any other client for uploads, or when the browser cannot run the model. The /v2 routes are the
Open Inference Protocol's (server/v2_codec.py). Both inference routes go through one
`_infer`: their codec (server/codec.py) decodes, Runtime.read reads, the codec encodes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import NotFound

from server import assets, v2_codec
from server.codec import Codec
from server.runtime import current_runtime

routes = Blueprint("routes", __name__)


@routes.get("/")
def page() -> Response:
    # Its Content-Security-Policy is set with every HTML answer's (server/headers.py), so the
    # same file under /static/index.html carries it too.
    return current_app.send_static_file("index.html")


@routes.get("/model.onnx")
def model_file() -> Response:
    return assets.send(assets.model_file(current_runtime().model), request)


@routes.get("/ort/<name>")
def browser_runtime(name: str) -> Response:
    return assets.send(assets.runtime_file(name), request)


@routes.post("/predict_digit")
def predict_digit() -> Response:
    runtime = current_runtime()
    return _infer(runtime.rest, runtime.model.version)


@routes.get("/healthz")
def healthz() -> Response:
    return jsonify(status="alive")


@routes.get("/readyz")
def readyz() -> Response:
    # The model is loaded and warmed up inside create_app(), so an app that exists is ready.
    model = current_runtime().model
    return jsonify(status="ready", model_version=model.version, model_sha256=model.sha256)


@routes.get("/model")
def model_metadata() -> Response:
    return jsonify(current_runtime().model.metadata())


@routes.get("/metrics")
def metrics() -> Response:
    return current_runtime().metrics.exposition()


@routes.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@routes.get("/v2")
def v2_server_metadata() -> Response:
    return jsonify(name="digits-onnx", version="1", extensions=["binary_tensor_data"])


@routes.get("/v2/health/live")
def v2_live() -> Response:
    return jsonify(live=True)


@routes.get("/v2/health/ready")
def v2_ready() -> Response:
    return jsonify(ready=True)


@routes.get("/v2/models/digits")
@routes.get("/v2/models/digits/versions/<version>")
def v2_model_metadata(version: str | None = None) -> Response:
    return jsonify(v2_codec.v2_model_metadata(_model_version(version)))


@routes.get("/v2/models/digits/ready")
@routes.get("/v2/models/digits/versions/<version>/ready")
def v2_model_ready(version: str | None = None) -> Response:
    _model_version(version)
    return jsonify(name=v2_codec.V2_MODEL_NAME, ready=True)


@routes.post("/v2/models/digits/infer")
@routes.post("/v2/models/digits/versions/<version>/infer")
def v2_infer(version: str | None = None) -> Response:
    served = _model_version(version)
    return _infer(current_runtime().v2, served)


def _infer(codec: Codec[Any], model_version: str) -> Response:
    """The one inference path: the request -> the model's input -> its readings -> the answer."""
    parsed = codec.decode(request)
    readings = current_runtime().read(parsed.images, refuse_blank=codec.refuse_blank)
    return codec.encode(readings, parsed.options, model_version)


def _model_version(asked: str | None) -> str:
    """The served model's version; 404 if the client asked for another one."""
    served = current_runtime().model.version
    if asked is not None and asked != served:
        raise NotFound(f"model {v2_codec.V2_MODEL_NAME} has no version {asked}")
    return served


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, read on first use (few clients fetch it; start-up stays short).

    server/openapi.yaml is the source; `make openapi` renders it to openapi.json, so the runtime
    needs no YAML parser."""
    return json.loads(resources.files("server").joinpath("openapi.json").read_text(encoding="utf-8"))
