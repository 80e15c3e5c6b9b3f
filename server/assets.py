"""What the page downloads to recognize in the browser: ONNX Runtime Web's files and model.onnx.

Each is held gzipped and sent as it is to a client that accepts gzip (every browser does), or
inflated for one that does not. The ETag is a content hash and answers say `no-cache`, so a reload
revalidates with a 304 instead of downloading megabytes again.

- ONNX Runtime Web's files are in server/browser/, written gzipped only by `make web` (so the
  image carries the compressed copy alone). A name not in RUNTIME_FILES is a 404, as is a file
  `make web` has not written (the page then answers from the server).
- model.onnx is the file this server runs, compressed on first request (docs/page.md has what it
  costs) and checked against the digest the server loaded, so the browser never runs another.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from flask import Request, Response
from werkzeug.exceptions import NotFound, ServiceUnavailable

from server.model import Model

BROWSER_DIR: Final = Path(__file__).resolve().parent / "browser"
RUNTIME_FILES: Final = {
    "ort.wasm.bundle.min.mjs": "text/javascript",
    "ort-wasm-simd-threaded.wasm": "application/wasm",
}
MODEL_MEDIA_TYPE: Final = "application/octet-stream"
# zlib's default level: 9 shrinks the forest little more at many times the time (docs/page.md).
_MODEL_LEVEL: Final = 6
_CHUNK: Final = 1 << 20


@dataclass(frozen=True)
class Gzipped:
    body: bytes  # the gzip member
    digest: str  # SHA-256 of the uncompressed bytes: the ETag
    media_type: str


def runtime_file(name: str) -> Gzipped:
    """One of ONNX Runtime Web's files, as `make web` wrote it; 404 if unknown or not built."""
    media_type = RUNTIME_FILES.get(name)
    if media_type is None:
        raise NotFound(f"no browser file named {name!r}")
    return _read_runtime_file(name, media_type)


@lru_cache(maxsize=len(RUNTIME_FILES))
def _read_runtime_file(name: str, media_type: str) -> Gzipped:
    try:
        body = (BROWSER_DIR / f"{name}.gz").read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{name} is not built: run `make web`") from None
    return Gzipped(body, hashlib.sha256(gzip.decompress(body)).hexdigest(), media_type)


_model_lock = threading.Lock()
_model_cache: dict[tuple[str, str], Gzipped] = {}


def model_file(model: Model) -> Gzipped:
    """The served model's file, gzipped once per digest; 503 if the file on disk is no longer
    the one the server loaded (replaced since start-up)."""
    with _model_lock:
        key = (str(model.path), model.sha256)
        cached = _model_cache.get(key)
        if cached is None:
            cached = _compress_model(model)
            _model_cache.clear()  # one app serves one model: keep only its copy
            _model_cache[key] = cached
        return cached


def _compress_model(model: Model) -> Gzipped:
    # Streamed, so the uncompressed file is never in memory whole.
    compressor = zlib.compressobj(_MODEL_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    digest = hashlib.sha256()
    parts = []
    with model.path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    if digest.hexdigest() != model.sha256:
        raise ServiceUnavailable("the model file changed on disk since the server loaded it; restart the server")
    return Gzipped(b"".join(parts), model.sha256, MODEL_MEDIA_TYPE)


def send(asset: Gzipped, request: Request) -> Response:
    """200 with the gzipped or the inflated bytes, or 304 when the client's ETag still matches."""
    gzipped = request.accept_encodings["gzip"] > 0
    response = Response(asset.body if gzipped else gzip.decompress(asset.body), mimetype=asset.media_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    # Each encoding is its own representation, so its own strong ETag.
    response.set_etag(f"{asset.digest}-gzip" if gzipped else asset.digest)
    response.vary.add("Accept-Encoding")
    response.cache_control.no_cache = True
    return response.make_conditional(request)
