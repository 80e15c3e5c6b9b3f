"""Server settings: environment variables with documented defaults (docs/configuration.md).

`python -m server` flags override the environment; `create_app(settings)` takes the result, and
a test or an embedder builds `Settings(model_path=...)` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from digits.decode import DEFAULT_MAX_IMAGE_PIXELS

ENV_PREFIX: Final = "DIGITS_"


@dataclass(frozen=True)
class Settings:
    model_path: str = "artifacts/model.onnx"
    host: str = "127.0.0.1"
    port: int = 5000
    # waitress worker threads, each with its own decode worker process (server/decoding.py). More
    # than one, so that requests waiting for costly decodes (outside the GIL) leave threads for
    # /healthz and the other requests: with four clients sending costly uploads, six kept /healthz
    # answering and the valid client served, one did neither (docs/reliability.md, "Threads"). The
    # CPU-bound work itself is still Python under one GIL; more cores: more processes.
    threads: int = 6
    ort_threads: int = 1  # onnxruntime intra_op_num_threads
    max_upload_bytes: int = 2 * 1024 * 1024
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    # What decoding the images of one request may cost in the decode workers (server/decoding.py;
    # docs/reliability.md has the measurements): pixels together, CPU together, and how far a
    # worker's address space may grow.
    max_request_pixels: int = 2 * DEFAULT_MAX_IMAGE_PIXELS
    decode_cpu_ms: int = 200
    decode_memory_mib: int = 88
    log_level: str = "INFO"
    channel_timeout: int = 30  # seconds a connection may stay silent (waitress's default: 120)
    # Open connections waitress accepts before it stops accepting. This is also the denial point:
    # that many slow clients and a normal request waits. A higher limit only moves it, at the memory
    # each connection stalled mid-upload holds (docs/reliability.md, "Slow clients and
    # `connection_limit`"); a reverse proxy in front is the defence against slow clients, not this number.
    connection_limit: int = 100

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """DIGITS_<FIELD> variables, then non-None `overrides` (command-line flags) on top."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw not in (None, ""):
                values[field.name] = _parse(field.name, raw, field.type)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


def _parse(name: str, raw: str, kind: Any) -> Any:
    if kind in (int, "int"):
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be an integer, got {raw!r}") from None
        if value < 0 or (value == 0 and name != "port"):
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be positive, got {raw!r}")
        return value
    return raw
