"""The waitress options the server relies on are ones waitress really applies."""

from __future__ import annotations

import inspect
import warnings

from waitress import channel
from waitress.adjustments import Adjustments

from server.config import Settings
from server.serving import SEND_BYTES, waitress_options


def test_every_option_is_one_waitress_accepts() -> None:
    options = waitress_options(Settings(port=0, host="127.0.0.1"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        adjustments = Adjustments(**options)
    assert adjustments.send_bytes == SEND_BYTES


def test_send_bytes_is_still_read_by_the_channel() -> None:
    # Deprecated in waitress 3.0 but honoured; if a waitress bump drops it, responses may again
    # leave as headers then body, and the load-balanced kill test would flake rather than fail.
    assert "self.adj.send_bytes" in inspect.getsource(channel.HTTPChannel)


def test_an_app_without_a_runtime_is_served_the_same_way() -> None:
    """tools/bench/ serves its baseline apps (no model, no Runtime) through create_server too; waitress's
    refusals are then answered as JSON and logged, with no metrics to count them in."""
    import socket
    import threading

    from flask import Flask

    from server.serving import create_server

    serving = create_server(Flask("baseline"), Settings(port=0, host="127.0.0.1"))
    port = serving.server.effective_port
    thread = threading.Thread(target=serving.run, kwargs={"drain_seconds": 0.1}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")
            answer = client.recv(65536)
    finally:
        serving.server.close()
    assert answer.startswith(b"HTTP/1.1 413") and b'{"error":' in answer
