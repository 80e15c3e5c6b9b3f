"""Every failure the API can report, and the one place that turns them into HTTP status + JSON.

Request handling raises ApiError subclasses, the featurizer raises digits.errors (mapped by
INPUT_ERROR_STATUS), Werkzeug raises its own HTTPException; nothing else in server/ builds an
error response, so this module is the whole status contract. Requests that
waitress refuses before Flask sees them (body over the limit, malformed HTTP) keep waitress's
status but get the same JSON body through error_json() (server/serving.py).
"""

from __future__ import annotations

import json
import logging
from typing import Final

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from digits.errors import (
    BlankImage,
    ImageTooCostly,
    ImageTooLarge,
    InputError,
    UndecodableImage,
    UnsupportedImageFormat,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the server understood well enough to refuse; `status` is its HTTP code."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    """Malformed input: a missing field, invalid JSON, wrong array shape, out-of-range pixels."""

    status = 400


class UnsupportedMediaType(ApiError):
    """A Content-Type the endpoint does not accept."""

    status = 415


# The featurizer's domain errors (digits/errors.py) and the status each one answers with.
INPUT_ERROR_STATUS: Final[dict[type[InputError], int]] = {
    UndecodableImage: 400,
    UnsupportedImageFormat: 415,
    ImageTooLarge: 413,
    ImageTooCostly: 413,
    BlankImage: 422,
}


class ModelLoadError(Exception):
    """The .onnx file is missing, empty, corrupt or does not match digits/contract.py.

    Raised at start-up only; `python -m server` prints it as one line and exits non-zero.
    """


def error_response(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def error_json(message: str) -> bytes:
    """The error body outside Flask (waitress's own refusals), byte-compatible with jsonify's."""
    return json.dumps({"error": message}, separators=(",", ":")).encode("utf-8") + b"\n"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return error_response(exc.status, exc.message)

    @app.errorhandler(InputError)
    def _input_error(exc: InputError) -> tuple[Response, int]:
        return error_response(INPUT_ERROR_STATUS.get(type(exc), 400), exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int]:
        # Routing (404/405) and Werkzeug's own limits (413 from MAX_CONTENT_LENGTH) land here;
        # keep its short name ("Method Not Allowed") plus the description as the message.
        status = exc.code or 500
        response, _ = error_response(status, f"{exc.name}: {exc.description}")
        if status == 405 and exc.response is None:
            valid = getattr(exc, "valid_methods", None)
            if valid:
                response.headers["Allow"] = ", ".join(valid)
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        # A bug, not bad input: log the traceback, answer JSON rather than Flask's HTML page.
        log.exception("unhandled error")
        return error_response(500, "internal server error")
