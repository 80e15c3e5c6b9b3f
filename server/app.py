"""create_app(settings): the app factory, and the only way settings reach the app."""

from __future__ import annotations

import logging

from flask import Flask, Response

from server.config import Settings
from server.errors import register_error_handlers
from server.headers import add_security_headers
from server.model import Model
from server.observability import Metrics, instrument
from server.request import InMemoryRequest
from server.rest_codec import RestCodec
from server.routes import routes
from server.runtime import EXTENSION_KEY, Runtime
from server.v2_codec import V2Codec

log = logging.getLogger("server")


class PlainResponse(Response):
    default_mimetype = "text/plain"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app and load the model (raises ModelLoadError if it cannot be served).

    Without settings, DIGITS_* environment variables and their defaults (server/config.py) apply.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    # Werkzeug answers "/v2//models/..." with a redirect to the merged path: an HTML body and a
    # Location built from the client's Host header. A path that is not a rule's own spelling is
    # a 404 like any other. (Its other redirect, to add a trailing slash, needs a rule ending in
    # "/", and only the page's "/" does.)
    app.url_map.merge_slashes = False
    # An answer without a body of its own (OPTIONS, say) is not HTML either.
    app.response_class = PlainResponse
    app.request_class = InMemoryRequest
    app.config.from_mapping(MAX_CONTENT_LENGTH=settings.max_upload_bytes)
    app.json.sort_keys = False  # keep prediction first in the answer

    model = Model.load(settings.model_path, intra_op_threads=settings.ort_threads)
    log.info("model loaded", extra={"model": str(model.path), "model_version": model.version,
                                    "model_sha256": model.sha256})
    app.extensions[EXTENSION_KEY] = Runtime(model, Metrics(), rest=RestCodec(settings.max_image_pixels),
                                            v2=V2Codec(settings.max_image_pixels))

    register_error_handlers(app)
    instrument(app, app.extensions[EXTENSION_KEY].metrics)
    add_security_headers(app)
    app.register_blueprint(routes)
    return app
