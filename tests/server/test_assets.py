"""GET /model.onnx and GET /ort/<name>: what the page downloads to read drawings in the browser.

Each is sent gzipped to a client that accepts gzip and inflated otherwise, with a content-hash ETag
that turns a reload into a 304, and is never cached without asking (server/assets.py).
"""

from __future__ import annotations

import gzip
import hashlib
import shutil

import pytest

from server import assets
from server.app import create_app
from server.config import Settings

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
WASM = b"\0asm\1\0\0\0 a stand-in for ONNX Runtime's WebAssembly"


@pytest.fixture
def built_runtime(tmp_path, monkeypatch):
    """server/browser/ as `make web` writes it, with a stand-in WebAssembly file."""
    (tmp_path / "ort-wasm-simd-threaded.wasm.gz").write_bytes(gzip.compress(WASM))
    monkeypatch.setattr(assets, "BROWSER_DIR", tmp_path)
    assets._read_runtime_file.cache_clear()
    yield
    assets._read_runtime_file.cache_clear()


@pytest.mark.parametrize(
    ("headers", "encoding", "etag_suffix"),
    [(GZIP, "gzip", "-gzip"), ({}, None, ""), ({"Accept-Encoding": "gzip;q=0, identity"}, None, "")],
    ids=["gzip", "no-accept-encoding", "gzip-refused"],
)
def test_model_is_the_served_file_with_its_digest_as_etag(client, app, small_model_path, headers, encoding,
                                                          etag_suffix):
    original = small_model_path.read_bytes()
    digest = hashlib.sha256(original).hexdigest()
    response = client.get("/model.onnx", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    body = gzip.decompress(response.data) if encoding else response.data
    assert body == original
    assert response.headers["ETag"] == f'"{digest}{etag_suffix}"'
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in response.headers["Vary"]

    again = client.get("/model.onnx", headers={**headers, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    ("headers", "encoding"), [(GZIP, "gzip"), ({}, None)], ids=["gzip", "no-accept-encoding"]
)
def test_runtime_file_is_sent_as_built(client, built_runtime, headers, encoding):
    response = client.get("/ort/ort-wasm-simd-threaded.wasm", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/wasm"
    assert response.headers.get("Content-Encoding") == encoding
    assert (gzip.decompress(response.data) if encoding else response.data) == WASM
    assert response.headers["ETag"].startswith(f'"{hashlib.sha256(WASM).hexdigest()}')

    again = client.get("/ort/ort-wasm-simd-threaded.wasm", headers={**headers, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/ort/ort.wasm.bundle.min.mjs", "ort.wasm.bundle.min.mjs is not built: run `make web`"),
        ("/ort/ort.min.js", "no browser file named 'ort.min.js'"),
        ("/ort/ort-wasm-simd-threaded.jsep.wasm", "no browser file named 'ort-wasm-simd-threaded.jsep.wasm'"),
        ("/ort/..%2Froutes.py", "Not Found: The requested URL was not found"),
    ],
    ids=["not-built", "other-bundle", "other-wasm-build", "traversal"],
)
def test_only_the_one_runtime_build_is_served(client, built_runtime, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.get_json()["error"]


def test_a_model_file_replaced_after_start_up_is_not_served(small_model_path, tmp_path):
    copy = tmp_path / "model.onnx"
    shutil.copyfile(small_model_path, copy)
    client = create_app(Settings(model_path=str(copy))).test_client()
    copy.write_bytes(copy.read_bytes() + b"\0")

    response = client.get("/model.onnx", headers=GZIP)
    assert response.status_code == 503
    assert "changed on disk since the server loaded it" in response.get_json()["error"]
