"""Every bad request gets a 4xx JSON {"error": ...}: one table, checked in process through
create_app(); what only waitress decides (its own limits, raw HTTP) is in tests/reliability/."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from drawings.grid import GridStyle, encode
from server.app import create_app
from server.config import Settings
from tests.server.helpers import drawing

PNG = drawing(3)
BLANK = encode(Image.new("RGB", (200, 200), "white"))
BLANK_TRANSPARENT = encode(Image.new("RGBA", (200, 200), (0, 0, 0, 0)))
BOMB = encode(Image.new("1", (5000, 5000)))  # 25 MP, a few KB on the wire
TIFF = encode(Image.new("L", (50, 50)), "TIFF")
OVER_LIMIT = b"\x00" * (3 * 1024 * 1024)


def upload(data: bytes, name: str = "digit.png", field: str = "image") -> dict:
    return {"files": {field: (name, data)}}


def raw(data: bytes, media_type: str | None) -> dict:
    return {"data": data, "headers": {"Content-Type": media_type} if media_type else {}}


CASES = [
    # (id, method, path, request kwargs, status, message fragment)
    ("missing field", "POST", "/predict_digit", upload(PNG, field="file"), 400, "missing multipart field 'image'"),
    ("field not a file", "POST", "/predict_digit", {"data": {"image": "x"}, "files": {"other": ("a", b"b")}}, 400, "must be a file upload"),
    ("empty file", "POST", "/predict_digit", upload(b""), 400, "empty image"),
    ("not an image", "POST", "/predict_digit", upload(b"hello, world"), 400, "cannot identify image"),
    ("truncated png", "POST", "/predict_digit", upload(PNG[: len(PNG) // 2]), 400, "truncated"),
    ("truncated raw png", "POST", "/predict_digit", raw(PNG[:100], "image/png"), 400, "truncated"),
    ("text/plain body", "POST", "/predict_digit", raw(b"3", "text/plain"), 415, "unsupported media type text/plain"),
    ("no content type", "POST", "/predict_digit", raw(b"3", None), 415, "unsupported media type"),
    ("image/tiff body", "POST", "/predict_digit", raw(TIFF, "image/tiff"), 415, "unsupported media type image/tiff"),
    ("tiff upload", "POST", "/predict_digit", upload(TIFF, "d.tiff"), 415, "unsupported image format TIFF"),
    ("body over limit", "POST", "/predict_digit", upload(OVER_LIMIT), 413, "Request Entity Too Large"),
    ("raw body over limit", "POST", "/predict_digit", raw(OVER_LIMIT, "image/png"), 413, "Request Entity Too Large"),
    ("decompression bomb", "POST", "/predict_digit", upload(BOMB), 413, "5000x5000 pixels"),
    ("blank image", "POST", "/predict_digit", upload(BLANK), 422, "blank"),
    ("blank transparent", "POST", "/predict_digit", raw(BLANK_TRANSPARENT, "image/png"), 422, "blank"),
    ("invalid json", "POST", "/predict_digit", raw(b"{nope", "application/json"), 400, "invalid JSON"),
    ("json without pixels", "POST", "/predict_digit", {"json": {"pix": []}}, 400, "missing field 'pixels'"),
    ("json 63 pixels", "POST", "/predict_digit", {"json": {"pixels": [0] * 63}}, 400, "pixels must be 64 numbers"),
    ("json pixel > 16", "POST", "/predict_digit", {"json": {"pixels": [17] * 64}}, 400, "0..16"),
    ("json pixel not number", "POST", "/predict_digit", {"json": {"pixels": ["a"] * 64}}, 400, "pixels must be 64 numbers"),
    ("json empty instances", "POST", "/predict_digit", {"json": {"instances": []}}, 400, "non-empty list"),
    ("wrong method", "GET", "/predict_digit", {}, 405, "Method Not Allowed"),
    ("wrong method on healthz", "POST", "/healthz", {}, 405, "Method Not Allowed"),
    ("unknown route", "GET", "/predict", {}, 404, "Not Found"),
    ("v2 unknown model", "GET", "/v2/models/mnist", {}, 404, "Not Found"),
    ("v2 unknown version", "GET", "/v2/models/digits/versions/7", {}, 404, "no version 7"),
    ("v2 wrong shape", "POST", "/v2/models/digits/infer", {"json": {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 63], "data": [0] * 63}]}}, 400, "shape [N, 64]"),
    ("v2 wrong datatype", "POST", "/v2/models/digits/infer", {"json": {"inputs": [{"name": "input", "datatype": "INT8", "shape": [1, 64], "data": [0] * 64}]}}, 400, "datatype FP32"),
    ("v2 not json", "POST", "/v2/models/digits/infer", raw(b"[", "application/json"), 400, "invalid JSON"),
]


@pytest.mark.parametrize(
    "method, path, kwargs, status, message", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_bad_requests_get_json_errors(client, method, path, kwargs, status, message):
    response = client.open(path, method=method, **as_client_kwargs(kwargs))
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert message in response.json["error"]


def test_waitress_refuses_an_oversized_body_as_json(live_server):
    """Behind waitress the body limit is enforced before Flask sees the request: same answer."""
    response = requests.post(live_server.url + "/predict_digit", timeout=30, **raw(OVER_LIMIT, "image/png"))
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert "Request Entity Too Large" in response.json()["error"]


def as_client_kwargs(kwargs: dict) -> dict:
    """The table's requests-style arguments, as Flask's test client takes them."""
    files = kwargs.get("files", {})
    if not files:
        return kwargs
    form = {**kwargs.get("data", {}), **{field: (io.BytesIO(data), name) for field, (name, data) in files.items()}}
    return {"data": form, "content_type": "multipart/form-data"}


def test_upload_limit_is_configurable(small_model_path):
    client = create_app(Settings(model_path=str(small_model_path), max_upload_bytes=1000)).test_client()
    small = client.post("/predict_digit", data=b"x" * 999, content_type="image/png")
    large = client.post("/predict_digit", data=PNG + b"x" * 1000, content_type="image/png")
    assert small.status_code == 400  # under the limit: read, then refused as not an image
    assert large.status_code == 413


def test_styles_do_not_matter_for_errors(client):
    """A well-formed drawing in an odd style is not an error (guards the table against over-refusing)."""
    response = client.post("/predict_digit", data=drawing(3, GridStyle(mode="P")), content_type="image/png")
    assert response.status_code == 200
