"""python -m server: serve the model with waitress. Flags override DIGITS_* environment variables."""

from __future__ import annotations

import os

# numpy's OpenBLAS starts a thread per core and lets them spin between calls. Preprocessing's
# only BLAS call is a ~96x96 blur, far too small to gain from threads, and the spinning threads
# steal the CPU the request threads need (tools/bench/README.md, tuning log). OpenBLAS reads it
# once, when numpy is first imported, so it is set here before any import that pulls numpy in; an
# explicit setting still wins. Embedders of create_app() set it themselves (docs/configuration.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from digits.cli import OneLineParser
from digits.decode import use_decoder
from server.allocator import configure_malloc, release_free_heap
from server.app import create_app  # noqa: E402
from server.config import Settings
from server.decoding import DecodeWorkers
from server.errors import ModelLoadError
from server.observability import configure_logging
from server.serving import create_server

log = logging.getLogger("server")

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = Settings()
    parser = OneLineParser(
        prog="python -m server",
        description="Serve the digits ONNX model over HTTP (POST /predict_digit).",
    )
    parser.add_argument("--host", help=f"bind address (DIGITS_HOST, default {defaults.host})")
    parser.add_argument("--port", type=int, help=f"port (DIGITS_PORT, default {defaults.port})")
    parser.add_argument("--threads", type=int, help=f"waitress threads (DIGITS_THREADS, default {defaults.threads})")
    parser.add_argument("--model", dest="model_path",
                        help=f"model file (DIGITS_MODEL_PATH, default {defaults.model_path})")
    return parser.parse_args(argv)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # `docker stop` sends SIGTERM, which PID 1 ignores unless it has a handler. SystemExit in the
    # main thread is what waitress's loop catches to close its sockets and return from serve().
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    configure_malloc()
    args = parse_args(argv)
    try:
        settings = Settings.from_env(**vars(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        app = create_app(settings)
    except ModelLoadError as exc:
        # One line, no traceback: this is a deployment mistake, not a bug.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    release_free_heap()
    log.info(
        "serving",
        extra={"host": settings.host, "port": settings.port, "threads": settings.threads, "model": settings.model_path},
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        serving = create_server(app, settings)
    except OSError as exc:  # port in use, address not available
        print(f"error: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    # One decode worker per request thread, so no thread waits for another's decoding.
    workers = DecodeWorkers(settings.threads, settings.decode_cpu_ms, settings.decode_memory_mib,
                            settings.max_request_pixels)
    use_decoder(workers.decode)
    serving.server.print_listen("Serving on http://{}:{}")
    try:
        # Returns on SIGTERM/Ctrl-C after answering the requests already received (serving.py).
        serving.run()
    finally:
        use_decoder(None)
        workers.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
