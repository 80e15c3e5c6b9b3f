"""Every route the app serves answers in process, as the table below says; a route added without a
row here fails `test_every_route_has_a_row`.

The wire formats themselves are covered beside this: /predict_digit in test_predict.py, its errors
in test_errors.py, v2 through the real Triton client in test_v2.py.
"""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest

from digits.decode import decode
from digits.pixels import rgba
from tests.samples import drawing

V2_INFER = "/v2/models/digits/infer"

GET_ROUTES = [
    # (path, status, content type, what the answer holds)
    ("/", 200, "text/html", b"<canvas"),
    ("/static/page.js", 200, "text/javascript", b"predict_digit"),
    ("/healthz", 200, "application/json", b'"alive"'),
    ("/readyz", 200, "application/json", b'"ready"'),
    ("/model", 200, "application/json", b'"sha256"'),
    ("/model.onnx", 200, "application/octet-stream", b"ai.onnx.ml"),
    ("/ort/ort.min.js", 404, "application/json", b"no browser file named"),
    ("/metrics", 200, "text/plain", b"digits_"),
    ("/openapi.json", 200, "application/json", b'"/predict_digit"'),
    ("/v2", 200, "application/json", b'"binary_tensor_data"'),
    ("/v2/health/live", 200, "application/json", b'"live":true'),
    ("/v2/health/ready", 200, "application/json", b'"ready":true'),
    ("/v2/models/digits", 200, "application/json", b'"onnxruntime_onnx"'),
    ("/v2/models/digits/ready", 200, "application/json", b'"ready":true'),
    ("/v2/models/digits/versions/no-such-version", 404, "application/json", b"has no version no-such-version"),
    ("/v2/models/digits/versions/no-such-version/ready", 404, "application/json", b"has no version"),
]


@pytest.mark.parametrize(("path", "status", "content_type", "holds"), GET_ROUTES, ids=[r[0] for r in GET_ROUTES])
def test_get_route(client, path, status, content_type, holds):
    response = client.get(path)
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == content_type
    assert holds in response.data


def v2_image(label: int) -> np.ndarray:
    """A drawing of `label` as the model's input: decoded RGBA."""
    return rgba(decode(drawing(label)))


def test_versioned_v2_routes_answer_for_the_served_version(client):
    version = client.get("/readyz").json["model_version"]
    assert client.get(f"/v2/models/digits/versions/{version}").json["versions"] == [version]
    assert client.get(f"/v2/models/digits/versions/{version}/ready").json["ready"] is True
    pixels = v2_image(1)
    body = {"inputs": [{"name": "image", "shape": list(pixels.shape), "datatype": "UINT8", "data": pixels.tolist()}]}
    answer = client.post(f"/v2/models/digits/versions/{version}/infer", json=body).json
    assert answer["model_version"] == version


def test_v2_metadata_describes_the_model_file(client):
    meta = client.get("/v2/models/digits").json
    assert meta["inputs"] == [{"name": "image", "datatype": "UINT8", "shape": [-1, -1, 4]}]
    assert [(o["name"], o["datatype"], o["shape"]) for o in meta["outputs"]] == [
        ("label", "INT64", [1]), ("probabilities", "FP32", [1, 10]), ("sure", "BOOL", [1]), ("features", "FP32", [3, 64])]


def test_v2_infer_json_answers_what_predict_digit_answers(client):
    pixels = v2_image(3)
    body = {"id": "42", "inputs": [{"name": "image", "shape": list(pixels.shape), "datatype": "UINT8",
                                    "data": pixels.reshape(-1).tolist()}]}
    response = client.post(V2_INFER, json=body)
    assert response.status_code == 200, response.json
    answer = response.json
    assert answer["model_name"] == "digits" and answer["id"] == "42"
    outputs = {o["name"]: o for o in answer["outputs"]}
    assert [(o["name"], o["datatype"], o["shape"]) for o in answer["outputs"]] == [
        ("label", "INT64", [1]), ("probabilities", "FP32", [1, 10]), ("sure", "BOOL", [1]), ("features", "FP32", [3, 64])]
    upload = client.post("/predict_digit", data={"image": (io.BytesIO(drawing(3)), "d.png")},
                         content_type="multipart/form-data").json
    assert outputs["label"]["data"] == [upload["prediction"]]
    np.testing.assert_allclose(outputs["probabilities"]["data"], upload["probabilities"], atol=1e-4)
    assert outputs["sure"]["data"] == [upload["sure"]]


def test_v2_infer_binary(client):
    """The binary tensor extension both ways: raw UINT8 in after the JSON header, raw tensors out."""
    pixels = v2_image(8)
    header = json.dumps({"inputs": [{"name": "image", "shape": list(pixels.shape), "datatype": "UINT8",
                                     "parameters": {"binary_data_size": pixels.size}}],
                         "parameters": {"binary_data_output": True}}).encode()
    response = client.post(
        V2_INFER, data=header + pixels.tobytes(),
        headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))},
    )
    assert response.status_code == 200, response.data[:300]
    length = int(response.headers["Inference-Header-Content-Length"])
    answer = json.loads(response.data[:length])
    payload = response.data[length:]
    sizes = [o["parameters"]["binary_data_size"] for o in answer["outputs"]]
    assert sizes == [8, 10 * 4, 1, 3 * 64 * 4] and len(payload) == sum(sizes)
    label = np.frombuffer(payload[:8], dtype="<i8")
    probabilities = np.frombuffer(payload[8:48], dtype="<f4")
    assert label.tolist() == [probabilities.argmax()]


def test_v2_blank_image_answers_the_models_blank_label(client):
    body = {"inputs": [{"name": "image", "shape": [8, 8, 4], "datatype": "UINT8", "data": [0] * 256}]}
    outputs = {o["name"]: o["data"] for o in client.post(V2_INFER, json=body).json["outputs"]}
    assert outputs["label"] == [-1] and outputs["probabilities"] == [0.0] * 10 and outputs["sure"] == [False]


def test_readyz_names_the_loaded_file(client, small_model_path):
    assert client.get("/readyz").json["model_sha256"] == hashlib.sha256(small_model_path.read_bytes()).hexdigest()


# POST routes: /predict_digit (test_predict.py), infer and its versioned form (the tests above).
COVERED = {path for path, *_ in GET_ROUTES} | {"/predict_digit", V2_INFER, "/v2/models/digits/versions/no-such-version/infer"}


def test_every_route_has_a_row(app):
    """Each URL rule of the app is exercised by a row above (its variable parts filled in)."""
    filled = {
        "<path:filename>": "page.js",
        "<version>": "no-such-version",
        "<name>": "ort.min.js",
    }
    missing = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for variable, value in filled.items():
            path = path.replace(variable, value)
        if path not in COVERED:
            missing.append(rule.rule)
    assert missing == []
