"""python -m server: serve the model with waitress. Flags override DIGITS_* environment variables."""

from __future__ import annotations

import argparse
import logging
import sys

import waitress

from server.app import create_app
from server.config import Settings
from server.errors import ModelLoadError
from server.observability import configure_logging

log = logging.getLogger("server")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m server",
        description="Serve the digits ONNX model over HTTP (POST /predict_digit).",
    )
    parser.add_argument("--host", help=f"bind address (DIGITS_HOST, default {defaults.host})")
    parser.add_argument("--port", type=int, help=f"port (DIGITS_PORT, default {defaults.port})")
    parser.add_argument("--threads", type=int, help=f"waitress threads (DIGITS_THREADS, default {defaults.threads})")
    parser.add_argument("--model", dest="model_path", help=f"model file (DIGITS_MODEL_PATH, default {defaults.model_path})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env(**vars(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        app = create_app(settings.flask_config())
    except ModelLoadError as exc:
        # One line, no traceback: this is a deployment mistake, not a bug.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log.info(
        "serving",
        extra={"host": settings.host, "port": settings.port, "threads": settings.threads, "model": settings.model_path},
    )
    waitress.serve(app, host=settings.host, port=settings.port, **settings.waitress_options())
    return 0


if __name__ == "__main__":
    sys.exit(main())
