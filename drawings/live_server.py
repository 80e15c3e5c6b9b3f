"""Start the real inference server (python -m server) on a free loopback port, for as long as needed."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

HOST = "127.0.0.1"


class ServerNotReady(Exception):
    """The server died or did not answer GET /readyz in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Poll GET /readyz until it answers 200; fail fast if the server process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerNotReady(f"server exited with code {proc.returncode} before it was ready")
        try:
            if requests.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise ServerNotReady(f"server at {url} not ready after {timeout:.0f} s")


@contextmanager
def running_server(model: Path, ready_timeout: float = 60.0) -> Iterator[str]:
    """Yield the base URL of a freshly started server; stop it on the way out, whatever happened."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--host", HOST, "--port", str(port), "--model", str(model)]
    )
    try:
        url = f"http://{HOST}:{port}"
        wait_ready(url, proc, ready_timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
