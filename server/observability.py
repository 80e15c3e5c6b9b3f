"""Request ids, the JSON access log and Prometheus metrics, wired into an app in one call; library
warnings (Pillow's, say) as JSON log lines, repeats bounded.

Metrics live in a per-app CollectorRegistry (not prometheus_client's global one) so that
create_app() can be called more than once in a process, as tests and benchmarks do.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
import warnings
from collections import Counter as Tally
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUEST_ID_HEADER: Final = "X-Request-ID"
# A caller's id is echoed only if it is short and printable; anything else gets a fresh one.
_SAFE_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Label values come from fixed sets, so no client can add a series: waitress accepts any method
# token, and every series lives until the process exits. Routes are the app's own rules.
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
OTHER: Final = "other"  # a method outside METHODS, a path no rule matches
UNPARSED: Final = "unparsed"  # the route of a request waitress refused before Flask saw it

# A library warning is logged this many times per (category, source line), then once per
# REPEATS_SUMMARY more: an EXIF block of 10,000 bad tags is a few lines, not 20,000.
WARNING_REPEATS: Final = 5
REPEATS_SUMMARY: Final = 1000

access_log = logging.getLogger("server.access")
warnings_log = logging.getLogger("server.warnings")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "digits_http_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "digits_http_request_duration_seconds",
            "Time from request start to response, by route.",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.predictions = Counter(
            "digits_predictions",
            "Predicted digits, by label.",
            ["digit"],
            registry=self.registry,
        )

    def count_predictions(self, labels: Iterable[int]) -> None:
        for label in labels:
            self.predictions.labels(digit=str(int(label))).inc()

    def count_request(self, route: str, method: str | None, status: int, latency: float | None = None) -> None:
        self.requests.labels(route=route, method=method_label(method), status=str(status)).inc()
        if latency is not None:
            self.latency.labels(route=route).observe(latency)

    def exposition(self) -> Response:
        # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
        return Response(generate_latest(self.registry), content_type=CONTENT_TYPE_LATEST)


def method_label(method: str | None) -> str:
    return method if method in METHODS else OTHER


class JsonFormatter(logging.Formatter):
    """One JSON object per line; `extra={...}` fields become top-level keys."""

    _STANDARD: Final = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime  # type: ignore[assignment]


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # Otherwise Python prints them to stderr as raw multi-line text with site-packages paths.
    warnings.showwarning = _show_warning


class BoundedWarnings:
    """Library warnings into the JSON log: the first WARNING_REPEATS of each source line, then a
    count every REPEATS_SUMMARY."""

    def __init__(self) -> None:
        self._seen: Tally[tuple[str, str]] = Tally()
        self._lock = threading.Lock()

    def log(self, category: str, where: str, message: str, times: int = 1) -> None:
        key = (category, where)
        with self._lock:
            before = self._seen[key]
            self._seen[key] = before + times
        if before < WARNING_REPEATS:
            warnings_log.warning("library warning", extra={"category": category, "where": where,
                                                           "warning": message[:300], "times": times})
        elif before // REPEATS_SUMMARY != (before + times) // REPEATS_SUMMARY:
            warnings_log.warning("library warning repeated", extra={"category": category, "where": where,
                                                                    "times_so_far": before + times})


library_warnings = BoundedWarnings()


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    library_warnings.log(category.__name__, f"{Path(filename).name}:{lineno}", str(message))


def instrument(app: Flask, metrics: Metrics) -> None:
    """Give every request an id, then log and count it once its response is ready."""

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("started", time.perf_counter())
        latency = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else OTHER
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        metrics.count_request(route, request.method, response.status_code, latency)
        access_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": method_label(request.method),
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "latency_ms": round(latency * 1000, 3),
                "bytes_in": request.content_length or 0,
                "remote": request.remote_addr,
            },
        )
        return response


def record_refusal(metrics: Metrics | None, method: str | None, path: str | None, status: int, message: str,
                   remote: str | None) -> None:
    """A request waitress refused before Flask saw it: counted and logged like any other answer."""
    if metrics is not None:
        metrics.count_request(UNPARSED, method, status)
    access_log.info(
        "request",
        extra={
            "request_id": uuid.uuid4().hex,
            "method": method_label(method),
            "path": path,
            "route": UNPARSED,
            "status": status,
            "error": message,
            "remote": remote,
        },
    )
