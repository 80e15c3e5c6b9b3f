"""Waitress, configured on purpose: every limit it enforces is chosen here (README.md, SECURITY.md).

Waitress reads and buffers a whole request before Flask sees it, so it is waitress that protects
the process from large, slow or malformed requests. Its parser is made stricter by
server/http1.py; its own refusals (body too large, broken framing, headers too large) are
answered as JSON {"error": ...} with the headers every answer carries, and counted and logged
like the app's.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any, Final

import waitress
from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.task import ErrorTask

from server.config import Settings
from server.errors import error_json
from server.headers import security_headers
from server.http1 import StrictRequestParser
from server.observability import Metrics, record_refusal
from server.runtime import EXTENSION_KEY

IDENT: Final = "digits-onnx"
MAX_HEADER_BYTES: Final = 64 * 1024  # a browser sends ~2 KB; waitress's default is 256 KB
DRAIN_SECONDS: Final = 8.0  # on SIGTERM: inside the 10 s `docker stop` waits before SIGKILL
RECV_BYTES: Final = 8192  # one socket read (waitress's default, named because the buffer below uses it)
# Far above a usual answer (under 1 KB), so waitress sends a response's headers and body in one
# write once the worker is done. With its default (1 byte) the event loop may flush the headers
# alone first; a replica killed between the two writes leaves a load balancer holding headers
# without a body, which it cannot retry elsewhere. waitress 3.0 marks the option deprecated but
# honours it (channel.py); tests/server/test_serving.py pins that.
SEND_BYTES: Final = 64 * 1024


def waitress_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for waitress.create_server(), each chosen deliberately."""
    # Waitress refuses a body of exactly max_request_body_size; Flask's MAX_CONTENT_LENGTH allows it.
    max_body = settings.max_upload_bytes + 1
    return {
        "host": settings.host,
        "port": settings.port,
        "threads": settings.threads,
        "ident": IDENT,
        # Refused while reading (from Content-Length before any body byte, or as chunks add up),
        # so no oversized body is ever buffered whole. Same limit as Flask's MAX_CONTENT_LENGTH.
        "max_request_body_size": max_body,
        "recv_bytes": RECV_BYTES,
        "send_bytes": SEND_BYTES,
        # Keep every accepted body in memory (at most connection_limit x max body): past 512 KB
        # waitress would spool it to a temp file, which resets the connection on a read-only root
        # filesystem. A chunked body is checked against max_body after each read is buffered,
        # hence one read of headroom.
        "inbuf_overflow": max_body + RECV_BYTES,
        "max_request_header_size": MAX_HEADER_BYTES,
        # A connection that sends or reads nothing for this long is closed, whatever its state:
        # idle keep-alives and stalled uploads give their slot back. A client trickling one byte
        # at a time stays connected but holds no worker thread (waitress reads asynchronously).
        "channel_timeout": settings.channel_timeout,
        # Idle channels are swept this often, so one lingers at most ~4/3 of channel_timeout.
        "cleanup_interval": max(1, settings.channel_timeout // 3),
        # Past this many open connections waitress stops accepting (the kernel backlog queues
        # them) instead of growing memory without bound; chosen in server/config.py.
        "connection_limit": settings.connection_limit,
        # poll() has no FD_SETSIZE (1024) ceiling, unlike select().
        "asyncore_use_poll": True,
        # Never: a traceback in a response tells an attacker more than it helps a caller.
        "expose_tracebacks": False,
    }


@dataclass(frozen=True)
class Serving:
    """A waitress server plus the socket map its event loop runs over (the map is ours to drain)."""

    server: BaseWSGIServer | MultiSocketServer
    socket_map: dict[int, Any]

    def run(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Serve until SIGTERM/Ctrl-C (SystemExit/KeyboardInterrupt), then drain and return.

        Waitress's own run() cancels requests still queued for a worker thread; draining instead
        stops accepting, then keeps the loop going until every request already received (or
        being received) is answered and flushed, for at most `drain_seconds`.
        """
        try:
            self._loop()
        except (SystemExit, KeyboardInterrupt):
            pass
        for listener in self._listeners():
            # Only the listening socket: the server's close() also closes the trigger that
            # worker threads pull to hand their answers to the loop.
            wasyncore.dispatcher.close(listener)
        deadline = time.monotonic() + drain_seconds
        while any(_busy(channel) for channel in self._channels()) and time.monotonic() < deadline:
            self._loop(timeout=0.05, count=1)
        self.server.task_dispatcher.shutdown(timeout=1)

    def _loop(self, timeout: float | None = None, count: int | None = None) -> None:
        adj = self.server.adj
        wasyncore.loop(
            timeout=adj.asyncore_loop_timeout if timeout is None else timeout,
            use_poll=adj.asyncore_use_poll, map=self.socket_map, count=count,
        )

    def _listeners(self) -> list[BaseWSGIServer]:
        return [each for each in list(self.socket_map.values()) if isinstance(each, BaseWSGIServer)]

    def _channels(self) -> list[HTTPChannel]:
        return [each for each in list(self.socket_map.values()) if isinstance(each, HTTPChannel)]


def create_server(app: Flask, settings: Settings) -> Serving:
    """The waitress server for `app`, bound but not yet serving (call .run()), JSON errors on."""
    socket_map: dict[int, Any] = {}
    with warnings.catch_warnings():
        # Only send_bytes's deprecation notice; see SEND_BYTES.
        warnings.filterwarnings("ignore", message="send_bytes will be removed", category=DeprecationWarning)
        server = waitress.create_server(app, map=socket_map, **waitress_options(settings))
    serving = Serving(server, socket_map)
    # One listener per bound address (a host name may resolve to IPv4 and IPv6); each makes
    # the channels of its connections.
    # The baselines tools/bench/ serves the same way have no Runtime: their refusals are logged, not counted.
    runtime = app.extensions.get(EXTENSION_KEY)
    channel_class = type("JsonErrorChannel", (JsonErrorChannel,), {"metrics": runtime.metrics if runtime else None})
    for listener in serving._listeners():
        listener.channel_class = channel_class
    return serving


def _busy(channel: HTTPChannel) -> bool:
    """A request is being received, waits for or runs in a worker, or its answer is unsent."""
    return bool(channel.requests) or channel.request is not None or channel.total_outbufs_len > 0


class JsonErrorTask(ErrorTask):
    """Waitress's error response with a JSON body instead of its plain-text page, carrying the
    headers every answer carries, and counted and logged like the app's own answers."""

    def execute(self) -> None:
        error = self.request.error
        message = f"{error.reason}: {error.body}"
        # Waitress names its own settings ("exceeds max_body of N+1"); say the limit instead.
        if error.code == 413:
            limit = self.channel.adj.max_request_body_size - 1
            message = f"{error.reason}: the request body is over the limit of {limit} bytes"
        elif error.code == 431:
            message = f"{error.reason}: the request headers are over the limit of {MAX_HEADER_BYTES} bytes"
        body = error_json(message)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.response_headers.extend(security_headers("application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
        record_refusal(self.channel.metrics, self.request.command, self.request.path, error.code, message,
                       self.channel.addr[0])


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask
    parser_class = StrictRequestParser
    metrics: Metrics | None  # the app's, set per server by create_server()
