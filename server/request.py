"""The app's Request class: what a request body becomes before a codec reads it."""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryRequest(Request):
    """Multipart file parts kept in memory rather than spooled to a temp file past 500 KB.

    Bodies are capped at DIGITS_MAX_UPLOAD_BYTES before parsing, so memory stays bounded, and
    uploads work on a read-only root filesystem (no writable /tmp in `docker run --read-only`).
    """

    def _get_file_stream(
        self, total_content_length: int | None, content_type: str | None,
        filename: str | None = None, content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()
